import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { COMMANDS } from "../../src/ops/commands.js"
import { RULE_FILES, readRules } from "../alerts/alertFiles.js"
import { opsHere } from "../ops/support/cli.js"
import { adminToken, call, errorOf, startTestServer } from "../support/server.js"
import { RUNBOOK_QUERIES } from "./support/mongoShell.js"
import {
  anchorOf,
  curlCalls,
  exampleIds,
  inlineCode,
  opsInvocations,
  REPO_ROOT,
  RUNBOOK,
  routeMentions,
  section,
} from "./support/runbookText.js"

/** The service runbook's headings: the alerts' runbook_url anchors and every reader rely on them. */
const SPEC_HEADINGS = [
  "Monitoring & Dashboards",
  "HTTP latency",
  "Stripe & checkout",
  "Billing & finance",
  "Order health",
  "Alerting Thresholds",
  "Reconciliation & Recovery Queries",
  "Failure Scenarios & Recovery Procedures",
  "1) Stuck orders (status = paid but not confirmed)",
  "2) Invoice failures (invoice.status = failed)",
  "3) Coupon reservation leaks",
  "4) Stripe webhook retries / partial processing",
  "5) Manual reconciliation scenarios",
  "6) Admin media upload: 401 Unauthorized",
  '7) Admin media upload: Cloudinary "Invalid Signature"',
  "8) Bootstrap failed: Invalid scheme (MONGO_URI)",
  "Operational Principles",
]

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [readFileSync(join(dir, entry.name), "utf8")]
        : [],
  )

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * Every log message of the packages' sources: string and template literals starting with a `[part]`
 * prefix, as regexes in which `${…}` matches one word.
 */
