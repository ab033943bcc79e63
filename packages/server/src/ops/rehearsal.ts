import { memoryStorage, PromMetrics, RandomIds, SystemClock } from "@settle/adapters"
import { InvoiceProvider, InvoiceProviderError, PaymentGateway } from "@settle/domain"
import { Effect, type Exit, Layer, Logger, LogLevel } from "effect"
import { type Change, diff } from "./changes.js"
import type { OpsServices } from "./opsLayer.js"
import { loadSnapshot, type Scope, takeSnapshot } from "./snapshot.js"

export interface Outcome<A, E> {
  readonly exit: Exit.Exit<A, E>
  /** What changed among the scope's records: in the store, or in the dry run's copy. */
  readonly changes: ReadonlyArray<Change>
}

/** Runs `program` on the store, comparing the scope's records before and after. */
export const applied = <A, E>(
  of: Scope,
  program: Effect.Effect<A, E, OpsServices>,
): Effect.Effect<Outcome<A, E>, unknown, OpsServices> =>
  Effect.gen(function* () {
    const before = yield* takeSnapshot(of)
    const exit = yield* Effect.exit(program)
    const after = yield* takeSnapshot(of)
    return { exit, changes: diff(before, after) }
  })

/**
 * The dry run: the same use-case, on an in-memory copy of the scope's records, so what it reports is
 * what the domain's own logic would do to them, not a guess. Stripe is still asked read-only questions
 * (a session's state); nothing is written anywhere, no refund is made and no invoice is issued.
 */
export const rehearsed = <A, E>(
  of: Scope,
  program: Effect.Effect<A, E, OpsServices>,
): Effect.Effect<Outcome<A, E>, unknown, OpsServices> =>
  Effect.gen(function* () {
    const before = yield* takeSnapshot(of)
    const gateway = yield* PaymentGateway
    const invoices = yield* InvoiceProvider
    const copy = Layer.mergeAll(
      memoryStorage,
      SystemClock.layer,
      RandomIds.layer,
      PromMetrics.layer,
      // A dry run moves no money: the refund it would make is answered here, never sent to Stripe.
      Layer.succeed(
        PaymentGateway,
        PaymentGateway.of({
          ...gateway,
          refund: () => Effect.succeed({ refundId: "re_dry_run", status: "dry_run" }),
        }),
      ),
      Layer.succeed(
        InvoiceProvider,
        InvoiceProvider.of({
          mode: invoices.mode,
          issue: () => Effect.fail(new InvoiceProviderError({ message: "a dry run issues no invoices" })),
        }),
      ),
    )
    const onCopy = Effect.gen(function* () {
      yield* loadSnapshot(before)
      const exit = yield* Effect.exit(program)
      const after = yield* takeSnapshot(of)
      return { exit, changes: diff(before, after) }
    })
    // Silenced: the use-cases' own logs ("counters drifted; rewritten") would read as if it had happened.
    return yield* onCopy.pipe(Effect.provide(copy), Logger.withMinimumLogLevel(LogLevel.None))
  })

export const recover = <A, E>(
  dryRun: boolean,
  of: Scope,
  program: Effect.Effect<A, E, OpsServices>,
): Effect.Effect<Outcome<A, E>, unknown, OpsServices> =>
  dryRun ? rehearsed(of, program) : applied(of, program)
