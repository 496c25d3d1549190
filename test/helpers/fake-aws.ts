/**
 * A local stand-in for the two AWS services the elastic_beanstalk provider
 * calls, reached through the SDK's endpoint setting: S3's PutObject (path
 * style, the SDK's aws-chunked body with its CRC32 trailer checked) and the
 * Elastic Beanstalk Query API (form-encoded POST, XML answers). An
 * environment follows a scripted list of states, one per DescribeEnvironments
 * after an update. Every call records the access key and region it was signed with.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32 } from "node:zlib";
import { decodeAwsChunked } from "./aws-chunked.js";
import { environmentXml, queryError, reply, s3Error, tags, XMLNS } from "./aws-xml.js";

export interface EnvironmentStep {
  status: string;
  health: string;
  healthStatus?: string;
  /** What the environment runs from this step on (a rollback); default: the version it was updated to. */
  versionLabel?: string;
  events?: Array<{ severity?: string; message: string }>;
}

interface FakeEnvironment {
  application: string;
  name: string;
  versionLabel: string;
  status: string;
  health: string;
  healthStatus: string | undefined;
  afterUpdate: EnvironmentStep[];
  step: number;
  updated: boolean;
}

interface FakeEvent {
  date: Date;
  application: string;
  environment: string;
  severity: string;
  message: string;
}

export interface AwsCall {
  service: string;
  /** S3: the method and path; Elastic Beanstalk: the Action. */
  action: string;
  /** Elastic Beanstalk: the call's ApplicationName; S3: the key's first folder (the provider's application). */
  application: string | undefined;
  region: string | undefined;
  accessKeyId: string | undefined;
}

export class FakeAws {
  readonly calls: AwsCall[] = [];
  /** Objects put, by `bucket/key`. */
  readonly objects = new Map<string, Buffer>();
  readonly versions: Array<{ application: string; label: string; description: string | undefined; bucket: string; key: string }> = [];
  readonly updates: Array<{ application: string | undefined; environment: string; label: string }> = [];
  private readonly buckets = new Set<string>();
  private readonly environments = new Map<string, FakeEnvironment>();
  private readonly events: FakeEvent[] = [];
  private server: Server | undefined;
  url = "";

  addBucket(name: string): void {
    this.buckets.add(name);
  }

  /** An application's environment, Ready and Green at version `v0` until updated; then it walks `afterUpdate` (the last step stays). */
  addEnvironment(application: string, name: string, afterUpdate: EnvironmentStep[]): void {
    this.environments.set(name, { application, name, versionLabel: "v0", status: "Ready", health: "Green", healthStatus: undefined, afterUpdate, step: 0, updated: false });
  }

