import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"

const serverDir = join(import.meta.dirname, "../..")
const LISTENING = /^listening on (http:\/\/\S+)$/m
const STARTUP_TIMEOUT_MS = 30_000

/** One JSON log line of a server process (pino), with the annotations as fields. */
export interface LogRecord {
  readonly level: number
  readonly msg: string
  readonly job?: string
  readonly holder?: string
  readonly report?: Readonly<Record<string, unknown>>
}

export interface Replica {
  readonly url: string
  /** The pino records it wrote so far. */
  readonly logs: () => ReadonlyArray<LogRecord>
  readonly output: () => string
  readonly kill: (signal: NodeJS.Signals) => Promise<number | null>
}

const running = new Set<ChildProcess>()

/** Whatever a failed test left running is killed, so no replica outlives its test. */
export const killAll = () => {
  for (const child of running) child.kill("SIGKILL")
  running.clear()
}

/**
 * `src/main.ts` as `pnpm start` runs it, with only PATH and `env`: each process is a replica of the
 * reference server, on PORT=0, logging pino JSON to stdout (and only that: the rest is on stderr).
 */
export const startReplica = (env: Readonly<Record<string, string>>): Promise<Replica> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@settle/source", "--import", "tsx", "src/main.ts"], {
      cwd: serverDir,
      // No drain delay: a replica stopped by a test has no load balancer to wait for.
      env: { PATH: process.env.PATH ?? "", DRAIN_DELAY_SECONDS: "0", ...env, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    running.add(child)
    let stdout = ""
    let stderr = ""
    const exited = new Promise<number | null>((done) =>
      child.once("exit", (code) => {
        running.delete(child)
        done(code)
      }),
    )
    const output = () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`no "listening on" line within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`))
    }, STARTUP_TIMEOUT_MS)
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    // The `listening on` line is on stderr: stdout carries only the JSON log records.
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      const url = LISTENING.exec(stderr)?.[1]
      if (url === undefined) return
      clearTimeout(timer)
      resolve({
        url,
        output,
        // Every complete line: the last one is "" or still being written.
        logs: () =>
          stdout
            .split("\n")
            .slice(0, -1)
            .map((line) => JSON.parse(line) as LogRecord),
        kill: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          return exited
        },
      })
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited (${code}) before listening:\n${output()}`))
    })
  })

/** The finished runs a replica logged for `job`, with their reports. */
export const finishedRuns = (replica: Replica, job: string) =>
  replica.logs().filter((record) => record.job === job && record.msg.startsWith(`[jobs.${job}] finished`))

/** The sum of one count over every finished run of `job` on every replica. */
export const total = (replicas: ReadonlyArray<Replica>, job: string, count: string): number =>
  replicas
    .flatMap((replica) => finishedRuns(replica, job))
    .reduce((sum, record) => sum + Number(record.report?.[count] ?? 0), 0)

/** A series' value in a replica's /metrics text; 0 when the series is absent. */
export const metricOf = async (replica: Replica, series: string): Promise<number> => {
  const text = await (await fetch(`${replica.url}/metrics`)).text()
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}
