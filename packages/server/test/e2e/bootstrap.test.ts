import { describe, expect, it } from "vitest"
import { runToExit } from "./support/serverProcess.js"

// Each case is a whole process start (~3 s of module loading): run them side by side.
describe.concurrent("bootstrap refusals", () => {
  it("exits 1 with the runbook's message on a placeholder MONGO_URI", async () => {
    const run = await runToExit({ MONGO_URI: "CHANGE_ME_MONGO_URI" })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^Bootstrap failed: /)
    expect(run.stderr).toContain('MONGO_URI must start with "mongodb://" or "mongodb+srv://"')
    expect(`${run.stdout}${run.stderr}`).not.toContain("listening on")
  })

  it("names secrets pasted with a trailing newline, and never prints their values", async () => {
    const jwtSecret = "e2e-bootstrap-secret-value-never-printed-7f3a9c"
    const webhookSecret = "whsec_ZTJlLWJvb3RzdHJhcC13ZWJob29rLXNlY3JldA"
    const run = await runToExit({
      ADMIN_JWT_SECRET: `${jwtSecret}\n`,
      STRIPE_WEBHOOK_SECRET: `${webhookSecret}\n`,
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^Bootstrap failed: /)
    expect(run.stderr).toContain("ADMIN_JWT_SECRET has trailing whitespace or a line break")
    expect(run.stderr).toContain("STRIPE_WEBHOOK_SECRET has trailing whitespace or a line break")
    const printed = `${run.stdout}${run.stderr}`
    expect(printed).not.toContain(jwtSecret)
    expect(printed).not.toContain(webhookSecret)
  })
})
