// A heaven process that delivers the shared outbox, for the frozen-deliverer
// test: the outbox from the build (lib/), a GitHub that never answers, and one
// JSON line on stdout once it is the deliverer, so the test knows when to SIGSTOP it.
import { PostgresOutbox } from "../../lib/src/github/postgres-outbox.js";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const outbox = await PostgresOutbox.open({
  connectionString: process.env.DATABASE_URL,
  octokitFor: async () => ({ request: () => new Promise(() => undefined), auth: async () => ({}) }),
  log: quiet,
  onError: () => undefined,
  pollMs: 200,
});
process.stdout.write(`${JSON.stringify({ deliverer: outbox.isDeliverer })}\n`);
