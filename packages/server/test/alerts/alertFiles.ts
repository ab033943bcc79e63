import { execFileSync, spawnSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const repoRoot = join(import.meta.dirname, "../../../..")

export const ALERTS_DIR = join(repoRoot, "docs/alerts")
export const RULE_FILES = ["recording-rules.yml", "alerting-rules.yml"].map((file) => join(ALERTS_DIR, file))
export const UNIT_TEST_FILES = readdirSync(join(ALERTS_DIR, "tests"))
  .filter((file) => file.endsWith(".test.yml"))
  .map((file) => join(ALERTS_DIR, "tests", file))
export const DASHBOARD_FILE = join(ALERTS_DIR, "grafana-dashboard.json")

/** promtool's path; scripts/peers/promtool.sh installs Debian's prometheus package when it is missing. */
export const findPromtool = (): string =>
  execFileSync("bash", [join(repoRoot, "scripts/peers/promtool.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim()

/** Runs promtool; `output` is everything it printed, for the failure message. */
export const runPromtool = (promtool: string, args: ReadonlyArray<string>) => {
  const result = spawnSync(promtool, args, { cwd: ALERTS_DIR, encoding: "utf8" })
  return { code: result.status, output: `${result.stdout}${result.stderr}${result.error ?? ""}` }
}

export interface Rule {
  readonly kind: "alert" | "record"
  readonly name: string
  readonly expr: string
  /** The `runbook_url` annotation of an alert. */
  readonly runbookUrl: string | null
}

/**
 * The rules of one of docs/alerts' rule files, read in the layout they are written in (`- alert:` or
 * `- record:`, then `expr:` on one line or as an indented block). No YAML parser is installed; a rule
 * this reader cannot place fails the read instead of being skipped.
 */
export const readRules = (file: string): ReadonlyArray<Rule> => {
  const lines = readFileSync(file, "utf8").split("\n")
  const rules: Array<Rule> = []
  lines.forEach((line, at) => {
    const start = /^\s*- (alert|record): (\S+)\s*$/.exec(line)
    if (start === null) return
    const [, kind, name = ""] = start
    const exprAt = lines.findIndex((l, i) => i > at && /^\s*expr:/.test(l))
    const nextRule = lines.findIndex((l, i) => i > at && /^\s*- (alert|record):/.test(l))
    const exprLine = lines[exprAt]
    if (exprLine === undefined || (nextRule !== -1 && nextRule < exprAt)) {
      throw new Error(`${file}: rule ${name} has no expr`)
    }
    const indent = exprLine.search(/\S/)
    const inline = exprLine.replace(/^\s*expr:\s*/, "")
    const block = lines.slice(exprAt + 1).findIndex((l) => l.trim() !== "" && l.search(/\S/) <= indent)
    const expr = /^[|>]-?$/.test(inline)
      ? lines.slice(exprAt + 1, block === -1 ? undefined : exprAt + 1 + block).join("\n")
      : inline
    const runbookUrl = lines
      .slice(at, nextRule === -1 ? undefined : nextRule)
      .map((l) => /^\s*runbook_url: (\S+)\s*$/.exec(l)?.[1])
      .find((url) => url !== undefined)
    rules.push({
      kind: kind === "alert" ? "alert" : "record",
      name,
      expr: expr.trim(),
      runbookUrl: runbookUrl ?? null,
    })
  })
  return rules
}

export interface UnitTestCase {
  readonly alertname: string
  readonly fires: boolean
}

/** The alert_rule_test cases of a promtool unit test file: `exp_alerts: []` expects silence. */
export const readAlertCases = (file: string): ReadonlyArray<UnitTestCase> =>
  [...readFileSync(file, "utf8").matchAll(/alertname: (\S+)\n\s+exp_alerts:( \[\])?\s*\n/g)].map(
    ([, alertname = "", silent]) => ({ alertname, fires: silent === undefined }),
  )

/** The expressions of the promql_expr_test cases of a promtool unit test file. */
export const readExprCases = (file: string): ReadonlyArray<string> =>
  [...readFileSync(file, "utf8").matchAll(/- expr: (.+)\n/g)].map(([, expr = ""]) => expr)
