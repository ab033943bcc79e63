import { createHash } from "node:crypto"
import {
  InvalidInput,
  type PaymentEvent,
  type PaymentGatewayError,
  type PaymentRefused,
  StripeEventId,
  WebhookSignatureInvalid,
} from "@settle/domain"
import { Clock, Context, Effect, Either, Layer } from "effect"
import Stripe from "stripe"
import { StripeClient } from "./StripeClient.js"
import { decodeEvent, readEvent } from "./StripeEventDecoder.js"

export type WebhookDecodeError = WebhookSignatureInvalid | InvalidInput | PaymentGatewayError | PaymentRefused

/** Stripe's own default: a signature older than five minutes is refused (replay protection). */
export const DEFAULT_TOLERANCE_SECONDS = 300

/** The signing time the header claims, read the way the SDK reads it (the last `t=` wins). */
const signedAt = (header: string): number =>
  header.split(",").reduce((timestamp, item) => {
    const [key, value] = item.split("=")
    return key === "t" ? Number.parseInt(value ?? "", 10) : timestamp
  }, Number.NaN)

/** Stripe's events nest a few levels (event, data, object, a list, its items); far deeper is not Stripe's. */
export const MAX_EVENT_DEPTH = 64

/**
 * Whether a parsed JSON value nests deeper than `limit`, walked with an explicit stack: a decoder or an
 * error formatter recursing through thousands of levels would overflow the call stack. Values and
 * their depths are kept in two stacks, so the walk allocates nothing per value.
 */
export const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  const values: Array<unknown> = [value]
  const depths: Array<number> = [1]
  while (values.length > 0) {
    const next = values.pop()
    const depth = depths.pop() as number
    if (typeof next !== "object" || next === null) continue
    if (depth > limit) return true
    if (Array.isArray(next)) {
      for (const child of next) {
        values.push(child)
        depths.push(depth + 1)
      }
    } else {
      for (const key in next) {
        values.push((next as Record<string, unknown>)[key])
        depths.push(depth + 1)
      }
    }
  }
  return false
}

const refused = (message: string) => Either.left(new WebhookSignatureInvalid({ message }))

/**
 * Verify the signature and the signing time over the raw bytes, at `now`; the verified payload, parsed.
 * Synchronous: the SDK's Node crypto provider computes the HMAC in place, so no promise is awaited.
 */
const verifyAt = (
  stripe: Stripe,
  rawBody: Uint8Array | string,
  signatureHeader: string | undefined,
  secret: string,
  toleranceSeconds: number,
  now: number,
): Either.Either<unknown, WebhookSignatureInvalid | InvalidInput> => {
  if (signatureHeader === undefined || signatureHeader.trim() === "") {
    return refused("No Stripe-Signature header")
  }
  let payload: unknown
  try {
    payload = stripe.webhooks.constructEvent(
      rawBody,
      signatureHeader,
      secret,
      toleranceSeconds,
      undefined,
      now,
    )
  } catch (cause) {
    return Either.left(
      cause instanceof Stripe.errors.StripeSignatureVerificationError
        ? new WebhookSignatureInvalid({ message: cause.message.split("\n")[0] ?? "invalid signature" })
        : new InvalidInput({ field: "(root)", message: `not a Stripe event: ${String(cause)}` }),
    )
  }
  const timestamp = signedAt(signatureHeader)
  // The SDK checks only a signature's age, so a timestamp from the future (or a non-numeric t, which
  // it compares as NaN) would pass and stay "fresh" for as long as the signer likes.
  if (!Number.isFinite(timestamp)) return refused("Stripe-Signature timestamp is not a number")
  if (toleranceSeconds > 0 && timestamp - Math.floor(now / 1000) > toleranceSeconds) {
    return refused("Timestamp outside the tolerance zone (in the future)")
  }
  return Either.right(payload)
}

/** Verify the signature and the signing time over the raw bytes; the verified payload, parsed. */
const verify = (
  stripe: Stripe,
  rawBody: Uint8Array | string,
  signatureHeader: string | undefined,
  secret: string,
  toleranceSeconds: number,
): Effect.Effect<unknown, WebhookSignatureInvalid | InvalidInput> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const verified = verifyAt(stripe, rawBody, signatureHeader, secret, toleranceSeconds, now)
    return Either.isRight(verified) ? Effect.succeed(verified.right) : Effect.fail(verified.left)
  })

const tooDeep = () =>
  new InvalidInput({ field: "(root)", message: `the event nests deeper than ${MAX_EVENT_DEPTH} levels` })

