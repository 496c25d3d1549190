/** The XML the fake AWS answers with: the Query protocol's result and error shapes, and S3's error. */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";

export const XMLNS = "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/";

/** An EnvironmentDescription's fields. */
export function environmentXml(env: { name: string; application: string; versionLabel: string; status: string; health: string; healthStatus: string | undefined }): string {
  return tags({
    EnvironmentName: env.name,
    EnvironmentId: `e-${env.name}`,
    ApplicationName: env.application,
    VersionLabel: env.versionLabel,
    Status: env.status,
    Health: env.health,
    HealthStatus: env.healthStatus,
    CNAME: `${env.name}.fake.elasticbeanstalk.com`,
    DateUpdated: new Date().toISOString(),
  });
}

export function tags(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join("");
}

export const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function queryError(code: string, message: string): string {
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

export function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
}

export function reply(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { "content-type": "text/xml" });
  res.end(xml);
}
