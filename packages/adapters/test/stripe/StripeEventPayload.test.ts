import {
  ChargeRefunded,
  type PaymentEvent,
  PaymentFailed,
  PaymentPending,
  PaymentSucceeded,
  SessionExpired,
  Unrecognized,
} from "@settle/domain"
import { fromSchema } from "@settle/testkit"
import { Effect } from "effect"
import * as fc from "fast-check"
import Stripe from "stripe"
import { describe, expect, it } from "vitest"
import { ASYNC_PAYMENT_FAILED_REASON, isSettleEventType } from "../../src/stripe/StripeEventDecoder.js"
import { signedDelivery, toStripeEvent } from "../../src/stripe/StripeEventPayload.js"
import { verifyAndDecode } from "../../src/stripe/StripeWebhookEvents.js"
import { SECRET_KEY, WEBHOOK_SECRET } from "./support.js"

const stripe = new Stripe(SECRET_KEY)

/** A member drawn from its domain Schema, sent under one of the types Stripe uses for it. */
const sentAs = <A extends PaymentEvent>(member: fc.Arbitrary<A>, ...types: ReadonlyArray<string>) =>
  fc.tuple(member, fc.constantFrom(...types)).map(([event, type]): A => ({ ...event, type }))

const succeeded = sentAs(
  fromSchema(PaymentSucceeded),
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
)
const expired = sentAs(fromSchema(SessionExpired), "checkout.session.expired")

/**
 * What Stripe can say: PaymentFailed comes either from a delayed payment's session (which carries no
 * reason) or from a payment intent (which has no session); other members pair with their event types.
 */
const members: ReadonlyArray<readonly [string, fc.Arbitrary<PaymentEvent>]> = [
  ["PaymentSucceeded", succeeded],
  ["PaymentPending", sentAs(fromSchema(PaymentPending), "checkout.session.completed")],
  [
    "PaymentFailed from a session",
    sentAs(
      fromSchema(PaymentFailed).filter((e) => e.sessionId !== null),
      "checkout.session.async_payment_failed",
    ).map((e) => ({ ...e, reason: ASYNC_PAYMENT_FAILED_REASON })),
  ],
  [
    "PaymentFailed from a payment intent",
    sentAs(
      fromSchema(PaymentFailed)
        .map((e) => ({ ...e, sessionId: null }))
        .filter((e) => e.paymentIntentId !== null),
      "payment_intent.payment_failed",
    ),
  ],
  ["SessionExpired", expired],
  ["ChargeRefunded", sentAs(fromSchema(ChargeRefunded), "charge.refunded")],
  ["Unrecognized", fromSchema(Unrecognized).filter((e) => !isSettleEventType(e.type))],
]

const roundTrip = (event: PaymentEvent) => {
  const { payload, header } = signedDelivery(stripe, event, WEBHOOK_SECRET, new Date())
  return Effect.runPromise(verifyAndDecode(stripe, payload, header, WEBHOOK_SECRET))
}

describe("StripeEventPayload", () => {
  it.each(members)("decode(sign(encode(e))) is e for every %s", async (_, arbitrary) => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (event) => {
        expect(await roundTrip(event)).toEqual(event)
      }),
      { numRuns: 150 },
    )
  })

  it("writes the envelope Stripe sends: event object, SDK API version, unix seconds, lower-case currency", () => {
    const [event] = fc.sample(succeeded, { numRuns: 1, seed: 7 })
    if (event === undefined) return expect.unreachable("nothing sampled")
    const created = new Date("2030-05-06T07:08:09.999Z")
    expect(toStripeEvent(event, created)).toMatchObject({
      id: event.eventId,
      object: "event",
      api_version: Stripe.API_VERSION,
      created: Math.floor(created.getTime() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: event.type,
      data: {
        object: {
          object: "checkout.session",
          id: event.sessionId,
          currency: event.amount.currency.toLowerCase(),
          amount_total: event.amount.amount,
          client_reference_id: event.orderId,
          metadata: event.orderId === null ? {} : { orderId: event.orderId },
        },
      },
    })
  })

  it("signs at the delivery time it is given, as Stripe signs each redelivery anew", () => {
    const [event] = fc.sample(expired, { numRuns: 1, seed: 11 })
    if (event === undefined) return expect.unreachable("nothing sampled")
    const created = new Date("2030-01-01T00:00:00Z")
    const { header } = signedDelivery(
      stripe,
      event,
      WEBHOOK_SECRET,
      created,
      new Date("2030-01-03T00:00:00Z"),
    )
    expect(header).toMatch(new RegExp(`^t=${Date.UTC(2030, 0, 3) / 1000},v1=[0-9a-f]{64}$`))
  })
})
