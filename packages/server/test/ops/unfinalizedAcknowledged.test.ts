import {
  handlePaymentEvent,
  money,
  OrderId,
  PaymentIntentId,
  PaymentSucceeded,
  recordUndecodableEvent,
  SessionId,
  StripeEventId,
} from "@settle/domain"
import { world } from "@settle/testkit"
import { Effect, Logger, LogLevel } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { json, opsHere } from "./support/cli.js"
import { freshDatabase } from "./support/store.js"

const database = freshDatabase()
const HOUR = 3_600_000

const missingOrder = PaymentSucceeded.make({
  eventId: StripeEventId.make("evt_ops_orphan"),
  type: "checkout.session.completed",
  sessionId: SessionId.make("cs_ops_elsewhere"),
  orderId: OrderId.make("ord_ops_missing"),
  paymentIntentId: PaymentIntentId.make("pi_ops_elsewhere"),
  amount: money(100, "EUR"),
})

beforeAll(async () => {
  const created = new Date(Date.now() - 2 * HOUR)
  await Effect.runPromise(
    Effect.gen(function* () {
      yield* recordUndecodableEvent(
        StripeEventId.make("evt_ops_undecodable"),
        "charge.refunded",
        "data.object.amount: is missing",
      )
      yield* handlePaymentEvent(missingOrder, { created, orphanWindowMs: HOUR })
    }).pipe(
      Effect.provide(world(database.storage, new Date(Date.now() - 30 * 60_000))),
      Effect.provide(Logger.minimumLogLevel(LogLevel.None)),
    ),
  )
})
afterAll(() => database.drop())

describe("ops unfinalized-events on events Settle acknowledged but could not process", () => {
  it("lists the undecodable and the orphaned event with their reasons and says Stripe will not resend them", async () => {
    const run = await opsHere(["unfinalized-events", "--json"], database.env)
    expect(run.code).toBe(0)
    const events = json(run).events as ReadonlyArray<Record<string, unknown>>
    expect(events).toEqual([
      expect.objectContaining({
        stripeEventId: "evt_ops_undecodable",
        status: "error",
        acknowledged: "undecodable",
        lastError: "undecodable: data.object.amount: is missing",
      }),
      expect.objectContaining({
        stripeEventId: "evt_ops_orphan",
        status: "error",
        acknowledged: "orphaned",
        lastError: expect.stringMatching(/^orphaned: no order ord_ops_missing/),
      }),
    ])
    const text = await opsHere(["unfinalized-events"], database.env)
    expect(text.stdout).toContain("evt_ops_orphan")
    expect(text.stdout).toContain("were acknowledged, so Stripe will not resend them")
  })
})
