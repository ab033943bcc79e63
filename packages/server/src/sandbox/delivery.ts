import type { PaymentEvent } from "@settle/domain"
import { Duration, Effect } from "effect"

/** A Stripe event body and the `Stripe-Signature` header over it, as Stripe would send them. */
export interface SignedEvent {
  readonly payload: string
  readonly header: string
}

/** What happened to one delivery, for the pay endpoint's answer and the logs. */
export interface Delivery {
  readonly eventId: string
  readonly type: string
  /** The webhook's last HTTP status; null when it could not be reached at all. */
  readonly status: number | null
  readonly attempts: number
  readonly delivered: boolean
  /** The webhook's JSON answer (or its text), so the caller sees what the server made of the event. */
  readonly response: unknown
}

export interface DeliveryOptions {
  /** Turns a domain event into Stripe's JSON and signs it with the webhook secret. */
  readonly sign: (event: PaymentEvent, created: Date) => Effect.Effect<SignedEvent, unknown>
  /** The server's own webhook URL; known only once it listens (PORT=0 picks the port). */
  readonly webhookUrl: () => string
}

/** Stripe retries for days; the sandbox retries a few times within the request that caused the event. */
const BACKOFF = [Duration.millis(250), Duration.seconds(1)]
const TIMEOUT_MS = 10_000

const post = (url: string, signed: SignedEvent) =>
  Effect.tryPromise(async (signal) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": signed.header },
      body: signed.payload,
      signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
    })
    const text = await response.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body }
  })

/**
 * Delivers events over HTTP to the server's own Stripe endpoint, so the sandbox exercises the real
 * path: raw body, signature verification, decoding, inbox, finalization. Never fails: the outcome says.
 */
export const makeDeliver =
  (options: DeliveryOptions) =>
  (event: PaymentEvent): Effect.Effect<Delivery> =>
    Effect.gen(function* () {
      const signed = yield* options.sign(event, new Date())
      const url = options.webhookUrl()
      let last: { status: number | null; body: unknown } = { status: null, body: null }
      for (let attempt = 1; attempt <= BACKOFF.length + 1; attempt++) {
        const answer = yield* Effect.either(post(url, signed))
        last = answer._tag === "Right" ? answer.right : { status: null, body: String(answer.left.error) }
        const retryable = last.status === null || last.status >= 500
        if (!retryable || attempt > BACKOFF.length) {
          const delivered = last.status !== null && last.status >= 200 && last.status < 300
          if (!delivered) {
            yield* Effect.logWarning(
              `[sandbox] delivery of ${event.type} ${event.eventId} failed: ${last.status ?? "unreachable"}`,
            )
          }
          return {
            eventId: event.eventId,
            type: event.type,
            status: last.status,
            attempts: attempt,
            delivered,
            response: last.body,
          }
        }
        yield* Effect.sleep(BACKOFF[attempt - 1] ?? Duration.seconds(1))
      }
      return yield* Effect.dieMessage("unreachable: the loop always returns")
    }).pipe(
      Effect.catchAll((cause) =>
        Effect.succeed<Delivery>({
          eventId: event.eventId,
          type: event.type,
          status: null,
          attempts: 0,
          delivered: false,
          response: `the event could not be signed: ${String(cause)}`,
        }),
      ),
    )

export type Deliver = ReturnType<typeof makeDeliver>
