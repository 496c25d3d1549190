/** The file log store (logs under the data directory) keeps the shared LogStore contract. */
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { logFilePath, logMetaPath } from "../../src/engine/log-links.js";
import { FileLogStore } from "../../src/engine/log-store.js";
import { describeLogStoreContract } from "../contract/log-store.contract.js";
import { tempDir } from "../helpers/git-repo.js";

let tmp: ReturnType<typeof tempDir> | undefined;
const dataDir = () => tmp?.path ?? "/nonexistent";

describeLogStoreContract("FileLogStore", {
  reset: async () => {
    tmp = tempDir("heaven-file-log-contract-");
  },
  store: () => new FileLogStore(dataDir()),
  append: async (key, text) => {
    await mkdir(dirname(logFilePath(dataDir(), key)), { recursive: true });
    await appendFile(logFilePath(dataDir(), key), text);
  },
  setMeta: async (key, meta) => {
    await mkdir(dirname(logMetaPath(dataDir(), key)), { recursive: true });
    await writeFile(logMetaPath(dataDir(), key), JSON.stringify(meta));
  },
  cleanup: async () => tmp?.remove(),
});