/** Decode a verified payload, refusing one nested too deep before any schema walks it. */
const decodeVerified = (stripe: Stripe, payload: unknown) =>
  nestsDeeperThan(payload, MAX_EVENT_DEPTH) ? Effect.fail(tooDeep()) : decodeEvent(stripe, payload)

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
  Effect.flatMap(verify(stripe, rawBody, signatureHeader, secret, toleranceSeconds), (payload) =>
    decodeVerified(stripe, payload),
  )

/**
 * A verified delivery: the event with Stripe's `created` (null when absent), or a signed event Settle
 * cannot decode, with its id (or, when it has none, one made from its bytes, the same on every
 * delivery), its type and why.
 */
export type Delivery =
  | { readonly _tag: "Event"; readonly event: PaymentEvent; readonly created: Date | null }
  | {
      readonly _tag: "Undecodable"
      readonly eventId: StripeEventId
      readonly type: string
      readonly reason: string
    }

const field = (payload: unknown, name: string): unknown =>
  typeof payload === "object" && payload !== null && !Array.isArray(payload)
    ? (payload as Record<string, unknown>)[name]
    : undefined

const createdOf = (payload: unknown): Date | null => {
  const created = field(payload, "created")
  return typeof created === "number" && Number.isFinite(created) ? new Date(created * 1000) : null
}

/** Reasons quote at most this much, so a stored reason stays small whatever the payload held. */
const REASON_MAX = 300

const undecodable = (raw: Uint8Array | string, payload: unknown, error: InvalidInput): Delivery => {
  const id = field(payload, "id")
  const type = field(payload, "type")
  const eventId =
    typeof id === "string" && /^evt_[A-Za-z0-9_]{1,200}$/.test(id)
      ? id
      : `evt_undecodable_${createHash("sha256").update(raw).digest("hex").slice(0, 32)}`
  const reason = `${error.field}: ${error.message}`
  return {
    _tag: "Undecodable",
    eventId: StripeEventId.make(eventId),
    type: typeof type === "string" && type.length <= 100 ? type : "unknown",
    reason: reason.length > REASON_MAX ? `${reason.slice(0, REASON_MAX)}…` : reason,
  }
}

/**
 * Verify and read a delivery: only a bad signature (and a provider call the decoding needs) fails; a
 * signed payload Settle cannot decode is an `Undecodable` delivery, to acknowledge and record.
 */
export const verifyAndRead = (
  stripe: Stripe,
  rawBody: Uint8Array | string,
  signatureHeader: string | undefined,
  secret: string,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): Effect.Effect<Delivery, Exclude<WebhookDecodeError, InvalidInput>> =>
  // One step for what needs no provider call (every type but charge.refunded): no fiber steps between.
  Effect.flatMap(
    Clock.currentTimeMillis,
    (now): Effect.Effect<Delivery, Exclude<WebhookDecodeError, InvalidInput>> => {
      const verified = verifyAt(stripe, rawBody, signatureHeader, secret, toleranceSeconds, now)
      if (Either.isLeft(verified)) {
        const refused = verified.left
        // Signed, but not JSON at all: nothing names the event, so its bytes do.
        return refused._tag === "InvalidInput"
          ? Effect.succeed(undecodable(rawBody, undefined, refused))
          : Effect.fail(refused)
      }
      const payload = verified.right
      if (nestsDeeperThan(payload, MAX_EVENT_DEPTH))
        return Effect.succeed(undecodable(rawBody, payload, tooDeep()))
      const read = readEvent(stripe, payload)
      const delivered = (event: PaymentEvent): Delivery => ({
        _tag: "Event",
        event,
        created: createdOf(payload),
      })
      if (Either.isEither(read)) {
        return Effect.succeed(
          Either.isRight(read) ? delivered(read.right) : undecodable(rawBody, payload, read.left),
        )
      }
      return read.pipe(
        Effect.map(delivered),
        Effect.catchTag("InvalidInput", (error) => Effect.succeed(undecodable(rawBody, payload, error))),
      )
    },
  )

/** Stripe webhook deliveries, verified and reduced to the domain's PaymentEvent union. */
export interface StripeWebhookEvents {
  /** Verify the `Stripe-Signature` header over the raw body and decode the event. */
  readonly decode: (
    rawBody: Uint8Array | string,
    signatureHeader: string | undefined,
  ) => Effect.Effect<PaymentEvent, WebhookDecodeError>
  /** The same, but a signed payload Settle cannot decode is an `Undecodable` delivery, not a failure. */
  readonly read: (
    rawBody: Uint8Array | string,
    signatureHeader: string | undefined,
  ) => Effect.Effect<Delivery, Exclude<WebhookDecodeError, InvalidInput>>
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
        read: (rawBody, signatureHeader) =>
          verifyAndRead(stripe, rawBody, signatureHeader, config.webhookSecret, config.toleranceSeconds),
      }),
    ),
  )
