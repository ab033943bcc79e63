import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"

const serverDir = join(import.meta.dirname, "../../..")
const LISTENING = /^listening on (http:\/\/[^\s]+)$/m
const STARTUP_TIMEOUT_MS = 30_000

export interface ProcessOutput {
  readonly stdout: string
  readonly stderr: string
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` from the server's `listening on` line (on stderr: stdout is JSON logs only). */
  readonly baseUrl: string
  readonly output: () => ProcessOutput
  /** SIGTERM, then the exit code once the process is gone (null if a signal ended it). */
  readonly stop: () => Promise<number | null>
}

interface Launched {
  readonly child: ChildProcess
  readonly exited: Promise<number | null>
  readonly output: () => ProcessOutput
}

/**
 * `src/main.ts` exactly as `pnpm start` runs it (tsx, from the package directory), with only PATH and
 * the given variables: the test runner's own environment (MONGO_URL, …) must not leak into the server.
 */
const launch = (env: Readonly<Record<string, string>>): Launched => {
  const child = spawn(process.execPath, ["--conditions=@settle/source", "--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let stdout = ""
  let stderr = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8")
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { child, exited, output: () => ({ stdout, stderr }) }
}

const listeningUrl = (run: Launched): Promise<string> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      run.child.kill("SIGKILL")
      reject(new Error(`no "listening on" line within ${STARTUP_TIMEOUT_MS} ms:\n${describe(run.output())}`))
    }, STARTUP_TIMEOUT_MS)
    const check = () => {
      const url = LISTENING.exec(run.output().stderr)?.[1]
      if (url === undefined) return
      clearTimeout(timer)
      run.child.stderr?.off("data", check)
      resolve(url)
    }
    run.child.stderr?.on("data", check)
    void run.exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited (${code}) before listening:\n${describe(run.output())}`))
    })
  })

const describe = ({ stdout, stderr }: ProcessOutput): string => `--- stdout\n${stdout}\n--- stderr\n${stderr}`

/** Starts the server on a free port (PORT=0) and resolves once it listens. */
export const startServerProcess = async (
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess> => {
  // No drain delay unless a test asks for one: there is no load balancer to wait for.
  const run = launch({ LOG_LEVEL: "warn", DRAIN_DELAY_SECONDS: "0", ...env, PORT: "0" })
  const baseUrl = await listeningUrl(run)
  let stopping: Promise<number | null> | null = null
  return {
    baseUrl,
    output: run.output,
    stop: () => {
      stopping ??= (async () => {
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGTERM")
        return run.exited
      })()
      return stopping
    },
  }
}

/** Runs the server to its exit, for configurations that must refuse to start. */
export const runToExit = async (
  env: Readonly<Record<string, string>>,
): Promise<ProcessOutput & { readonly code: number | null }> => {
  const run = launch(env)
  const timer = setTimeout(() => run.child.kill("SIGKILL"), STARTUP_TIMEOUT_MS)
  const code = await run.exited
  clearTimeout(timer)
  return { code, ...run.output() }
}
