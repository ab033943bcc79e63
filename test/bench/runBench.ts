import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { type ChildOutput, outputOf } from "../../packages/server/test/support/childOutput.js"

const root = resolve(import.meta.dirname, "../..")

export interface BenchRun extends ChildOutput {
  /** The JSON documents the bench printed (its summaries), in order. */
  readonly summaries: ReadonlyArray<Record<string, unknown>>
}

// The bench prints each summary with JSON.stringify(…, null, 2): a "{" line to the next "}" line.
const summariesOf = (stdout: string): Array<Record<string, unknown>> => {
  const found: Array<Record<string, unknown>> = []
  let block: Array<string> | undefined
  for (const line of stdout.split("\n")) {
    if (line === "{") block = []
    block?.push(line)
    if (line === "}" && block !== undefined) {
      found.push(JSON.parse(block.join("\n")) as Record<string, unknown>)
      block = undefined
    }
  }
  return found
}

/**
 * Runs the root package.json's `bench` script itself (what `pnpm bench` runs) with `args`, from the
 * repository root, and collects what it printed.
 */
export const runBench = async (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
): Promise<BenchRun> => {
  const script = (
    JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>
    }
  ).scripts.bench as string
  const run = await outputOf(
    spawn("sh", ["-c", `${script} ${args.join(" ")}`], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  )
  return { ...run, summaries: summariesOf(run.stdout) }
}
