/**
 * Real webhook payloads from @octokit/webhooks-examples, cloned so a test can
 * change fields without touching another test's copy.
 *
 * Read with require rather than `import … with { type: "json" }`: jest's swc
 * transform drops the import attribute, and jest warns that importing JSON
 * without one will become an error.
 */
import { createRequire } from "node:module";

interface ExampleGroup {
  name: string;
  examples: unknown[];
}

const groups = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json") as ExampleGroup[];

/** A deep clone of the first `name` example that `pick` accepts (the first one when there is no `pick`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function webhookExample(name: string, pick?: (example: any) => boolean): any {
  const group = groups.find((candidate) => candidate.name === name);
  if (group === undefined) throw new Error(`@octokit/webhooks-examples has no "${name}" examples`);
  const found = group.examples.find((example) => pick === undefined || pick(example));
  if (found === undefined) throw new Error(`none of the ${group.examples.length} "${name}" examples matches the pick`);
  return structuredClone(found);
}
