import { PaymentGatewayError } from "@settle/domain"
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

/** Run one SDK call; any failure, answered or not, becomes a PaymentGatewayError keeping the SDK error. */
export const stripeCall = <A>(
  operation: string,
  call: () => Promise<A>,
): Effect.Effect<A, PaymentGatewayError> =>
  Effect.tryPromise({
    try: call,
    catch: (cause) => new PaymentGatewayError({ message: describe(operation, cause), cause }),
  })
