import { readFileSync } from "node:fs"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { DEFAULTS, loadConfig } from "../../src/config/index.js"
import { DEFAULT_ORPHAN_WINDOW_MS } from "../../src/http/stripeDelivery.js"
import { problemsOf } from "./support.js"

const deploy = readFileSync(new URL("../../../../docs/deploy.md", import.meta.url), "utf8")
const row = deploy.split("\n").find((line) => line.startsWith("| `WEBHOOK_ORPHAN_WINDOW_SECONDS` |")) ?? ""

describe("WEBHOOK_ORPHAN_WINDOW_SECONDS", () => {
  it("defaults to the hour docs/deploy.md states, the webhook's own default", () => {
    const config = Either.getOrThrow(loadConfig({}))
    expect(config.webhookOrphanWindowMs).toBe(3_600_000)
    expect(DEFAULTS.webhookOrphanWindowSeconds * 1000).toBe(DEFAULT_ORPHAN_WINDOW_MS)
    expect(row.split("|")[2]?.trim()).toBe(String(DEFAULTS.webhookOrphanWindowSeconds))
    expect(row).toContain("0–259200")
  })

  it("takes whole seconds from 0 to three days and refuses anything else", () => {
    expect(
      Either.getOrThrow(loadConfig({ WEBHOOK_ORPHAN_WINDOW_SECONDS: "600" })).webhookOrphanWindowMs,
    ).toBe(600_000)
    expect(Either.getOrThrow(loadConfig({ WEBHOOK_ORPHAN_WINDOW_SECONDS: "0" })).webhookOrphanWindowMs).toBe(
      0,
    )
    for (const raw of ["-1", "259201", "1.5", "an hour"]) {
      expect(problemsOf({ WEBHOOK_ORPHAN_WINDOW_SECONDS: raw }).map((p) => p.variable)).toEqual([
        "WEBHOOK_ORPHAN_WINDOW_SECONDS",
      ])
    }
  })
})
