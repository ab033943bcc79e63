import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ServerProcess, startServerProcess } from "../e2e/support/serverProcess.js"

const repoRoot = join(import.meta.dirname, "../../../..")

// Fixed, so a failure seen once is seen again: `st run … --seed` with the same document replays it.
const SEED = 20_261_202
// Test cases per operation and phase: ~3,000 requests, 30 s on an idle machine, about a minute and a
// half on two cores busy with the rest of the suite.
const MAX_EXAMPLES = 50
// Each distinct request gets an Idempotency-Key of its own (why: in the file).
const HOOKS = join(import.meta.dirname, "schemathesis_hooks.py")
// A safety net only: the example budget is what bounds the run.
const RUN_TIMEOUT_MS = 240_000

interface StRun {
  readonly code: number | null
  readonly output: string
  readonly seconds: number
}

const runSt = (st: string, args: ReadonlyArray<string>, cwd: string): Promise<StRun> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    // Only PATH, a HOME of its own and the hooks beside this file: no proxy variables, no user config,
    // no other SCHEMATHESIS_* setting; and no __pycache__ written into the source tree for the hooks.
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: cwd,
      SCHEMATHESIS_HOOKS: HOOKS,
      PYTHONDONTWRITEBYTECODE: "1",
    }
    const child = spawn(st, args, { cwd, env, stdio: "pipe" })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
    })
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS)
    child.once("error", reject)
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, output, seconds: (Date.now() - started) / 1000 })
    })
  })

/** The part of Schemathesis's report worth reading: its failures and warnings, then its summary. */
const failureReport = (output: string): string => {
  const from = output.search(/^=+ FAILURES =+$/m)
  const text = from === -1 ? output : output.slice(from)
  return text.length > 20_000 ? `${text.slice(0, 20_000)}\n… (cut; the junit report has every case)` : text
}

const lineOf = (output: string, pattern: RegExp): string => output.match(pattern)?.[0].trim() ?? "(missing)"

let st = ""
let server: ServerProcess | undefined
let adminToken = ""
let passed = false
const dir = mkdtempSync(join(tmpdir(), "settle-fuzz-"))

beforeAll(async () => {
  // Installs schemathesis from PyPI into .tools/ on first use (~20 s), then finds it there.
  st = execFileSync("bash", [join(repoRoot, "scripts/peers/schemathesis.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim()
  // The embedded default as `./settle start` runs it; uploads go to this test's directory.
  server = await startServerProcess({ MEDIA_DIR: join(dir, "media") })
  // Its generated admin secret is known to no one: the banner's demo token is the way in.
  adminToken = /^ADMIN_TOKEN=(\S+)$/m.exec(server.output().stderr)?.[1] ?? ""
  if (adminToken === "") throw new Error(`no ADMIN_TOKEN in the banner:\n${server.output().stderr}`)
}, 300_000)

afterAll(async () => {
  await server?.stop()
  // A failed run's junit report stays for reading.
  if (passed) rmSync(dir, { recursive: true, force: true })
})

describe("Schemathesis against /openapi.json", () => {
  it(
    "finds no server error, no response outside the document and no failed check",
    async () => {
      const baseUrl = server?.baseUrl ?? ""
      const junit = join(dir, "junit", "schemathesis.xml")
      const args = [
        // Turns every check on and narrows two of them, each with its reason (why not `--checks all`: there).
        "--config-file",
        join(import.meta.dirname, "schemathesis.toml"),
        "run",
        `${baseUrl}/openapi.json`,
        // Requests go to the server under test whatever `servers` the document names.
        "--url",
        baseUrl,
        // DELETE on products and coupons archives them (orders and ledger entries point at them), and
        // an archived one stays readable with `active: false`: "still there after DELETE" is the design.
        // Those are the API's only DELETE operations, so this check has nothing else to apply to.
        "--exclude-checks",
        "use_after_free",
        "--max-examples",
        String(MAX_EXAMPLES),
        "--seed",
        String(SEED),
        "--workers",
        "1",
        // Sent on every request; operations that declare no security ignore it.
        "--header",
        `Authorization: Bearer ${adminToken}`,
        // Generous for a machine busy with the rest of the suite; a hung request still fails the run.
        "--request-timeout",
        "20",
        // A redirect is checked as answered, never followed (a Location may name another host).
        "--max-redirects",
        "0",
        // Each run starts from the seed alone, not from examples a previous run stored.
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-junit-path",
        junit,
        "--no-color",
      ]
      const run = await runSt(st, args, dir)
      console.log(
        [
          // The command to rerun by hand against `./settle start` (its banner prints ADMIN_TOKEN).
          `schemathesis: ${st} ${args.map((arg) => (arg.includes(adminToken) ? "'Authorization: Bearer $ADMIN_TOKEN'" : arg)).join(" ")}`,
          `schemathesis: ${lineOf(run.output, /^\s*\d+ generated.*$/m)}; seed ${SEED}; max ${MAX_EXAMPLES} examples per operation; ${run.seconds.toFixed(1)} s`,
          `schemathesis: ${lineOf(run.output, /^=+ .* in [\d.]+s =+$/m)}`,
          `schemathesis: junit report ${junit} (kept when the run fails)`,
        ].join("\n"),
      )
      expect(run.code, failureReport(run.output)).toBe(0)
      passed = true
    },
    RUN_TIMEOUT_MS + 30_000,
  )
})
