/**
 * Two installations bursting at once: 30 deployments of installation A's
 * repository and 30 of installation B's arrive together (interleaved),
 * through heaven in process with production pacing and Probot's throttling
 * on, against the fake GitHub. When did each installation's first and last
 * final statuses arrive? Pacing is per installation, so B should not wait on
 * A's writes: both should finish in about the time one would alone.
 */
import { join } from "node:path";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { benchRepo } from "./helpers/bench-repo.js";
import { createDeployments, deliverBurst, statusTally, writesOf } from "./helpers/deployment-burst.js";
import { startInProcessHeaven } from "./helpers/in-process-heaven.js";
import { seconds, table } from "./helpers/stats.js";
import { record } from "./helpers/scoreboard.js";

const PER_INSTALLATION = 30;
const CONCURRENCY = 4;
const SCRIPT_SECONDS = 0.3;
const INSTALLATIONS = [
  { label: "A", installationId: 101, fullName: "alpha/web" },
  { label: "B", installationId: 202, fullName: "beta/web" },
];

export async function twoInstallationsBenchmark(dir: string): Promise<void> {
  const github = new FakeGitHub();
  await github.start();
  for (const i of INSTALLATIONS) benchRepo(github, dir, i.fullName, { installationId: i.installationId, seconds: SCRIPT_SECONDS, doneFile: join(dir, "scripts-done") });
  const heaven = await startInProcessHeaven(github, { dataDir: join(dir, "data"), concurrency: CONCURRENCY });
  try {
    // Warm: one deployment per repository (clone cache, installation tokens).
    for (const i of INSTALLATIONS) {
      const [warm] = await createDeployments(github, i.fullName, ["warm-up"], 1);
      await github.deliverDeployment(warm as number);
      await github.waitForFinalStatus(warm as number);
    }
    await heaven.outbox.idle();

    const idsOf = new Map<string, number[]>();
    for (const i of INSTALLATIONS) idsOf.set(i.label, await createDeployments(github, i.fullName, ["production", "staging"], PER_INSTALLATION));
    const [a = [], b = []] = INSTALLATIONS.map((i) => idsOf.get(i.label) ?? []);
    // A's and B's webhooks interleaved: they arrive together.
    const burst = await deliverBurst(github, a.flatMap((id, n) => [id, b[n] as number]));

    const rows = INSTALLATIONS.map((i) => {
      const ids = idsOf.get(i.label) ?? [];
      const finals = ids.map((id) => burst.finalAfter.get(id) ?? NaN);
      const writes = writesOf(burst.requests).filter((r) => r.path.startsWith(`/repos/${i.fullName}/`)).length;
      const { oneFinal } = statusTally(github, ids);
      const last = Math.max(...finals);
      record("two-installations", { [`${i.label}: last final (s)`]: last / 1000, [`${i.label}: writes`]: writes, [`${i.label}: one final each`]: `${oneFinal}/${ids.length}` });
      return [
        `${i.label} (installation ${i.installationId})`,
        seconds(Math.min(...finals)),
        seconds(last),
        String(writes),
        (writes / (last / 1000)).toFixed(2),
        `${oneFinal}/${ids.length}`,
      ];
    });
    console.log(
      `two installations at once: ${PER_INSTALLATION} deployments each over 2 environments, arriving together ` +
        `(concurrency ${CONCURRENCY}, scripts of ${SCRIPT_SECONDS} s), production pacing, Probot's throttling on; times after the first webhook`,
    );
    console.log(table([["", "first final", "last final", "writes", "writes/s", "one final each"], ...rows]));
  } finally {
    await heaven.stop();
    await github.stop();
  }
}
