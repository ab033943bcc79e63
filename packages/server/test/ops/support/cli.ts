import { spawn } from "node:child_process"
import { join } from "node:path"
import { runOps } from "../../../src/ops/runOps.js"
import { type ChildOutput, outputOf } from "../../support/childOutput.js"

const serverDir = join(import.meta.dirname, "../../..")

export type CliRun = ChildOutput

/**
 * `pnpm ops <args>` as a child process, the way `pnpm ops` runs it (tsx), with only PATH, USER and the
 * given variables: the test runner's own environment (MONGO_URL, …) must not leak into the CLI.
 */
export const ops = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> =>
  outputOf(
    spawn(process.execPath, ["--conditions=@settle/source", "--import", "tsx", "src/ops/main.ts", ...args], {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? "", USER: "oncall", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  )

/** The `--json` document of a run; fails the test with the run's output when stdout is not one. */
export const json = (run: CliRun): Record<string, unknown> => {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`)
  }
}

/**
 * The same CLI as `runOps` in this process: what `main.ts` does minus the process. For the many cases
 * where the process boundary adds nothing, it spares loading every module again (seconds per run).
 */
export const opsHere = async (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> => {
  let stdout = ""
  let stderr = ""
  const code = await runOps(
    args,
    { USER: "oncall", ...env },
    {
      stdout: (text) => {
        stdout += `${text}\n`
      },
      stderr: (text) => {
        stderr += `${text}\n`
      },
    },
  )
  return { code, stdout, stderr }
}
