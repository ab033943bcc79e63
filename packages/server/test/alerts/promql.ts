/**
 * Just enough PromQL reading to name the series an expression selects: the alert rules and the
 * dashboard must only read series the server exports or a recording rule produces. Not a parser:
 * it relies on metric names being the only identifiers not called as functions once strings, label
 * matchers, ranges, grouping clauses and offsets are cut out, which holds for PromQL.
 */

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "inf",
  "nan",
])

const STRINGS = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g
const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g
// An identifier not glued to a digit, dot or `$` (exponents such as 1e3, Grafana's $variables).
const IDENTIFIER = /(?<![\w.:$])[a-zA-Z_:][\w:]*/g

/** The metric names an expression reads, in order of first use. */
export const metricNames = (expr: string): ReadonlyArray<string> => {
  const bare = expr
    .replace(STRINGS, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(GROUPING, " ")
    .replace(/\boffset\s+-?\w+/g, " ")
  const names: Array<string> = []
  for (const match of bare.matchAll(IDENTIFIER)) {
    const name = match[0]
    const rest = bare.slice(match.index + name.length)
    if (KEYWORDS.has(name.toLowerCase()) || /^\s*\(/.test(rest) || names.includes(name)) continue
    names.push(name)
  }
  return names
}

export interface Selector {
  readonly metric: string
  /** The `label="value"` matchers; `!=`, `=~` and `!~` are not equalities and are left out. */
  readonly equals: ReadonlyArray<readonly [label: string, value: string]>
}

/** The selectors with label matchers (`name{label="value", ...}`) of an expression. */
export const selectors = (expr: string): ReadonlyArray<Selector> =>
  [...expr.matchAll(/([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}/g)].map(([, metric = "", matchers = ""]) => ({
    metric,
    equals: [...matchers.matchAll(/(\w+)\s*(=~|!=|!~|=)\s*"((?:[^"\\]|\\.)*)"/g)]
      .filter(([, , op]) => op === "=")
      .map(([, label = "", , value = ""]) => [label, value] as const),
  }))
