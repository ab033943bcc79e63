import { DuplicateKey, StoreError } from "@settle/domain"
import { Effect } from "effect"
import { MongoError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from "mongodb"

/**
 * Server error codes that pass on a retry: the server shutting down, stepping down, not primary,
 * interrupted, out of time, or a host it could not reach.
 */
const TRANSIENT_CODES = new Set([
  6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 112, 117, 251,
])

/**
 * Whether the store turned the call down for good: the server answered with an error no retry cures
 * (a document over the size limit, a validation or type error), or the driver refused the command
 * before sending it (a BSON value it cannot serialize). Network errors, timeouts, server selection and
 * any error the driver labels retryable are `unavailable`.
 */
export const isRefusal = (cause: unknown): boolean => {
  if (cause instanceof MongoNetworkError || cause instanceof MongoServerSelectionError) return false
  if (cause instanceof MongoError) {
    if (cause.hasErrorLabel("RetryableWriteError") || cause.hasErrorLabel("TransientTransactionError")) {
      return false
    }
    if (cause instanceof MongoServerError) return !TRANSIENT_CODES.has(Number(cause.code))
    return false
  }
  // The BSON serializer throws before anything is sent: a document too large or a value it cannot encode.
  return cause instanceof Error && (cause.name === "BSONError" || cause.name === "BSONVersionError")
}

const isDuplicateKey = (cause: unknown): cause is MongoServerError =>
  cause instanceof MongoServerError && cause.code === 11000

const failed = (collection: string, what: string, cause: unknown) =>
  new StoreError({
    message: `[db] ${collection}.${what} failed: ${String(cause)}`,
    kind: isRefusal(cause) ? "refused" : "unavailable",
    cause,
  })

/** Run one driver call; a unique-index violation (11000) becomes the domain's DuplicateKey. */
export const mongoCall = <A>(
  collection: string,
  what: string,
  call: () => Promise<A>,
): Effect.Effect<A, DuplicateKey | StoreError> =>
  Effect.tryPromise({
    try: call,
    catch: (cause) =>
      isDuplicateKey(cause)
        ? new DuplicateKey({ entity: collection, key: JSON.stringify(cause.keyValue ?? {}) })
        : failed(collection, what, cause),
  })

/**
 * The same, for calls that cannot hit a unique index: only StoreError can come out. Mapped in the one
 * `catch` rather than by a handler around mongoCall: every store call of a request passes here.
 */
export const mongoRead = <A>(
  collection: string,
  what: string,
  call: () => Promise<A>,
): Effect.Effect<A, StoreError> =>
  Effect.tryPromise({
    try: call,
    catch: (cause) =>
      isDuplicateKey(cause)
        ? new StoreError({
            message: `[db] ${collection}.${what}: unexpected ${JSON.stringify(cause.keyValue ?? {})}`,
            kind: "refused",
          })
        : failed(collection, what, cause),
  })
