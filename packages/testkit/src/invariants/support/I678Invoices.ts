import { type InvoiceMode, InvoiceProvider, issueInvoices, type Order, type OrderId } from "@settle/domain"
import { Effect, Either } from "effect"
import * as fc from "fast-check"

/** Short delays, so a scenario crosses several backoffs and leases with a few clock steps. */
export const INVOICE_OPTIONS = { baseDelayMs: 1_000, maxDelayMs: 8_000, leaseMs: 5_000 } as const

/** Past every backoff and every lease: one such step makes everything due again. */
export const PAST_EVERYTHING = Math.max(INVOICE_OPTIONS.maxDelayMs, INVOICE_OPTIONS.leaseMs) + 1

export type InvoiceStep =
  | { readonly _tag: "Run"; readonly crashAt: number | null }
  /** Two job runs at once, as two server replicas would run them. */
  | { readonly _tag: "Race"; readonly crashAt: number | null }
  /** InvoiceControl.setFailing: the next n calls, an outage (true), or healthy again (false). */
  | { readonly _tag: "Failing"; readonly failing: number | boolean }
  | { readonly _tag: "Mode"; readonly mode: InvoiceMode }
  | { readonly _tag: "Advance"; readonly ms: number }

export interface InvoiceScenario {
  readonly orders: number
  readonly steps: ReadonlyArray<InvoiceStep>
}

const crashAt = fc.option(fc.integer({ min: 1, max: 16 }), { freq: 2 })

const step: fc.Arbitrary<InvoiceStep> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ _tag: fc.constant("Run" as const), crashAt }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("Race" as const), crashAt }) },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("Failing" as const),
      failing: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.boolean()),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant("Mode" as const),
      mode: fc.constantFrom<InvoiceMode>("stripe", "manual", "none"),
    }),
  },
  // Below, between and beyond the backoff steps (1, 2, 4, 8 s) and the 5 s lease.
  {
    weight: 3,
    arbitrary: fc.record({ _tag: fc.constant("Advance" as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
  },
)

export const invoiceScenario: fc.Arbitrary<InvoiceScenario> = fc.record({
  orders: fc.integer({ min: 2, max: 4 }),
  steps: fc.array(step, { minLength: 1, maxLength: 14 }),
})

/** One issue() call as the use-case saw it: what the provider answered, or that it failed. */
export interface IssueCall {
  readonly orderId: OrderId
  readonly idempotencyKey: string
  readonly outcome: "Issued" | "Manual" | "None" | "Failed"
}

/**
 * The job with its InvoiceProvider seen through a recorder: outermost, so injected crashes of the
 * call are recorded as the failures the use-case counts.
 */
export const recordedJob = (calls: Array<IssueCall>) =>
  Effect.flatMap(InvoiceProvider, (inner) =>
    Effect.provideService(
      issueInvoices(INVOICE_OPTIONS),
      InvoiceProvider,
      InvoiceProvider.of({
        mode: inner.mode,
        issue: (order, idempotencyKey) =>
          Effect.tap(Effect.either(inner.issue(order, idempotencyKey)), (result) =>
            Effect.sync(() =>
              calls.push({
                orderId: order.id,
                idempotencyKey,
                outcome: Either.isLeft(result) ? "Failed" : result.right._tag,
              }),
            ),
          ).pipe(Effect.flatten),
      }),
    ),
  )

/** The delay a failed attempt stored, measured from the step's (frozen) clock. */
export const storedDelay = (order: Order, now: Date): number | null =>
  order.invoice.nextAttemptAt === null ? null : order.invoice.nextAttemptAt.getTime() - now.getTime()

/** DESIGN §5's exponential backoff, written out here rather than borrowed from the code under test. */
export const expectedDelay = (attempts: number): number =>
  Math.min(INVOICE_OPTIONS.maxDelayMs, INVOICE_OPTIONS.baseDelayMs * 2 ** (attempts - 1))
