import { Cause } from "effect"

// Driver errors may quote a connection string; its user:password must not reach the deploy log.
export const redactCredentials = (text: string): string =>
  text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@")

// The Mongo driver's own wording for runbook scenario 8, should a URI get past the config check.
const SCHEME_HINT =
  'check MONGO_URI: it must start with "mongodb://" or "mongodb+srv://" (runbook scenario 8)'

const reasonOf = (error: unknown): string => {
  if (Cause.isCause(error)) return reasonOf(Cause.squash(error))
  if (typeof error === "object" && error !== null) {
    if ("message" in error && typeof error.message === "string" && error.message !== "") return error.message
    if ("_tag" in error && typeof error._tag === "string") return error._tag
  }
  return String(error)
}

/**
 * The text a failed start prints before exiting 1, as runbook scenario 8 shows it:
 * `Bootstrap failed: <reason>`; a ConfigError's reason lists every problem on its own line.
 */
export const bootstrapFailure = (error: unknown): string => {
  const reason = redactCredentials(reasonOf(error))
  return `Bootstrap failed: ${/Invalid scheme, expected connection string/.test(reason) ? `${reason}; ${SCHEME_HINT}` : reason}`
}
