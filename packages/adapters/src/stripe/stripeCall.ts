import { PaymentGatewayError, PaymentRefused } from "@settle/domain"
import { Effect } from "effect"
import Stripe from "stripe"

/**
 * Why a Stripe call failed, in one line: the API's error type (`invalid_request_error`, `card_error`…)
 * and HTTP status when Stripe answered, the SDK's class when it could not reach Stripe.
 */
const describe = (operation: string, cause: unknown): string => {
  if (!(cause instanceof Stripe.errors.StripeError)) return `Stripe ${operation} failed: ${String(cause)}`
  const kind = cause.rawType ?? cause.type
  const status = cause.statusCode === undefined ? "" : ` ${cause.statusCode}`
  return `Stripe ${operation} failed (${kind}${status}): ${cause.message}`
}

/**
 * Stripe answered no for good: a 4xx other than 429 (rate limited, which passes). Anything it did not
 * answer (network, timeout) or answered with a 5xx may pass on a retry.
 */
const refusedStatus = (cause: unknown): number | null =>
  cause instanceof Stripe.errors.StripeError &&
  cause.statusCode !== undefined &&
  cause.statusCode >= 400 &&
  cause.statusCode < 500 &&
  cause.statusCode !== 429
    ? cause.statusCode
    : null

/** Classify one SDK failure: PaymentRefused with Stripe's code, or PaymentGatewayError (retryable). */
export const gatewayFailure = (operation: string, cause: unknown): PaymentRefused | PaymentGatewayError => {
  const message = describe(operation, cause)
  const status = refusedStatus(cause)
  if (status === null || !(cause instanceof Stripe.errors.StripeError)) {
    return new PaymentGatewayError({ message, cause })
  }
  const code = cause.code ?? cause.rawType ?? cause.type
  return new PaymentRefused({ operation, code, status, message, cause })
}

/** Run one SDK call; a failure becomes PaymentRefused or PaymentGatewayError, keeping the SDK error. */
export const stripeCall = <A>(
  operation: string,
  call: () => Promise<A>,
): Effect.Effect<A, PaymentRefused | PaymentGatewayError> =>
  Effect.tryPromise({ try: call, catch: (cause) => gatewayFailure(operation, cause) })
