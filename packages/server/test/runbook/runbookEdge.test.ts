import { SignJWT } from "jose"
import { describe, expect, it } from "vitest"
import { DEFAULT_GAUGE_SETTINGS } from "../../src/bootstrap/gauges.js"
import { DEFAULTS } from "../../src/config/index.js"
import { ADMIN_SECRET, call, errorOf, startTestServer } from "../support/server.js"
import { RUNBOOK } from "./support/runbookText.js"

/** One paragraph of the runbook, whitespace folded, for statements that wrap across lines. */
const folded = RUNBOOK.replace(/\s+/g, " ")

const sign = (iat: number, exp: number) =>
  new SignJWT({ role: "admin" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("ops@example.com")
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(ADMIN_SECRET))

describe("docs/runbook.md on the gauges' cadence and the admin token's lifetime", () => {
  it("states the gauge interval and scrape bound the server uses", () => {
    expect(DEFAULTS.metricsGaugeEverySeconds).toBe(5)
    expect(DEFAULT_GAUGE_SETTINGS.timeoutMs).toBe(2_000)
    expect(folded).toContain("recomputed at most every `METRICS_GAUGE_EVERY_SECONDS` (default 5 s)")
    expect(folded).toContain("a scrape waits at most 2 s for the counts")
  })

  it("documents order_health_gauges_stale, which /metrics exports", async () => {
    expect(folded).toContain(
      "`order_health_gauges_stale`: 1 while the three gauges above show earlier counts (or NaN) because the latest read failed or timed out",
    )
    const server = await startTestServer()
    const text = (await call(`${server.url}/metrics`)).body as string
    expect(text).toMatch(/^order_health_gauges_stale 0$/m)
  })

  it("states the token claims and the 12 h lifetime the server enforces", async () => {
    expect(DEFAULTS.adminTokenMaxLifetimeMinutes).toBe(12 * 60)
    expect(folded).toContain(
      'a JWT with `sub`, `exp`, `iat` and `"role": "admin"` (or `roles` containing `admin`) that lives at most `ADMIN_TOKEN_MAX_LIFETIME_MINUTES` (default 12 h, `exp − iat`; an `iat` in the future is refused)',
    )
    const server = await startTestServer()
    const now = Math.floor(Date.now() / 1000)
    const read = async (token: string) =>
      call(`${server.url}/api/v1/admin/jobs`, { headers: { Authorization: `Bearer ${token}` } })
    expect((await read(await sign(now - 60, now + 11 * 3600))).status).toBe(200)
    const tooLong = await read(await sign(now - 60, now + 13 * 3600))
    expect(tooLong.status).toBe(401)
    expect(errorOf(tooLong).details).toMatchObject({ reason: "invalid_claims" })
    const future = await read(await sign(now + 600, now + 3600))
    expect(future.status).toBe(401)
    expect(errorOf(future).details).toMatchObject({ reason: "not_yet_valid" })
  })
})
