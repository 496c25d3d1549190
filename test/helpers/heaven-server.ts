/**
 * heaven's real server (`node lib/src/main.js`, what `npm start` runs) as a
 * child process, pointed at a fake GitHub through GHE_HOST, plus a client
 * that sends signed webhooks to it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";

export const WEBHOOK_SECRET = "e2e-webhook-secret";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface HeavenProcess {
  url: string;
  output: () => string;
  /** A signed webhook; `delivery` is its `X-GitHub-Delivery` GUID (a fresh one by default). */
  webhook: (event: string, payload: unknown, options?: { secret?: string; delivery?: string }) => Promise<Response>;
  stop: () => Promise<number | null>;
}

export async function startHeaven(options: { githubHost: string; dataDir: string; env?: Record<string, string> }): Promise<HeavenProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const child: ChildProcess = spawn(process.execPath, [join(process.cwd(), "lib/src/main.js")], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: options.dataDir,
      NODE_ENV: "production",
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET,
      GHE_HOST: options.githubHost,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      HEAVEN_URL: url,
      HEAVEN_DATA_DIR: options.dataDir,
      LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes("Listening on")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => reject(new Error(`heaven exited with ${code} before listening:\n${output}`)));
  });

  const webhook = async (event: string, payload: unknown, { secret = WEBHOOK_SECRET, delivery = randomUUID() }: { secret?: string; delivery?: string } = {}) => {
    const body = JSON.stringify(payload);
    return fetch(`${url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": delivery,
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
      body,
    });
  };

  return {
    url,
    output: () => output,
    webhook,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
