import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))
const LISTENING = /^listening on (http:\/\/\S+)$/m
const STARTUP_TIMEOUT_MS = 30_000
// What `pnpm start` runs: the built server, not its sources through tsx (whose transform adds work per call).
const SETTLE_ENTRY = "dist/main.js"

export interface Target {
  readonly name: string
  readonly url: string
  /** The server process (a preloaded hook may be signalled, as the memory measurement does). */
  readonly pid: number
  /** SIGTERM and wait; the exit code (null when a signal ended it). */
  readonly stop: () => Promise<number | null>
}

interface Launch {
  readonly name: string
  /**
   * Settle's built entry point, as `pnpm start` runs it (`pnpm bench` builds first), or a TypeScript one
   * (the hello targets); tsx loads the TypeScript preloads either way.
   */
  readonly entry: string
  readonly cwd: string
  readonly env?: Readonly<Record<string, string>>
  /** Modules preloaded with `--import` before the entry (the Mongo bench's command recorder). */
  readonly imports?: ReadonlyArray<string>
  /** Node flags before the rest (`--cpu-prof`): NODE_OPTIONS refuses some of them. */
  readonly nodeArgs?: ReadonlyArray<string>
}

/** Each target runs in its own process, so the load generator (this process) never shares its event loop. */
const start = (launch: Launch): Promise<Target> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(launch.nodeArgs ?? []),
        // The built server resolves the workspace packages' dist; TypeScript sources (the hello targets,
        // preloads) read theirs.
        ...(launch.entry.endsWith(".js") ? [] : ["--conditions=@settle/source"]),
        "--import",
        "tsx",
        ...(launch.imports ?? []).flatMap((module) => ["--import", module]),
        launch.entry,
      ],
      {
        cwd: launch.cwd,
        env: { PATH: process.env.PATH ?? "", ...launch.env, PORT: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    )
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)))
    // What each stream said, up to its last 4 kB: the startup and any late failure.
    const seen = { stdout: "", stderr: "" }
    let listening = false
    const said = () => `--- stdout\n${seen.stdout}\n--- stderr\n${seen.stderr}`
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${launch.name} did not listen within ${STARTUP_TIMEOUT_MS} ms:\n${said()}`))
    }, STARTUP_TIMEOUT_MS)
    // Settle says `listening on <url>` on stderr (its stdout is JSON logs only), the hello targets on
    // stdout. Both pipes are drained for the whole run: a full pipe would block the server mid-benchmark.
    const watch = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      seen[stream] = (seen[stream] + chunk.toString("utf8")).slice(-4096)
      const url = listening ? undefined : LISTENING.exec(seen[stream])?.[1]
      if (url === undefined) return
      listening = true
      clearTimeout(timer)
      resolve({
        name: launch.name,
        url,
        pid: child.pid ?? 0,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
          return exited
        },
      })
    }
    child.stdout.on("data", watch("stdout"))
    child.stderr.on("data", watch("stderr"))
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${launch.name} exited (${code}) before listening:\n${said()}`))
    })
  })

/** Settle's embedded default, exactly as `pnpm start` runs it, plus `env`. */
export const startSettle = (env: Readonly<Record<string, string>>) =>
  start({ name: "settle", entry: SETTLE_ENTRY, cwd: `${root}packages/server`, env })

export const startKoaHello = () => start({ name: "koa", entry: "bench/targets/koaHello.ts", cwd: root })

export const startNodeHello = () =>
  start({ name: "node:http", entry: "bench/targets/nodeHello.ts", cwd: root })

/** The Mongo bench's HTTP floor (bench/targets/replayHttp.ts), replaying what the JSON file `plan` names. */
export const startReplayHttp = (name: string, plan: string) =>
  start({ name, entry: "bench/targets/replayHttp.ts", cwd: root, env: { BENCH_REPLAY_PLAN: plan } })

/** Settle as `startSettle` runs it, preloading `imports` (absolute file URLs) and named `name`. */
export const startSettleWith = (
  name: string,
  env: Readonly<Record<string, string>>,
  imports: ReadonlyArray<string> = [],
  nodeArgs: ReadonlyArray<string> = [],
) => start({ name, entry: SETTLE_ENTRY, cwd: `${root}packages/server`, env, imports, nodeArgs })

/** Settle as `startSettleWith` runs it, its HTTP histogram observing nothing (bench/targets/histogramOff.ts). */
export const startSettleHistogramOff = (
  name: string,
  env: Readonly<Record<string, string>>,
  nodeArgs: ReadonlyArray<string> = [],
) => startSettleWith(name, env, [new URL("../targets/histogramOff.ts", import.meta.url).href], nodeArgs)
