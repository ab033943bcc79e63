import { Either, ParseResult, Schema } from "effect"
import { type OptionSpec, type Options, UsageError } from "./Command.js"

const UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

export interface Duration {
  /** As given (`10m`), for messages and `--json`. */
  readonly text: string
  readonly ms: number
}

export const text = (options: Options, name: string): string | undefined => {
  const value = options[name]
  return typeof value === "string" ? value : undefined
}

export const flag = (options: Options, name: string): boolean => options[name] === true

export const required = (options: Options, name: string, why: string): string => {
  const value = text(options, name)?.trim()
  if (value === undefined || value === "") throw new UsageError(`--${name} is required: ${why}`)
  return value
}

/** An id typed by hand, checked by the domain's own schema before any store round trip. */
export const id = <A>(options: Options, name: string, schema: Schema.Schema<A, string>): A | undefined => {
  const given = text(options, name)?.trim()
  if (given === undefined) return undefined
  return Either.getOrElse(Schema.decodeUnknownEither(schema)(given), (error) => {
    const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
    throw new UsageError(`--${name}: ${issue?.message ?? "not a valid id"}`)
  })
}

/** `90s`, `10m`, `2h`, `1d`, `500ms` or `0`: how far back the runbook's "older than" horizon is. */
export const duration = (options: Options, name: string, fallback: string): Duration => {
  const given = text(options, name) ?? fallback
  if (given === "0") return { text: given, ms: 0 }
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(given)
  const amount = match?.[1]
  const unit = match?.[2] as keyof typeof UNITS | undefined
  if (amount === undefined || unit === undefined) {
    throw new UsageError(`--${name} must be a duration like 90s, 10m, 2h or 1d (got "${given}")`)
  }
  return { text: given, ms: Number(amount) * UNITS[unit] }
}

export const MAX_LIMIT = 1000

/** How many rows a query shows; it says so when there are more. */
export const limit = (options: Options, fallback = 50): number => {
  const given = text(options, "limit")
  if (given === undefined) return fallback
  const value = Number(given)
  if (!/^\d+$/.test(given) || value < 1 || value > MAX_LIMIT) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT} (got "${given}")`)
  }
  return value
}

/**
 * Who the audit records name: `ops-cli:<--actor or $USER>`. The prefix tells an auditor the change came
 * from a shell, not from the admin API with a verified token.
 */
export const actor = (options: Options, env: Readonly<Record<string, string | undefined>>): string => {
  const name = text(options, "actor")?.trim() || env.USER?.trim() || env.LOGNAME?.trim()
  if (name === undefined || name === "") {
    throw new UsageError("--actor is required here: $USER is not set, and every change is audited by name")
  }
  return `ops-cli:${name}`
}

export const reason = (options: Options): string =>
  required(options, "reason", 'say why, e.g. --reason "INC-1234: paid order stuck after a deploy"')

export const LIMIT_OPTION: Readonly<Record<string, OptionSpec>> = {
  limit: { type: "string", placeholder: "n", description: `rows to show, 1 to ${MAX_LIMIT} (default 50)` },
}

/** Every command that writes takes these. */
export const MUTATION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "dry-run": {
    type: "boolean",
    description:
      "rehearse on an in-memory copy of the records involved and print what would change; writes nothing",
  },
  actor: {
    type: "string",
    placeholder: "name",
    description: "who to record in the audit log as ops-cli:<name> (default: $USER)",
  },
}

export const REASON_OPTION: Readonly<Record<string, OptionSpec>> = {
  reason: {
    type: "string",
    placeholder: "text",
    description: "why: recorded in the audit record (required)",
  },
}
