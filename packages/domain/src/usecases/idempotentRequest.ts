import { Effect, Exit, Schema } from "effect"
import type { StoreError } from "../errors.js"
import type { StoredAnswer } from "../model/IdempotencyKey.js"
import { Clock } from "../ports/Clock.js"
import { IdempotencyKeys } from "../ports/IdempotencyKeys.js"
import { IdGenerator } from "../ports/IdGenerator.js"

/** Stripe's: a key is remembered for 24 hours after its first use. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000

/** An in-flight key whose run has not answered within this long is taken to have crashed with its process. */
export const IDEMPOTENCY_LEASE_MS = 60_000

/** Completing or releasing a key is tried this often before the failure is only logged. */
const SETTLE_ATTEMPTS = 3

/** The key was used before for a different request (another body or path): nothing runs. */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  key: Schema.String,
}) {}

/** A request with this key is still running: retry shortly, and get its answer. */
export class IdempotencyKeyInUse extends Schema.TaggedError<IdempotencyKeyInUse>()("IdempotencyKeyInUse", {
  key: Schema.String,
}) {}

export interface IdempotentRequest {
  /** The operation and who may use the key (see IdempotencyRecord.scope). */
  readonly scope: string
  /** The client's `Idempotency-Key`; null runs the request as it is. */
  readonly key: string | null
  /** sha-256 of the request, computed by the caller over a canonical form. */
  readonly fingerprint: string
}

/** The request ran here (its own exit is passed through), or an earlier run's answer is replayed. */
export type IdempotentOutcome<A> =
  | { readonly _tag: "Ran"; readonly value: A }
  | { readonly _tag: "Replayed"; readonly answer: StoredAnswer }

export interface IdempotencyOptions {
  readonly leaseMs?: number
  readonly ttlMs?: number
}

/**
 * Runs `run` at most once per key, Stripe's way: the same key and request after a completed run
 * replays its answer; another request under the key fails IdempotencyKeyReused; while the first run is
 * in flight, IdempotencyKeyInUse. `answerOf` says what the run answered, or null for a transient
 * failure (a 5xx): the key is then released so a retry runs again, where a 4xx answer is kept and
 * replayed. A crashed run's key is taken over once the lease has passed.
 */
export const idempotentRequest = <A, E, R>(
  request: IdempotentRequest,
  run: Effect.Effect<A, E, R>,
  answerOf: (exit: Exit.Exit<A, E>) => StoredAnswer | null,
  options: IdempotencyOptions = {},
): Effect.Effect<
  IdempotentOutcome<A>,
  E | IdempotencyKeyReused | IdempotencyKeyInUse | StoreError,
  R | IdempotencyKeys | Clock | IdGenerator
> =>
  Effect.gen(function* () {
    const { scope, key, fingerprint } = request
    if (key === null) return { _tag: "Ran", value: yield* run } satisfies IdempotentOutcome<A>
    const keys = yield* IdempotencyKeys
    const owner = yield* (yield* IdGenerator).next("idem")
    const now = yield* (yield* Clock).now
    const claimed = yield* keys.claim({
      scope,
      key,
      fingerprint,
      owner,
      now,
      leaseMs: options.leaseMs ?? IDEMPOTENCY_LEASE_MS,
      ttlMs: options.ttlMs ?? IDEMPOTENCY_KEY_TTL_MS,
    })
    if (claimed._tag === "Held") {
      const { record } = claimed
      if (record.fingerprint !== fingerprint) return yield* new IdempotencyKeyReused({ key })
      if (record.state === "completed" && record.answer !== null) {
        return { _tag: "Replayed", answer: record.answer } satisfies IdempotentOutcome<A>
      }
      return yield* new IdempotencyKeyInUse({ key })
    }
    // The run's answer is what matters now: a bookkeeping write is retried, then logged. A completion
    // never written leaves the claim in flight until the lease runs out; a retry after that runs again.
    const settle = (exit: Exit.Exit<A, E>) => {
      const answer = Exit.isInterrupted(exit) ? null : answerOf(exit)
      const write =
        answer === null
          ? keys.release(scope, key, owner)
          : Effect.flatMap(keys.complete(scope, key, owner, answer), (kept) =>
              kept
                ? Effect.void
                : Effect.logWarning(`idempotency key ${key} was taken over before its answer`),
            )
      return write.pipe(
        Effect.retry({ times: SETTLE_ATTEMPTS - 1 }),
        Effect.catchAll((error) => Effect.logWarning(`idempotency key ${key} not settled: ${error.message}`)),
      )
    }
    return { _tag: "Ran", value: yield* Effect.onExit(run, settle) } satisfies IdempotentOutcome<A>
  })