  /** How many times an application's environments were looked at (DescribeEnvironments). */
  looks(application: string): number {
    return this.calls.filter((call) => call.action === "DescribeEnvironments" && call.application === application).length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    // Credential=AKID/20240101/eu-west-1/s3/aws4_request
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? "");
    const service = scope?.[3] ?? "unsigned";
    const record = (action: string, application: string | undefined) => this.calls.push({ service, action, application, region: scope?.[2], accessKeyId: scope?.[1] });
    const path = decodeURIComponent((req.url ?? "").split("?")[0] ?? "");
    if (req.method === "PUT" && service === "s3") {
      record(`PUT ${path}`, path.split("/")[2]);
      return this.putObject(path, req, body, res);
    }
    const form = new URLSearchParams(body.toString("utf8"));
    const action = form.get("Action") ?? "(none)";
    record(action, form.get("ApplicationName") ?? undefined);
    if (req.method !== "POST" || service !== "elasticbeanstalk") return reply(res, 400, queryError("InvalidAction", `fake AWS has no ${req.method} ${req.url} for ${service}`));
    const answer = this.query(action, form);
    reply(res, answer.status, answer.xml);
  }

  private putObject(path: string, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const [bucket = "", ...keyParts] = path.slice(1).split("/");
    if (!this.buckets.has(bucket)) return reply(res, 404, s3Error("NoSuchBucket", "The specified bucket does not exist"));
    let content = body;
    if (req.headers["content-encoding"] === "aws-chunked") {
      const decoded = decodeAwsChunked(body);
      const sent = decoded.trailers["x-amz-checksum-crc32"];
      const computed = Buffer.alloc(4);
      computed.writeUInt32BE(crc32(decoded.content));
      if (sent !== computed.toString("base64")) return reply(res, 400, s3Error("BadDigest", "The CRC32 you specified did not match the calculated checksum."));
      content = decoded.content;
    }
    this.objects.set(`${bucket}/${keyParts.join("/")}`, content);
    res.writeHead(200, { etag: `"${randomUUID()}"` });
    res.end();
  }

  private query(action: string, form: URLSearchParams): { status: number; xml: string } {
    const ok = (inner: string) => ({ status: 200, xml: `<${action}Response xmlns="${XMLNS}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>` });
    const bad = (code: string, message: string) => ({ status: 400, xml: queryError(code, message) });
    const application = form.get("ApplicationName") ?? undefined;
    switch (action) {
      case "CreateApplicationVersion": {
        const label = form.get("VersionLabel") ?? "";
        const bucket = form.get("SourceBundle.S3Bucket") ?? "";
        const key = form.get("SourceBundle.S3Key") ?? "";
        if (![...this.environments.values()].some((env) => env.application === application)) return bad("InvalidParameterValue", `No Application named '${application}' found.`);
        if (this.versions.some((v) => v.application === application && v.label === label)) return bad("InvalidParameterValue", `Application Version ${label} already exists.`);
        if (!this.objects.has(`${bucket}/${key}`)) return bad("InvalidParameterCombination", `Unable to download from S3 location (Bucket: ${bucket} Key: ${key}).`);
        this.versions.push({ application: application ?? "", label, description: form.get("Description") ?? undefined, bucket, key });
        return ok(`<ApplicationVersion>${tags({ ApplicationName: application, VersionLabel: label, Status: "UNPROCESSED", DateCreated: new Date().toISOString() })}</ApplicationVersion>`);
      }
      case "UpdateEnvironment": {
        const env = this.environments.get(form.get("EnvironmentName") ?? "");
        const label = form.get("VersionLabel") ?? "";
        if (env === undefined) return bad("InvalidParameterValue", `No Environment found for EnvironmentName = '${form.get("EnvironmentName")}'.`);
        if (!this.versions.some((v) => v.application === env.application && v.label === label)) return bad("InvalidParameterValue", `No Application Version named '${label}' found.`);
        this.updates.push({ application, environment: env.name, label });
        Object.assign(env, { versionLabel: label, status: "Updating", health: "Grey", healthStatus: undefined, step: 0, updated: true });
        this.addEvent(env, "INFO", "Environment update is starting.");
        return ok(environmentXml(env));
      }
      case "DescribeEnvironments": {
        const names = [...form.entries()].filter(([name]) => name.startsWith("EnvironmentNames.member.")).map(([, value]) => value);
        const found = names.flatMap((name) => {
          const env = this.environments.get(name);
          return env === undefined || (application !== undefined && env.application !== application) ? [] : [this.advance(env)];
        });
        return ok(`<Environments>${found.map((env) => `<member>${environmentXml(env)}</member>`).join("")}</Environments>`);
      }
      case "DescribeEvents": {
        const since = new Date(form.get("StartTime") ?? 0);
        const environment = form.get("EnvironmentName");
        const events = this.events.filter((e) => e.date >= since && (environment === null || e.environment === environment) && (application === undefined || e.application === application)).reverse();
        const members = events.map((e) => `<member>${tags({ EventDate: e.date.toISOString(), Message: e.message, ApplicationName: e.application, EnvironmentName: e.environment, Severity: e.severity })}</member>`);
        return ok(`<Events>${members.join("")}</Events>`);
      }
      default:
        return bad("InvalidAction", `fake AWS does not know the action ${action}`);
    }
  }

  /** The environment's next scripted state, once it has been updated. */
  private advance(env: FakeEnvironment): FakeEnvironment {
    const step = env.afterUpdate[env.step];
    if (!env.updated || step === undefined) return env;
    env.step += 1;
    Object.assign(env, { status: step.status, health: step.health, healthStatus: step.healthStatus, versionLabel: step.versionLabel ?? env.versionLabel });
    for (const event of step.events ?? []) this.addEvent(env, event.severity ?? "INFO", event.message);
    return env;
  }

  private addEvent(env: FakeEnvironment, severity: string, message: string): void {
    this.events.push({ date: new Date(), application: env.application, environment: env.name, severity, message });
  }
}
