import { PaymentSucceeded } from "@settle/domain"
import { Either, Schema } from "effect"
import fc from "fast-check"
import Stripe from "stripe"
import { describe, expect, it } from "vitest"
import { readEvent } from "../../src/stripe/StripeEventDecoder.js"
import { EventEnvelope, orderIdOf, PaidSession, SessionHead } from "../../src/stripe/StripeObjects.js"
import { SECRET_KEY } from "./support.js"
import { checkoutSession, event } from "./webhookPayloads.js"

const offline = new Stripe(SECRET_KEY)

/**
 * The schema reading of a paid completion that the hand-checked one replaced: one parse of the whole
 * event, then PaymentSucceeded validated. Whatever it accepts, readEvent must answer the same event;
 * whatever it refuses, readEvent must not answer a PaymentSucceeded (the step-by-step reading decides).
 */
const oracle = (payload: unknown) =>
  Either.map(
    Schema.decodeUnknownEither(
      Schema.Struct({
        id: EventEnvelope.fields.id,
        object: EventEnvelope.fields.object,
        type: Schema.Literal("checkout.session.completed"),
        data: Schema.Struct({
          object: Schema.Struct({
            ...SessionHead.fields,
            mode: Schema.Literal("payment"),
            payment_status: Schema.Literal("paid", "no_payment_required"),
            ...PaidSession.fields,
          }),
        }),
      }),
    )(payload),
    ({ id, type, data: { object } }) =>
      Schema.validateSync(PaymentSucceeded)({
        _tag: "PaymentSucceeded",
        eventId: id,
        type,
        sessionId: object.id,
        orderId: orderIdOf(object),
        paymentIntentId: object.payment_intent,
        amount: { amount: object.amount_total, currency: object.currency },
      }),
  )

/** Mostly valid, so that whole valid events are common and each field's invalid values are met alone. */
const mostly = <A, B>(valid: A, others: fc.Arbitrary<B>) =>
  fc.oneof({ arbitrary: fc.constant(valid), weight: 12 }, { arbitrary: others, weight: 1 })
const ids = (valid: string) =>
  mostly(valid, fc.constantFrom("", "bad id", "a$b", "x".repeat(129), "x".repeat(128), "é"))
const absentable = <A>(arbitrary: fc.Arbitrary<A>) =>
  fc.oneof({ arbitrary, weight: 12 }, { arbitrary: fc.constant(undefined), weight: 1 })

const session = fc.record({
  id: fc.oneof(ids("cs_test_1"), fc.constant(42)),
  object: mostly("checkout.session", fc.constant("payment_intent")),
  mode: mostly("payment", fc.constant("subscription")),
  payment_status: fc.constantFrom("paid", "no_payment_required", "unpaid"),
  metadata: absentable(
    fc.oneof(
      fc.constant(null),
      fc.constant({}),
      fc.record({ orderId: fc.oneof(ids("ord_9"), fc.constant(null), fc.constant(7)) }),
      fc.constant(["ord_9"]),
    ),
  ),
  client_reference_id: absentable(fc.oneof(ids("ord_8"), fc.constant(null))),
  payment_intent: fc.oneof(
    ids("pi_1"),
    fc.constant({ id: "pi_2", object: "payment_intent" }),
    fc.constant(null),
  ),
  amount_total: fc.oneof(
    fc.integer({ min: -1, max: 100_000_000 }),
    fc.constantFrom(0, -0, 1.5, 99_999_999, 100_000_000, null),
  ),
  currency: mostly("eur", fc.constantFrom("EUR", "eu", "usd", "eurx", "€ur", 3)),
})

const withoutAbsent = (fields: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))

describe("readEvent: a paid session's completion read without a schema parse", () => {
  it("answers exactly what the schema reading answers, and no PaymentSucceeded where it refuses", () => {
    let accepted = 0
    fc.assert(
      fc.property(
        session,
        mostly("checkout.session.completed", fc.constant("checkout.session.expired")),
        ids("evt_1"),
        (fields, type, id) => {
          const payload = { ...event(type, checkoutSession(withoutAbsent(fields))), id }
          // A delivery arrives as JSON: what its parse gives is what the decoder reads.
          const parsed: unknown = JSON.parse(JSON.stringify(payload))
          const expected = oracle(parsed)
          const read = readEvent(offline, parsed)
          if (!Either.isEither(read)) return
          if (Either.isRight(expected)) {
            accepted += 1
            expect(read).toEqual(Either.right(expected.right))
          } else if (Either.isRight(read)) expect(read.right._tag).not.toBe("PaymentSucceeded")
        },
      ),
      { numRuns: 2000 },
    )
    // Both sides of the comparison were exercised.
    expect(accepted).toBeGreaterThan(100)
    expect(accepted).toBeLessThan(1900)
  })

  it("keeps the domain's field order, so a stored payload reads the same as before", () => {
    const read = readEvent(
      offline,
      JSON.parse(JSON.stringify(event("checkout.session.completed", checkoutSession()))),
    )
    expect(Either.isEither(read) && Either.isRight(read) ? Object.keys(read.right) : []).toEqual([
      "_tag",
      "eventId",
      "type",
      "sessionId",
      "orderId",
      "paymentIntentId",
      "amount",
    ])
  })
})
