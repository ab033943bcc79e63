import {
  MongoDatabase,
  MongoStorage,
  PinoLogger,
  PromMetrics,
  RandomIds,
  StripeClient,
  StripePaymentGateway,
  SystemClock,
} from "@settle/adapters"
import {
  type Clock,
  type IdGenerator,
  type InvoiceProvider,
  type Metrics,
  PaymentGateway,
  PaymentGatewayError,
  type StoragePorts,
} from "@settle/domain"
import { Effect, Layer } from "effect"
import type { OpsConfig, StoreConfig } from "./opsConfig.js"
import { invoiceProviderLayer } from "./opsInvoices.js"

/** Everything an ops command's Effect may ask for. */
export type OpsServices = StoragePorts | Clock | IdGenerator | Metrics | PaymentGateway | InvoiceProvider

/**
 * What the CLI asks a payment provider: a session's current state (replay by session), and the refund
 * of a payment held for review (review-refund, under its idempotency key). It never opens a session.
 */
const forOperators = (gateway: PaymentGateway): PaymentGateway =>
  PaymentGateway.of({
    retrieveSession: gateway.retrieveSession,
    openSession: () =>
      Effect.fail(new PaymentGatewayError({ message: "the ops CLI never opens payment sessions" })),
    refund: gateway.refund,
  })

const notConfigured = (() => {
  const refuse = (what: string) =>
    Effect.fail(new PaymentGatewayError({ message: `STRIPE_SECRET_KEY is not set, so ${what}` }))
  return PaymentGateway.of({
    retrieveSession: () =>
      refuse(
        "the session's state cannot be asked of Stripe; set the key the server uses, or replay by --event <stripeEventId>",
      ),
    openSession: () => refuse("no session can be opened"),
    refund: () =>
      refuse("nothing can be refunded; set the key the server uses, then run the same command again"),
  })
})()

const gatewayLayer = (stripe: OpsConfig["stripe"]): Layer.Layer<PaymentGateway, PaymentGatewayError> => {
  if (stripe === null) return Layer.succeed(PaymentGateway, notConfigured)
  // Checkout pages are never opened from here; the gateway only needs them to exist.
  const pages = { successUrl: "https://ops.invalid/success", cancelUrl: "https://ops.invalid/cancel" }
  return Layer.effect(
    PaymentGateway,
    Effect.map(StripeClient.make({ ...stripe, timeoutMs: 10_000, maxNetworkRetries: 1 }), (client) =>
      forOperators(StripePaymentGateway.make(client, pages)),
    ),
  )
}

/**
 * The store the server uses (no index creation: the server owns its indexes), the real clock and ids,
 * Stripe for reads and review refunds, and logs on stderr so stdout stays the command's output. A CLI run is never
 * scraped: its counters die with it, and the server's gauges read the outcome from the store.
 */
export const opsLayer = (config: StoreConfig): Layer.Layer<OpsServices, unknown> =>
  Layer.mergeAll(
    Layer.provideMerge(
      invoiceProviderLayer(config),
      Layer.provide(
        MongoStorage.layer,
        MongoDatabase.layer({ ...config.mongo, serverSelectionTimeoutMS: 5_000, maxPoolSize: 4 }),
      ),
    ),
    gatewayLayer(config.stripe),
    SystemClock.layer,
    RandomIds.layer,
    PromMetrics.layer,
    PinoLogger.layer(
      PinoLogger.makePino({
        level: config.logLevel,
        pretty: process.stderr.isTTY === true,
        destination: process.stderr,
      }),
    ),
  )
