/** One line of `pnpm ops doctor`: what was checked, how it went, and what to do about it. */
export interface CheckResult {
  /** The variable or peer checked: `MONGO_URI`, `mongo.ping`, … */
  readonly check: string
  readonly status: "ok" | "warn" | "fail" | "skip"
  /** Never a secret's value: messages name variables and describe values. */
  readonly message: string
  readonly fix?: string
}

export const ok = (check: string, message: string): CheckResult => ({ check, status: "ok", message })
export const skip = (check: string, message: string): CheckResult => ({ check, status: "skip", message })
export const warn = (check: string, message: string, fix?: string): CheckResult =>
  fix === undefined ? { check, status: "warn", message } : { check, status: "warn", message, fix }
export const fail = (check: string, message: string, fix?: string): CheckResult =>
  fix === undefined ? { check, status: "fail", message } : { check, status: "fail", message, fix }

/** `fail  STRIPE_SECRET_KEY  …` then an indented `fix:` line. */
export const checkLines = (results: ReadonlyArray<CheckResult>): ReadonlyArray<string> => {
  const width = Math.max(...results.map((result) => result.check.length))
  return results.flatMap((result) => [
    `${result.status.padEnd(4)}  ${result.check.padEnd(width)}  ${result.message}`,
    ...(result.fix === undefined ? [] : [`${" ".repeat(6 + width)}  fix: ${result.fix}`]),
  ])
}
