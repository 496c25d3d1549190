// A heaven worker process for the failover test: runs the PostgreSQL queue
// from the build (lib/), starts every job and never finishes it, and says
// on stdout (one JSON line each) when it is ready, when a job started and
// when one was aborted, so the test knows when to SIGKILL or SIGSTOP it. Plain JS: node runs it as it is.
import { PostgresQueue } from "../../lib/src/queue/postgres-queue.js";

const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
// Heaven's default heartbeat timing unless the test asks for a faster one.
const heartbeat = process.env.DEAD_AFTER_MS === undefined ? undefined : { beatMs: Number(process.env.BEAT_MS), deadAfterMs: Number(process.env.DEAD_AFTER_MS) };
const queue = await PostgresQueue.open({ connectionString: process.env.DATABASE_URL, concurrency: 2, heartbeat });
await queue.process({
  run: async (job, control) => {
    await control.processStarted({ pgid: process.pid });
    say({ started: job.key });
    await new Promise((resolve) => control.signal.addEventListener("abort", resolve));
    say({ aborted: job.key });
    return { kind: "done" };
  },
  interrupted: async (job) => say({ interrupted: job.key }),
});
say({ ready: queue.workerId });
