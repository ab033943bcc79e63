import { spawn } from "node:child_process"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { COMMANDS } from "../../src/ops/commands.js"
import { json, ops, opsHere } from "./support/cli.js"

const NAMES = [
  "stuck-paid",
  "failed-invoices",
  "stuck-reservations",
  "unfinalized-events",
  "replay",
  "invoice-retry",
  "expire-reservations",
  "repair-reservations",
  "review-accept",
  "review-refund",
  "note",
  "doctor",
]

describe("pnpm ops --help", () => {
  it("lists every command with its summary, and the exit codes", async () => {
    const run = await ops(["--help"])
    expect(run.code).toBe(0)
    expect([...COMMANDS.keys()]).toEqual(NAMES)
    for (const command of COMMANDS.values()) expect(run.stdout).toContain(`  ${command.name}`)
    expect(run.stdout).toContain("Exit codes: 0 ok; 1 the command failed or refused")
  })

  it("runs as the root package.json's `pnpm ops` script", async () => {
    const root = join(import.meta.dirname, "../../../..")
    const run = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn("pnpm", ["ops", "--help"], { cwd: root, stdio: ["ignore", "pipe", "ignore"] })
      let stdout = ""
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8")
      })
      child.once("error", reject)
      child.once("close", (code) => resolve({ code, stdout }))
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Usage: pnpm ops <command> \[options\]/)
  })

  it("gives each command's help: usage, the runbook lines it carries out, options and examples", async () => {
    for (const name of NAMES) {
      const viaFlag = await opsHere([name, "--help"])
      expect(viaFlag.code).toBe(0)
      expect(viaFlag.stdout).toMatch(new RegExp(`^Usage: pnpm ops ${name}`))
      expect(viaFlag.stdout).toContain("\nRunbook:\n  ")
      expect(viaFlag.stdout).toContain("--json")
      expect(viaFlag.stdout).toContain(`\nExamples:\n  pnpm ops ${name}`)
      expect((await opsHere(["help", name])).stdout).toEqual(viaFlag.stdout)
    }
    expect((await opsHere(["stuck-paid", "-h"])).stdout).toContain('"webhook.processedAt": null')
  })

  it("answers a wrong command line with exit 2 and the way out, on stderr or as JSON", async () => {
    const none = await opsHere([])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("Usage: pnpm ops <command>")
    const unknown = await opsHere(["stuck-payments"])
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "stuck-payments"'),
    })
    const option = await opsHere(["stuck-paid", "--olderthan", "5m", "--json"])
    expect(option.code).toBe(2)
    expect(json(option)).toMatchObject({
      ok: false,
      command: "stuck-paid",
      error: { code: "USAGE", message: expect.stringContaining("--olderthan") },
    })
    const positional = await opsHere(["note", "ord_1"])
    expect(positional.code).toBe(2)
    expect(positional.stderr).toContain("Usage: pnpm ops note --order <orderId>")
  })
})
