/** The embedded queue (journal on disk, no database) keeps the shared DeployQueue contract. */
import { join } from "node:path";
import { EmbeddedQueue } from "../../src/queue/embedded-queue.js";
import { describeDeployQueueContract } from "../contract/deploy-queue.contract.js";
import { tempDir } from "../helpers/git-repo.js";

let dir: ReturnType<typeof tempDir> | undefined;

describeDeployQueueContract("EmbeddedQueue", {
  reset: async () => {
    dir = tempDir("heaven-queue-contract-");
  },
  open: (concurrency) => EmbeddedQueue.open({ journalFile: join(dir?.path ?? "", "journal.jsonl"), concurrency }),
  cleanup: async () => {
    dir?.remove();
    dir = undefined;
  },
});
