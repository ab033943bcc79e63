import { SandboxControl } from "@settle/adapters"
import { AuditLog, handlePaymentEvent, OrderId, replayFinalization, WebhookEventInbox } from "@settle/domain"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { anUnrecognizedEvent } from "../../src/fixtures.js"
import {
  auditTrail,
  crashPointOf,
  deliverCrashingAt,
  ledgerOf,
  orderOf,
  paidAtSandbox,
  pendingCouponOrder,
  run,
  runFaulty,
  sessionOf,
  T0,
} from "./support.js"

const ORDER = OrderId.make("ord_000001")
const SESSION = "cs_sandbox_000001"
const EVENT = "evt_sandbox_000001"
const operator = { actor: "ops@shop", reason: "customer paid, no confirmation" }

const replayAudit = Effect.flatMap(AuditLog, (log) => log.listByOrder(ORDER))

/** Deliver the payment with a crash at the first call labelled `label`: the event is left `error`. */
const crashedDelivery = async (label: string) => ({
  at: await crashPointOf(paidAtSandbox, handlePaymentEvent, label),
  deliver: (at: number) =>
    Effect.gen(function* () {
      const event = yield* paidAtSandbox
      yield* deliverCrashingAt(event, at)
    }),
})

describe("replayFinalization", () => {
  it("by sessionId, finalizes an order whose payment event was lost, and audits it", () =>
    run(
      Effect.gen(function* () {
        yield* paidAtSandbox
        const result = yield* replayFinalization({ sessionId: SESSION, ...operator })
        expect(result).toEqual({ orderId: ORDER, result: "Finalized", status: "confirmed" })
        expect(yield* orderOf(ORDER)).toMatchObject({ status: "confirmed", webhook: { processedAt: T0 } })
        expect(yield* ledgerOf(ORDER, "payment")).toHaveLength(1)
        expect(yield* replayAudit).toMatchObject([
          {
            actor: "ops@shop",
            action: "payment.replay",
            orderId: ORDER,
            reason: operator.reason,
            before: { status: "pending", processedAt: null },
            after: { status: "confirmed", processedAt: T0, result: "Finalized" },
          },
        ])
      }),
    ))

  it("by sessionId, finishes an order stuck in paid after a crash", async () => {
    const { at, deliver } = await crashedDelivery("Ledger.append")
    await runFaulty(
      Effect.gen(function* () {
        yield* deliver(at)
        expect((yield* orderOf(ORDER)).status).toBe("paid")
        const result = yield* replayFinalization({ sessionId: SESSION, ...operator })
        expect(result).toEqual({ orderId: ORDER, result: "Finalized", status: "confirmed" })
        expect(yield* ledgerOf(ORDER, "payment")).toHaveLength(1)
        expect(yield* replayAudit).toMatchObject([
          { action: "payment.replay", before: { status: "paid" }, after: { status: "confirmed" } },
        ])
      }),
    )
  })

  it("by sessionId, changes nothing while the session is still open, and says so", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        const result = yield* replayFinalization({ sessionId: SESSION, ...operator })
        expect(result).toEqual({ orderId: ORDER, result: "session_open_unpaid", status: "pending" })
        expect(yield* orderOf(ORDER)).toEqual(order)
        expect(yield* replayAudit).toMatchObject([{ action: "payment.replay", after: { status: "pending" } }])
      }),
    ))

  it("by stripeEventId, re-runs a recorded payment whose processing failed", async () => {
    const { at, deliver } = await crashedDelivery("ProductCatalog.commitHold")
    await runFaulty(
      Effect.gen(function* () {
        yield* deliver(at)
        const inbox = yield* WebhookEventInbox
        expect(Option.getOrThrow(yield* inbox.find(EVENT)).status).toBe("error")
        const result = yield* replayFinalization({ stripeEventId: EVENT, ...operator })
        expect(result).toEqual({ orderId: ORDER, result: "Processed", status: "confirmed" })
        expect(Option.getOrThrow(yield* inbox.find(EVENT)).status).toBe("processed")
        expect(yield* ledgerOf(ORDER, "payment")).toHaveLength(1)
        expect(yield* replayAudit).toMatchObject([
          {
            actor: "ops@shop",
            action: "payment.replay",
            reason: operator.reason,
            before: { status: "paid" },
          },
        ])
      }),
    )
  })

  it("refuses with AlreadyFinalized once webhook.processedAt is set, by either key", () =>
    run(
      Effect.gen(function* () {
        yield* handlePaymentEvent(yield* paidAtSandbox)
        const confirmed = yield* orderOf(ORDER)
        for (const key of [{ sessionId: SESSION }, { stripeEventId: EVENT }]) {
          const refused = yield* Effect.flip(replayFinalization({ ...key, ...operator }))
          expect(refused).toMatchObject({ _tag: "AlreadyFinalized", orderId: ORDER })
        }
        expect(yield* orderOf(ORDER)).toEqual(confirmed)
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it("reports an unknown session and an unknown event", () =>
    run(
      Effect.gen(function* () {
        yield* paidAtSandbox
        const noOrder = yield* Effect.flip(replayFinalization({ sessionId: "cs_nope", ...operator }))
        expect(noOrder).toMatchObject({ _tag: "OrderNotFound", key: "cs_nope" })
        const noEvent = yield* Effect.flip(replayFinalization({ stripeEventId: "evt_nope", ...operator }))
        expect(noEvent).toMatchObject({ _tag: "EventNotFound", stripeEventId: "evt_nope" })
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it("refuses an event that carries no payment, naming stripeEventId", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        const expired = yield* (yield* SandboxControl).expire(yield* sessionOf(order))
        const unrecognized = anUnrecognizedEvent()
        for (const event of [expired, unrecognized]) {
          yield* handlePaymentEvent(event)
          const refused = yield* Effect.flip(
            replayFinalization({ stripeEventId: event.eventId, ...operator }),
          )
          expect(refused).toMatchObject({ _tag: "InvalidInput", field: "stripeEventId" })
        }
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it.each<[string, unknown, string]>([
    ["a missing reason", { sessionId: SESSION, actor: "ops@shop" }, "reason"],
    ["a blank reason", { sessionId: SESSION, actor: "ops@shop", reason: "  " }, "reason"],
    ["a blank actor", { sessionId: SESSION, actor: " ", reason: "r" }, "actor"],
    ["both keys", { sessionId: SESSION, stripeEventId: EVENT, ...operator }, "stripeEventId"],
    ["neither key", operator, "sessionId"],
    ["an operator as sessionId", { sessionId: { $ne: null }, ...operator }, "sessionId"],
    ["a string", SESSION, "(root)"],
  ])("refuses %s as InvalidInput and changes nothing", (_name, input, field) =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        yield* (yield* SandboxControl).pay(yield* sessionOf(order))
        const refused = yield* Effect.flip(replayFinalization(input))
        expect(refused).toMatchObject({ _tag: "InvalidInput", field })
        expect(yield* orderOf(ORDER)).toEqual(order)
        expect(yield* auditTrail).toEqual([])
      }),
    ),
  )
})
