import { type InvoiceMode, InvoiceProvider, OrderId } from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { anOrder, minute } from "../fixtures.js"
import { runInLayer } from "./runInLayer.js"

export interface InvoiceProviderSuiteOptions<R> {
  /** Switch the mode as an operator would; enables the mode cases. Without it, the provider must start in stripe mode. */
  readonly setMode?: (mode: InvoiceMode) => Effect.Effect<void, never, InvoiceProvider | R>
}

/** The InvoiceProvider contract: one invoice per idempotency key, whatever the retries and mode switches. */
export const suite = <R, E>(
  name: string,
  layer: Layer.Layer<InvoiceProvider | R, E>,
  options: InvoiceProviderSuiteOptions<R> = {},
): void => {
  const run = runInLayer(layer)
  const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  let orders = 0
  const aConfirmedOrder = () => {
    const id = OrderId.make(`ord_${nonce}_${++orders}`)
    return { order: anOrder({ id, status: "confirmed", updatedAt: minute(1) }), key: `invoice:${id}` }
  }
  const setMode = (mode: InvoiceMode) => (options.setMode === undefined ? Effect.void : options.setMode(mode))
  const withModes = options.setMode === undefined ? it.skip : it

  describe(name, () => {
    it("reports its mode as stripe, manual or none", () =>
      run(
        Effect.gen(function* () {
          expect(["stripe", "manual", "none"]).toContain(yield* (yield* InvoiceProvider).mode)
        }),
      ))

    it("issues an invoice with a number in stripe mode", () =>
      run(
        Effect.gen(function* () {
          yield* setMode("stripe")
          const provider = yield* InvoiceProvider
          const { order, key } = aConfirmedOrder()
          const outcome = yield* provider.issue(order, key)
          expect(outcome._tag).toBe("Issued")
          if (outcome._tag === "Issued") expect(outcome.number.length).toBeGreaterThan(0)
        }),
      ))

    it("issues once per idempotency key: a retry returns the same invoice", () =>
      run(
        Effect.gen(function* () {
          yield* setMode("stripe")
          const provider = yield* InvoiceProvider
          const { order, key } = aConfirmedOrder()
          const first = yield* provider.issue(order, key)
          const again = yield* provider.issue(order, key)
          expect(again).toEqual(first)
        }),
      ))

    it("issues distinct invoices for distinct orders", () =>
      run(
        Effect.gen(function* () {
          yield* setMode("stripe")
          const provider = yield* InvoiceProvider
          const a = aConfirmedOrder()
          const b = aConfirmedOrder()
          const first = yield* provider.issue(a.order, a.key)
          const second = yield* provider.issue(b.order, b.key)
          expect(first._tag === "Issued" && second._tag === "Issued" && first.number !== second.number).toBe(
            true,
          )
        }),
      ))

    withModes("switches mode at runtime: manual and none issue nothing", () =>
      run(
        Effect.gen(function* () {
          const provider = yield* InvoiceProvider
          const { order, key } = aConfirmedOrder()
          yield* setMode("manual")
          expect(yield* provider.mode).toBe("manual")
          expect(yield* provider.issue(order, key)).toEqual({ _tag: "Manual" })
          yield* setMode("none")
          expect(yield* provider.mode).toBe("none")
          expect(yield* provider.issue(order, key)).toEqual({ _tag: "None" })
          yield* setMode("stripe")
          expect(yield* provider.mode).toBe("stripe")
          expect((yield* provider.issue(order, key))._tag).toBe("Issued")
        }),
      ),
    )

    withModes("keeps one invoice per key across a switch to manual and back", () =>
      run(
        Effect.gen(function* () {
          const provider = yield* InvoiceProvider
          const { order, key } = aConfirmedOrder()
          yield* setMode("stripe")
          const first = yield* provider.issue(order, key)
          expect(first._tag).toBe("Issued")
          yield* setMode("manual")
          yield* provider.issue(order, key)
          yield* setMode("stripe")
          expect(yield* provider.issue(order, key)).toEqual(first)
        }),
      ),
    )
  })
}