const sourceMessages = (): ReadonlyArray<RegExp> =>
  ["domain", "adapters", "server"].flatMap((name) =>
    sourceFiles(join(REPO_ROOT, "packages", name, "src")).flatMap((text) =>
      [...text.matchAll(/`(\[(?:[^`\\]|\\.)*)`|"(\[(?:[^"\\\n]|\\.)*)"/g)].map((m) => {
        const literal = m[1] ?? m[2] ?? ""
        // An interpolation stands for one word: the runbook writes one placeholder for each.
        const parts = literal.split(/\$\{(?:[^{}]|\{[^{}]*\})*\}/).map(escapeRegex)
        return new RegExp(`^${parts.join("\\S*")}$`)
      }),
    ),
  )

/** Log lines the scenario tests saw the server write, for messages whose prefix is interpolated too. */
const observedLines = (): ReadonlyArray<string> =>
  readdirSync(import.meta.dirname)
    .filter((file) => /^scenario\d\.test\.ts$/.test(file))
    .flatMap((file) => [...readFileSync(join(import.meta.dirname, file), "utf8").matchAll(/"(\[[^"\n]+)"/g)])
    .map((m) => m[1] ?? "")

describe("docs/runbook.md names only what Settle has", () => {
  it("keeps every heading of the service runbook", () => {
    const anchors = new Set(
      RUNBOOK.split("\n").flatMap((line) => {
        const heading = /^#{1,6}\s+(.*)$/.exec(line)?.[1]
        return heading === undefined ? [] : [anchorOf(heading)]
      }),
    )
    expect(SPEC_HEADINGS.filter((heading) => !anchors.has(anchorOf(heading)))).toEqual([])
  })

  it("prints exactly the MongoDB queries the scenario tests run", () => {
    const printed = [...inlineCode()].filter((code) => code.startsWith("db."))
    const known: ReadonlyArray<string> = Object.values(RUNBOOK_QUERIES)
    expect(printed.filter((query) => !known.includes(query))).toEqual([])
    expect(known.filter((query) => !printed.includes(query))).toEqual([])
    const tests = readdirSync(import.meta.dirname)
      .filter((file) => /^scenario\d\.test\.ts$/.test(file))
      .map((file) => readFileSync(join(import.meta.dirname, file), "utf8"))
      .join("\n")
    expect(Object.keys(RUNBOOK_QUERIES).filter((name) => !tests.includes(`"${name}"`))).toEqual([])
  })

  it("writes every `pnpm ops` line so that it runs: known command, known flags, required options given", async () => {
    const invocations = opsInvocations()
    expect(invocations.length).toBeGreaterThan(20)
    // No MONGO_URI: a complete line gets as far as the store (exit 1) or runs offline (doctor); one
    // with an unknown flag or a required option missing exits 2. A command named in prose must exist.
    const runs = await Promise.all(
      invocations.map(async ({ args, complete }) => ({
        line: args.join(" "),
        run: await opsHere(complete ? args.map(exampleIds) : [...args, "--help"], {}),
        complete,
      })),
    )
    expect(
      runs
        .filter(({ run, complete }) => run.code === 2 || (!complete && run.code !== 0))
        .map(({ line, run }) => [line, run.stderr]),
    ).toEqual([])
    const documented = new Set(invocations.map(({ args }) => args[0]))
    expect([...COMMANDS.keys()].filter((name) => !documented.has(name))).toEqual([])
  })

  it("calls only routes the server serves, with the token, bodies and query parameters they accept", async () => {
    const server = await startTestServer()
    const token = await adminToken()
    const calls = curlCalls()
    expect(calls.length).toBeGreaterThan(15)
    const answered = async (method: string, target: string, body: string | null) => {
      const answer = await call(`${server.url}${exampleIds(target)}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === null ? {} : { "Content-Type": "application/json" }),
        },
        ...(body === null ? {} : { body: exampleIds(body) }),
      })
      return answer.status >= 400 ? errorOf(answer).code : "ok"
    }
    const unserved = ["NOT_FOUND", "METHOD_NOT_ALLOWED", "UNAUTHORIZED", "FORBIDDEN"]
    const wrong: Array<string> = []
    for (const curl of calls) {
      if (curl.target.startsWith("/api/v1/admin/") && curl.headers.Authorization !== "Bearer $ADMIN_TOKEN") {
        wrong.push(`no admin token: ${curl.line}`)
      }
      if (curl.body !== null && curl.headers["Content-Type"] !== "application/json") {
        wrong.push(`no JSON content type: ${curl.line}`)
      }
      const code = await answered(curl.method, curl.target, curl.body)
      // The form upload is sent without its file: only its route and the token are checked.
      if (unserved.includes(code) || (!curl.form && code === "INVALID_INPUT"))
        wrong.push(`${code}: ${curl.line}`)
    }
    for (const { method, target } of routeMentions()) {
      const code = await answered(method, target, null)
      if (code === "NOT_FOUND" || code === "METHOD_NOT_ALLOWED") wrong.push(`${code}: ${method} ${target}`)
    }
    expect(wrong).toEqual([])
  })

  it("names only metrics, labels and label values the server exports or the recording rules define", async () => {
    const server = await startTestServer()
    // The series the runbook reads on these routes exist once a request was answered there.
    await call(`${server.url}/api/v1/webhooks/stripe`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    })
    await call(`${server.url}/api/v1/admin/media/upload`, { method: "POST" })
    const exposition = (await call(`${server.url}/metrics`)).body as string
    const samples = exposition.split("\n").filter((line) => line !== "" && !line.startsWith("#"))
    const recorded = RULE_FILES.flatMap(readRules)
      .filter((rule) => rule.kind === "record")
      .map((rule) => rule.name)
    const exported = new Set([
      ...samples.map((line) => /^[a-z_:]+/.exec(line)?.[0] ?? ""),
      ...[...exposition.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? ""),
    ])
    const names = [
      ...RUNBOOK.matchAll(
        /\b[a-z][a-z0-9_]*_(?:total|seconds|seconds_bucket|seconds_count|orders|reservations|p95|p99)\b/g,
      ),
    ].map((m) => m[0])
    expect(names.length).toBeGreaterThan(30)
    expect([...new Set(names)].filter((name) => !exported.has(name) && !recorded.includes(name))).toEqual([])
    const selectors = [...RUNBOOK.matchAll(/\b([a-z][a-z0-9_]*)\{([^}]+)\}/g)].filter(
      ([, name]) => !recorded.includes(name ?? ""),
    )
    const missing = selectors.filter(([, name, matchers]) => {
      const pairs = [...(matchers ?? "").matchAll(/(\w+)="([^"]*)"/g)].map(
        ([, label, value]) => `${label}="${value}"`,
      )
      const labelled = /^\w+(,\w+)*$/.test(matchers ?? "")
      const series = ["", "_bucket", "_count", "_sum"].map((suffix) => `${name}${suffix}{`)
      return !samples.some(
        (line) =>
          series.some((prefix) => line.startsWith(prefix)) &&
          (labelled
            ? (matchers ?? "").split(",").every((label) => line.includes(`${label}="`))
            : pairs.every((pair) => line.includes(pair))),
      )
    })
    expect(missing.map(([selector]) => selector)).toEqual([])
  })

  it("names every alert of docs/alerts, each in the section its runbook_url opens, and no other", () => {
    const alerts = RULE_FILES.flatMap(readRules).filter((rule) => rule.kind === "alert")
    const table = [...section("alerting-thresholds").matchAll(/^\|[^|]*\| `(\w+)` \|/gm)].map((m) => m[1])
    expect([...table].sort()).toEqual(alerts.map((alert) => alert.name).sort())
    for (const alert of alerts) {
      const anchor = (alert.runbookUrl ?? "").split("#")[1] ?? ""
      expect(section(anchor), `${alert.name} → #${anchor}`).toContain(`\`${alert.name}\``)
    }
    const mentioned = [...RUNBOOK.matchAll(/\balerts? `(\w+)`/g)].map((m) => m[1])
    expect(mentioned.filter((name) => !alerts.some((alert) => alert.name === name))).toEqual([])
  })

  it("quotes log lines the code writes", () => {
    const messages = sourceMessages()
    const observed = observedLines()
    // A placeholder (`<name>`, `…`) stands for whatever the code interpolates there.
    const quoted = inlineCode().filter((code) => /^\[[a-z.<>_-]+\] \S/.test(code))
    expect(quoted.length).toBeGreaterThan(10)
    const concrete = (line: string) => line.replace(/<[^<>]+>|…/g, "\u0000")
    const pattern = (line: string) =>
      new RegExp(
        `^${line
          .split(/<[^<>]+>|…/)
          .map(escapeRegex)
          .join(".+")}$`,
      )
    const unknown = quoted.filter(
      (line) =>
        !messages.some((message) => message.test(concrete(line))) &&
        !observed.some((seen) => pattern(line).test(seen)),
    )
    expect(unknown).toEqual([])
  })
})
