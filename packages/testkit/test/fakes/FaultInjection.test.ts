import { SandboxControl, SandboxInvoiceProvider, SandboxPaymentGateway } from "@settle/adapters"
import {
  AuditLog,
  CouponRepository,
  CouponReservationRepository,
  IdGenerator,
  InvoiceProvider,
  Ledger,
  MediaAssetRepository,
  MediaStorage,
  Metrics,
  money,
  OrderId,
  OrderRepository,
  PaymentGateway,
  ProductCatalog,
  StoreError,
  WebhookEventInbox,
} from "@settle/domain"
import { Context, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import * as SequentialIds from "../../src/fakes/SequentialIds.js"
import {
  arm,
  callCount,
  callLog,
  crashable,
  disarm,
  FaultPlan,
  gatewayCrash,
  invoiceCrash,
  makePlan,
  mediaCrash,
  planLayer,
  storeCrash,
  withFaults,
  wrap,
} from "../../src/faults/FaultInjection.js"
import { anOrder } from "../../src/fixtures.js"

/** A toy store port: `performed` records what really happened. */
interface Tally {
  readonly add: (n: number) => Effect.Effect<number, StoreError>
  readonly total: Effect.Effect<number, StoreError>
}
const makeTally = (performed: Array<number>): Tally => ({
  add: (n) => Effect.sync(() => performed.push(n)),
  total: Effect.sync(() => performed.reduce((a, b) => a + b, 0)),
})
const script = (tally: Tally) =>
  Effect.gen(function* () {
    yield* tally.add(1)
    yield* tally.add(2)
    const total = yield* tally.total
    yield* tally.add(3)
    return total
  })

describe("wrap", () => {
  it("fails exactly the k-th call with the port's error, and performs neither it nor what follows", async () => {
    for (const k of [1, 2, 3, 4]) {
      const performed: Array<number> = []
      const error = await Effect.runPromise(
        Effect.flip(
          Effect.flatMap(makePlan(k), (plan) =>
            script(wrap(makeTally(performed), plan, "Tally", storeCrash)),
          ),
        ),
      )
      expect(error).toBeInstanceOf(StoreError)
      const method = k === 3 ? "total" : "add"
      expect(error.message).toBe(`injected crash at call ${k} (Tally.${method})`)
      expect(performed).toEqual([1, 2, 3].slice(0, k === 4 ? 2 : Math.min(k - 1, 2)))
    }
  })

  it("counts and logs every call of a clean run", async () => {
    const performed: Array<number> = []
    const [total, count, log] = await Effect.runPromise(
      Effect.gen(function* () {
        const plan = yield* FaultPlan
        const total = yield* script(wrap(makeTally(performed), plan, "Tally", storeCrash))
        return [total, yield* callCount, yield* callLog] as const
      }).pipe(Effect.provide(planLayer())),
    )
    expect(total).toBe(3)
    expect(count).toBe(4)
    expect(log).toEqual(["Tally.add", "Tally.add", "Tally.total", "Tally.add"])
    expect(performed).toEqual([1, 2, 3])
  })

  it("never performs a crashed call, even of an adapter that works as soon as it is called", async () => {
    const performed: Array<number> = []
    const eager: Tally = {
      add: (n) => {
        performed.push(n)
        return Effect.succeed(performed.length)
      },
      total: Effect.succeed(0),
    }
    await Effect.runPromise(
      Effect.flip(Effect.flatMap(makePlan(1), (plan) => wrap(eager, plan, "Tally", storeCrash).add(7))),
    )
    expect(performed).toEqual([])
  })

  it("wraps the methods of a class-based adapter", async () => {
    class ClassTally implements Tally {
      readonly performed: Array<number> = []
      add(n: number): Effect.Effect<number, StoreError> {
        return Effect.sync(() => this.performed.push(n))
      }
      get total(): Effect.Effect<number, StoreError> {
        return Effect.sync(() => this.performed.length)
      }
    }
    const adapter = new ClassTally()
    const error = await Effect.runPromise(
      Effect.flip(Effect.flatMap(makePlan(2), (plan) => script(wrap(adapter, plan, "Tally", storeCrash)))),
    )
    expect(error.message).toBe("injected crash at call 2 (Tally.add)")
    expect(adapter.performed).toEqual([1])
  })

  it("only accepts an error every wrapped member may already fail with", async () => {
    const plan = await Effect.runPromise(makePlan())
    const metrics = Metrics.of({
      webhookEvent: () => Effect.void,
      checkoutAttempt: Effect.void,
      checkoutFailure: () => Effect.void,
      refundOperation: () => Effect.void,
      invoiceIssue: () => Effect.void,
      paymentReview: () => Effect.void,
    })
    // @ts-expect-error Metrics never fails, so a StoreError cannot be injected into it.
    wrap(metrics, plan, "Metrics", storeCrash)
    const invoices = InvoiceProvider.of({
      mode: Effect.succeed("none"),
      issue: () => Effect.succeed({ _tag: "None" }),
    })
    // @ts-expect-error `mode` cannot fail: it must be skipped.
    wrap(invoices, plan, "InvoiceProvider", invoiceCrash)
    expect(wrap(invoices, plan, "InvoiceProvider", invoiceCrash, ["mode"])).toBeDefined()
  })

  it("accepts every storage port of the domain with StoreError", () => {
    const storage = [
      crashable(OrderRepository, storeCrash),
      crashable(ProductCatalog, storeCrash),
      crashable(CouponRepository, storeCrash),
      crashable(CouponReservationRepository, storeCrash),
      crashable(Ledger, storeCrash),
      crashable(WebhookEventInbox, storeCrash),
      crashable(AuditLog, storeCrash),
      crashable(MediaAssetRepository, storeCrash),
      crashable(MediaStorage, mediaCrash),
    ]
    expect(storage.map((port) => port.port)).toContain("CouponReservationRepository")
  })
})

describe("withFaults", () => {
  const ports = Layer.mergeAll(
    SandboxPaymentGateway.layerSequential,
    SandboxInvoiceProvider.layer(),
    SequentialIds.layer,
  )
  const faulty = withFaults(ports, [
    crashable(PaymentGateway, gatewayCrash),
    crashable(InvoiceProvider, invoiceCrash, ["mode"]),
  ])
  const order = anOrder({ id: OrderId.make("ord_fault"), status: "confirmed" })
  const checkout = Effect.gen(function* () {
    const gateway = yield* PaymentGateway
    const invoices = yield* InvoiceProvider
    yield* (yield* IdGenerator).next("ord")
    const { sessionId } = yield* gateway.openSession({
      orderId: order.id,
      lineItems: [],
      amount: money(3000, "EUR"),
      customerEmail: "shopper@example.com",
      expiresAt: new Date("2030-01-01T00:30:00.000Z"),
      idempotencyKey: `checkout:${order.id}`,
    })
    yield* gateway.retrieveSession(sessionId)
    yield* invoices.mode
    return yield* invoices.issue(order, `invoice:${order.id}`)
  })
  const run = <A, E>(
    program: Effect.Effect<A, E, PaymentGateway | InvoiceProvider | IdGenerator | SandboxControl | FaultPlan>,
  ) => Effect.runPromise(program.pipe(Effect.provide(faulty), Effect.provide(planLayer())))

  it("counts the listed ports' calls only, across ports", async () => {
    const log = await run(Effect.zipRight(checkout, callLog))
    expect(log).toEqual([
      "PaymentGateway.openSession",
      "PaymentGateway.retrieveSession",
      "InvoiceProvider.issue",
    ])
  })

  it("crashes each point of a clean run in turn; a retry after the crash converges", async () => {
    const count = await run(Effect.zipRight(checkout, callCount))
    for (let k = 1; k <= count; k++) {
      const outcome = await run(
        Effect.gen(function* () {
          yield* arm(k)
          const crash = yield* Effect.flip(checkout)
          yield* disarm
          const retried = yield* checkout
          return { crash: crash._tag, retried, sessions: (yield* (yield* SandboxControl).sessions).length }
        }),
      )
      expect(outcome.crash).toBe(k === 3 ? "InvoiceProviderError" : "PaymentGatewayError")
      expect(outcome.retried).toEqual({ _tag: "Issued", number: "INV-000001", url: expect.any(String) })
      expect(outcome.sessions).toBe(1)
    }
  })

  it("passes calls through when the plan never fires", async () => {
    const tag = Context.GenericTag<Tally>("test/Tally")
    const layer = withFaults(Layer.succeed(tag, makeTally([])), [crashable(tag, storeCrash)])
    const program = Effect.flatMap(tag, (tally) => Effect.zipRight(tally.add(5), tally.total))
    expect(
      await Effect.runPromise(program.pipe(Effect.provide(layer), Effect.provide(planLayer(null)))),
    ).toBe(5)
  })
})
