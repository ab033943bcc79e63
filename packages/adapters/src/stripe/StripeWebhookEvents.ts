import {
  InvalidInput,
  type PaymentEvent,
  type PaymentGatewayError,
  type PaymentRefused,
  WebhookSignatureInvalid,
} from "@settle/domain"
import { Clock, Context, Effect, Layer } from "effect"
import Stripe from "stripe"
import { StripeClient } from "./StripeClient.js"
import { decodeEvent } from "./StripeEventDecoder.js"

export type WebhookDecodeError = WebhookSignatureInvalid | InvalidInput | PaymentGatewayError | PaymentRefused

/** Stripe's own default: a signature older than five minutes is refused (replay protection). */
export const DEFAULT_TOLERANCE_SECONDS = 300

/** The signing time the header claims, read the way the SDK reads it (the last `t=` wins). */
const signedAt = (header: string): number =>
  header.split(",").reduce((timestamp, item) => {
    const [key, value] = item.split("=")
    return key === "t" ? Number.parseInt(value ?? "", 10) : timestamp
  }, Number.NaN)

const refuse = (message: string) => Effect.fail(new WebhookSignatureInvalid({ message }))

/**
 * Verify a webhook's `Stripe-Signature` over the RAW request bytes and decode it into the domain's
 * PaymentEvent. Any doubt about the signature or its time is WebhookSignatureInvalid (answered 400,
 * before anything is written); a verified payload that is not what Stripe sends is InvalidInput.
 */
export const verifyAndDecode = (
  stripe: Stripe,
  rawBody: Uint8Array | string,
  signatureHeader: string | undefined,
  secret: string,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): Effect.Effect<PaymentEvent, WebhookDecodeError> =>
  Effect.gen(function* () {
    if (signatureHeader === undefined || signatureHeader.trim() === "") {
      return yield* refuse("No Stripe-Signature header")
    }
    const now = yield* Clock.currentTimeMillis
    const payload: unknown = yield* Effect.tryPromise({
      try: () =>
        stripe.webhooks.constructEventAsync(
          rawBody,
          signatureHeader,
          secret,
          toleranceSeconds,
          undefined,
          now,
        ),
      catch: (cause) =>
        cause instanceof Stripe.errors.StripeSignatureVerificationError
          ? new WebhookSignatureInvalid({ message: cause.message.split("\n")[0] ?? "invalid signature" })
          : new InvalidInput({ field: "(root)", message: `not a Stripe event: ${String(cause)}` }),
    })
    const timestamp = signedAt(signatureHeader)
    // The SDK checks only a signature's age, so a timestamp from the future (or a non-numeric t, which
    // it compares as NaN) would pass and stay "fresh" for as long as the signer likes.
    if (!Number.isFinite(timestamp)) return yield* refuse("Stripe-Signature timestamp is not a number")
    if (toleranceSeconds > 0 && timestamp - Math.floor(now / 1000) > toleranceSeconds) {
      return yield* refuse("Timestamp outside the tolerance zone (in the future)")
    }
    return yield* decodeEvent(stripe, payload)
  })

/** Stripe webhook deliveries, verified and reduced to the domain's PaymentEvent union. */
export interface StripeWebhookEvents {
  /** Verify the `Stripe-Signature` header over the raw body and decode the event. */
  readonly decode: (
    rawBody: Uint8Array | string,
    signatureHeader: string | undefined,
  ) => Effect.Effect<PaymentEvent, WebhookDecodeError>
}

export const StripeWebhookEvents = Context.GenericTag<StripeWebhookEvents>(
  "@settle/adapters/StripeWebhookEvents",
)

export interface StripeWebhookEventsConfig {
  /** The endpoint's signing secret, `whsec_…`. */
  readonly webhookSecret: string
  readonly toleranceSeconds?: number
}

export const layer = (
  config: StripeWebhookEventsConfig,
): Layer.Layer<StripeWebhookEvents, never, StripeClient> =>
  Layer.effect(
    StripeWebhookEvents,
    Effect.map(StripeClient, (stripe) =>
      StripeWebhookEvents.of({
        decode: (rawBody, signatureHeader) =>
          verifyAndDecode(stripe, rawBody, signatureHeader, config.webhookSecret, config.toleranceSeconds),
      }),
    ),
  )
