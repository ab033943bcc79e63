import { SandboxControl } from "@settle/adapters"
import { createCheckout, handlePaymentEvent, Ledger, OrderRepository, ProductCatalog } from "@settle/domain"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { aProduct } from "../../src/fixtures.js"
import { memoryStorage, world } from "../../src/index.js"

describe("smoke", () => {
  it("checkout, pay twice, one finalization", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const catalog = yield* ProductCatalog
        const product = aProduct({ stock: { available: 5, reserved: 0, committed: 0 } })
        yield* catalog.insert(product)
        const { order } = yield* createCheckout({
          items: [{ sku: product.sku, quantity: 2 }],
          currency: product.price.currency,
          email: "a@b.co",
        })
        const event = yield* (yield* SandboxControl).pay(order.payment.sessionId!)
        const first = yield* handlePaymentEvent(event)
        const second = yield* handlePaymentEvent(event)
        expect(first._tag).toBe("Processed")
        expect(second._tag).toBe("Duplicate")
        const stored = Option.getOrThrow(yield* (yield* OrderRepository).findById(order.id))
        expect(stored.status).toBe("confirmed")
        expect(stored.webhook.processedAt).not.toBeNull()
        const stock = Option.getOrThrow(yield* catalog.findById(product.id)).stock
        expect(stock).toEqual({ available: 3, reserved: 0, committed: 2 })
        expect(yield* (yield* Ledger).listByOrder(order.id)).toHaveLength(1)
      }).pipe(Effect.provide(world(memoryStorage))),
    ))
})
