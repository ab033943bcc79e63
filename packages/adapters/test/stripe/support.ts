import { Effect } from "effect"
import type Stripe from "stripe"
import { inject } from "vitest"
import * as StripeClient from "../../src/stripe/StripeClient.js"

/** The stripe-mock the run's globalSetup started on loopback, or STRIPE_MOCK_URL. */
export const stripeMockUrl = (): string => inject("stripeMockUrl")

// stripe-mock accepts only keys of exactly three `_`-separated parts, like sk_test_123.
export const SECRET_KEY = "sk_test_settleAdapters"
export const WEBHOOK_SECRET = "whsec_settle_adapters_test"

/** What the SDK announces before each request; `body` is there because the client emits bodies. */
export type SentRequest = Stripe.RequestEvent & { readonly body?: unknown }

/**
 * A client on stripe-mock that records every request it sends. No retries: a refused request must
 * show up once, and an unreachable host must fail at once.
 */
export const recordingClient = (apiBaseUrl: string = stripeMockUrl()) =>
  Effect.map(
    StripeClient.make({ secretKey: SECRET_KEY, apiBaseUrl, maxNetworkRetries: 0, emitEventBodies: true }),
    (stripe) => {
      const requests: Array<SentRequest> = []
      stripe.on("request", (request: SentRequest) => requests.push(request))
      return { stripe, requests }
    },
  )

/** A loopback port nothing listens on (taken from the system, then released). */
export { freePort as closedPort } from "../support/freePort.js"

/** The failure of a program that must fail (a success fails the test). */
export const failureOf = <A, E, R>(program: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.either(program), (result) =>
    result._tag === "Left"
      ? Effect.succeed(result.left)
      : Effect.dieMessage("expected a failure, got a success"),
  )
