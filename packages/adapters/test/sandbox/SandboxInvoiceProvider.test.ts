import { InvoiceProvider, OrderId } from "@settle/domain"
import { anOrder } from "@settle/testkit/fixtures"
import { InvoiceProviderSuite } from "@settle/testkit/suites"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { InvoiceControl, SandboxInvoiceProvider } from "../../src/sandbox/index.js"

InvoiceProviderSuite.suite("SandboxInvoiceProvider", SandboxInvoiceProvider.layer(), {
  setMode: (mode) => Effect.flatMap(InvoiceControl, (control) => control.setMode(mode)),
})

describe("InvoiceControl", () => {
  const order = anOrder({ id: OrderId.make("ord_inv_1"), status: "confirmed" })
  const issue = Effect.flatMap(InvoiceProvider, (provider) => provider.issue(order, "invoice:ord_inv_1"))
  const run = <A, E>(program: Effect.Effect<A, E, InvoiceProvider | InvoiceControl>) =>
    Effect.runPromise(Effect.provide(program, SandboxInvoiceProvider.layer()))

  it("fails the next n issue calls, then issues exactly one invoice", () =>
    run(
      Effect.gen(function* () {
        const control = yield* InvoiceControl
        yield* control.setFailing(2)
        expect((yield* Effect.flip(issue))._tag).toBe("InvoiceProviderError")
        expect((yield* Effect.flip(issue))._tag).toBe("InvoiceProviderError")
        const issued = yield* issue
        expect(yield* issue).toEqual(issued)
        expect(yield* control.issued).toEqual([
          {
            number: "INV-000001",
            url: "https://invoices.sandbox.invalid/INV-000001",
            orderId: order.id,
            idempotencyKey: "invoice:ord_inv_1",
          },
        ])
        expect(yield* control.calls).toBe(4)
      }),
    ))

  it("fails every call while failing is on; manual and none route around the outage", () =>
    run(
      Effect.gen(function* () {
        const control = yield* InvoiceControl
        yield* control.setFailing(true)
        for (let i = 0; i < 3; i++) expect((yield* Effect.flip(issue))._tag).toBe("InvoiceProviderError")
        yield* control.setMode("manual")
        expect(yield* issue).toEqual({ _tag: "Manual" })
        yield* control.setMode("none")
        expect(yield* issue).toEqual({ _tag: "None" })
        yield* control.setMode("stripe")
        yield* control.setFailing(false)
        expect((yield* issue)._tag).toBe("Issued")
        expect(yield* control.issued).toHaveLength(1)
      }),
    ))

  it("starts in the mode it was built with", () =>
    Effect.runPromise(
      Effect.provide(
        Effect.flatMap(InvoiceProvider, (p) => p.mode),
        SandboxInvoiceProvider.layer("manual"),
      ),
    ).then((mode) => expect(mode).toBe("manual")))
})
