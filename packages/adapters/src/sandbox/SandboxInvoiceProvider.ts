import {
  type InvoiceMode,
  type InvoiceOutcome,
  InvoiceProvider,
  InvoiceProviderError,
  type Order,
  type OrderId,
} from "@settle/domain"
import { Context, Effect, Layer, Ref } from "effect"

export interface IssuedInvoice {
  readonly number: string
  readonly url: string
  readonly orderId: OrderId
  readonly idempotencyKey: string
}

/** Switches the provider the way an operator would during an outage, and simulates that outage. */
export interface InvoiceControl {
  /** The runbook's "switch to manual or none temporarily". */
  readonly setMode: (mode: InvoiceMode) => Effect.Effect<void>
  /** Fail the next `n` issue calls (a number), every call (true), or none (false). */
  readonly setFailing: (failing: number | boolean) => Effect.Effect<void>
  /** Invoices issued, in order; one per idempotency key. */
  readonly issued: Effect.Effect<ReadonlyArray<IssuedInvoice>>
  /** issue() calls that reached the provider in stripe mode, failed ones included. */
  readonly calls: Effect.Effect<number>
}

export const InvoiceControl = Context.GenericTag<InvoiceControl>("@settle/adapters/InvoiceControl")

type Failing = "all" | number

export const make = (
  initialMode: InvoiceMode = "stripe",
): Effect.Effect<Context.Context<InvoiceProvider | InvoiceControl>> =>
  Effect.gen(function* () {
    const mode = yield* Ref.make(initialMode)
    const failing = yield* Ref.make<Failing>(0)
    const issued = yield* Ref.make<ReadonlyArray<IssuedInvoice>>([])
    const calls = yield* Ref.make(0)

    const failNow = Ref.modify(failing, (f): [boolean, Failing] =>
      f === "all" ? [true, f] : f > 0 ? [true, f - 1] : [false, 0],
    )

    const issueOnce = (order: Order, idempotencyKey: string) =>
      Ref.modify(issued, (list): [IssuedInvoice, ReadonlyArray<IssuedInvoice>] => {
        const known = list.find((invoice) => invoice.idempotencyKey === idempotencyKey)
        if (known !== undefined) return [known, list]
        const number = `INV-${String(list.length + 1).padStart(6, "0")}`
        const invoice = {
          number,
          url: `https://invoices.sandbox.invalid/${number}`,
          orderId: order.id,
          idempotencyKey,
        }
        return [invoice, [...list, invoice]]
      })

    const issue = (
      order: Order,
      idempotencyKey: string,
    ): Effect.Effect<InvoiceOutcome, InvoiceProviderError> =>
      Effect.gen(function* () {
        // Manual and none never reach the provider: that is why operators switch to them in an outage.
        const current = yield* Ref.get(mode)
        if (current === "manual") return { _tag: "Manual" } as const
        if (current === "none") return { _tag: "None" } as const
        yield* Ref.update(calls, (n) => n + 1)
        if (yield* failNow) {
          return yield* new InvoiceProviderError({ message: "invoice provider unavailable (simulated)" })
        }
        const invoice = yield* issueOnce(order, idempotencyKey)
        return { _tag: "Issued", number: invoice.number, url: invoice.url } as const
      })

    return Context.make(InvoiceProvider, InvoiceProvider.of({ mode: Ref.get(mode), issue })).pipe(
      Context.add(
        InvoiceControl,
        InvoiceControl.of({
          setMode: (next) => Ref.set(mode, next),
          setFailing: (next) => Ref.set(failing, next === true ? "all" : next === false ? 0 : next),
          issued: Ref.get(issued),
          calls: Ref.get(calls),
        }),
      ),
    )
  })

export const layer = (initialMode: InvoiceMode = "stripe"): Layer.Layer<InvoiceProvider | InvoiceControl> =>
  Layer.effectContext(make(initialMode))
