import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"

const serverDir = join(import.meta.dirname, "..")

const children: Array<ChildProcess> = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL")
})

/** `src/main.ts` as `pnpm start` runs it, with only the given variables set. */
const launch = (env: Record<string, string>) => {
  const child = spawn(process.execPath, ["--conditions=@settle/source", "--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  children.push(child)
  let stdout = ""
  let stderr = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  /** A line the server printed for people and scripts: on stderr, since stdout is JSON logs only. */
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stderr.match(pattern)
        if (match !== null) resolve(match)
      }
      child.stderr?.on("data", check)
      void exited.then(() => reject(new Error(`exited before ${pattern}: ${stdout}${stderr}`)))
      check()
    })
  return { child, exited, line, output: () => ({ stdout, stderr }) }
}

describe("src/main.ts", () => {
  it("prints `Bootstrap failed: <reason>` and exits 1 on a bad MONGO_URI", async () => {
    const run = launch({ MONGO_URI: "CHANGE_ME_MONGO_URI" })
    expect(await run.exited).toBe(1)
    const { stderr } = run.output()
    expect(stderr).toMatch(/^Bootstrap failed: /)
    expect(stderr).toContain('MONGO_URI must start with "mongodb://" or "mongodb+srv://"')
  })

  it("honours PORT=0, prints `listening on <url>` on stderr, serves, and exits 0 on SIGTERM", async () => {
    const run = launch({ PORT: "0", LOG_LEVEL: "warn" })
    const [, url] = await run.line(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/m)
    expect(run.output().stderr).toContain("SANDBOX gateway")
    expect(run.output().stderr).toContain("IN-MEMORY stores")
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    run.child.kill("SIGTERM")
    expect(await run.exited).toBe(0)
  })
})
