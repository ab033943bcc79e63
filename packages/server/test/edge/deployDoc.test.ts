import { readFileSync } from "node:fs"
import { MAX_QUOTED_CHARS } from "@settle/domain"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { DEFAULT_GAUGE_SETTINGS } from "../../src/bootstrap/gauges.js"
import { DEFAULT_HTTP_TIMEOUTS } from "../../src/bootstrap/start.js"
import { DEFAULTS, loadConfig } from "../../src/config/index.js"
import { MAX_JSON_DEPTH } from "../../src/http/body.js"
import { CONTENT_SECURITY_POLICY } from "../../src/http/securityHeaders.js"

const deploy = readFileSync(new URL("../../../../docs/deploy.md", import.meta.url), "utf8")

/** The default column of a variable's row in the configuration table. */
const documentedDefault = (variable: string) => {
  const row = deploy.split("\n").find((line) => line.startsWith(`| \`${variable}\` |`))
  if (row === undefined) throw new Error(`${variable} has no row in docs/deploy.md`)
  return row.split("|")[2]!.trim()
}

describe("docs/deploy.md on the edge settings", () => {
  it("documents each variable with the default the server uses", () => {
    const config = Either.getOrThrow(loadConfig({}))
    expect(documentedDefault("HTTP_HEADERS_TIMEOUT_SECONDS")).toBe(
      String(DEFAULT_HTTP_TIMEOUTS.headersMs / 1000),
    )
    expect(documentedDefault("HTTP_REQUEST_TIMEOUT_SECONDS")).toBe(
      String(DEFAULT_HTTP_TIMEOUTS.requestMs / 1000),
    )
    expect(documentedDefault("HTTP_KEEP_ALIVE_TIMEOUT_SECONDS")).toBe(
      String(DEFAULT_HTTP_TIMEOUTS.keepAliveMs / 1000),
    )
    expect(config.server.timeouts).toEqual(DEFAULT_HTTP_TIMEOUTS)
    expect(documentedDefault("ADMIN_TOKEN_MAX_LIFETIME_MINUTES")).toBe(
      `${DEFAULTS.adminTokenMaxLifetimeMinutes} (12 h)`,
    )
    expect(documentedDefault("METRICS_GAUGE_EVERY_SECONDS")).toBe(String(DEFAULTS.metricsGaugeEverySeconds))
    expect(config.server.gaugeEveryMs).toBe(DEFAULT_GAUGE_SETTINGS.everyMs)
    expect(deploy).toContain(`takes over ${DEFAULT_GAUGE_SETTINGS.timeoutMs / 1000} s leaves the last values`)
    expect(documentedDefault("CORS_ORIGINS")).toBe("unset: no cross-origin access")
    expect(config.server.cors).toEqual({ shopOrigins: [], adminOrigins: [] })
    expect(documentedDefault("METRICS_TOKEN")).toBe("unset: `/metrics` open")
    expect(config.server.metricsToken).toBeNull()
  })

  it("states the limits and headers the server enforces", () => {
    expect(deploy).toContain(`nested deeper than ${MAX_JSON_DEPTH} levels`)
    expect(deploy).toContain(`at most ${MAX_QUOTED_CHARS} characters of any input`)
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'")
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'")
  })

  it("refuses a headers timeout longer than the request timeout", () => {
    const result = loadConfig({ HTTP_HEADERS_TIMEOUT_SECONDS: "60" })
    expect(Either.isLeft(result) && result.left.problems.map((p) => p.variable)).toEqual([
      "HTTP_HEADERS_TIMEOUT_SECONDS",
    ])
    expect(
      Either.isRight(loadConfig({ HTTP_HEADERS_TIMEOUT_SECONDS: "60", HTTP_REQUEST_TIMEOUT_SECONDS: "60" })),
    ).toBe(true)
  })

  it("refuses a guessable METRICS_TOKEN and keeps a good one secret", () => {
    const short = loadConfig({ METRICS_TOKEN: "secret" })
    expect(Either.isLeft(short) && short.left.problems.map((p) => p.variable)).toEqual(["METRICS_TOKEN"])
    const token = "0123456789abcdef0123456789abcdef"
    const config = Either.getOrThrow(loadConfig({ METRICS_TOKEN: token }))
    expect(String(config.server.metricsToken)).not.toContain(token)
  })
})
