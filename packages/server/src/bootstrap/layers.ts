import {
  ensureIndexes,
  MongoDatabase,
  MongoStorage,
  memoryStorage,
  PinoLogger,
  PromMetrics,
  RandomIds,
  SandboxPaymentGateway,
  StripeClient,
  StripePaymentGateway,
  StripeWebhooks,
  SystemClock,
} from "@settle/adapters"
import type { InvoiceMode, SessionId, StoragePorts } from "@settle/domain"
import { Effect, Layer } from "effect"
import type { Logger } from "pino"
import * as AdminAuth from "../auth/AdminAuth.js"
import type { AppServices } from "../runtime.js"
import { seedDemoShop } from "../seed.js"
import { invoicing } from "./invoicing.js"
import { DEFAULT_MEDIA_PLAN, type MediaStorePlan, mediaLayer } from "./media.js"
import { admitStore, StoreTraits } from "./storeAtomicity.js"

export type StoragePlan =
  | { readonly _tag: "Memory" }
  | {
      readonly _tag: "Mongo"
      readonly uri: string
      readonly dbName?: string | undefined
      /** ALLOW_NON_ATOMIC_STORE: start on a store whose conditional writes race (FerretDB); refused when absent. */
      readonly allowNonAtomicStore?: boolean
    }

export type PaymentsPlan =
  | { readonly _tag: "Sandbox"; readonly webhookSecret: string }
  | {
      readonly _tag: "Stripe"
      readonly secretKey: string
      readonly webhookSecret: string
      readonly apiBaseUrl?: string | undefined
    }

export interface LayerPlan {
  readonly storage: StoragePlan
  readonly payments: PaymentsPlan
  readonly admin: AdminAuth.AdminAuthConfig
  /** Where customers reach this server; read lazily, since PORT=0 is known only once listening. */
  readonly publicUrl: () => string
  readonly logger: Logger
  /** INVOICE_MODE: the invoice mode until an operator switches it at runtime; "none" when absent. */
  readonly invoiceMode?: InvoiceMode
  /** Where admin uploads go; local disk in the temp directory when absent. */
  readonly media?: MediaStorePlan
}

/**
 * The sandbox signs and the server verifies with the Stripe SDK's own webhook code, which needs a
 * client instance but never calls the API: this key only satisfies the constructor.
 */
const OFFLINE_STRIPE_KEY = "sk_test_settle_sandbox_offline"

/** In memory, seeded with the demo shop so the banner's curl walk-through has something to buy. */
const memory: Layer.Layer<StoragePorts> = Layer.tap(memoryStorage, (ports) =>
  seedDemoShop(new Date()).pipe(Effect.provide(ports), Effect.orDie),
)

/**
 * Connect, refuse a store whose conditional writes race unless told otherwise, create the indexes the
 * writes rely on, say `[db] connected` (the runbook looks for it).
 */
const mongo = (plan: Extract<StoragePlan, { _tag: "Mongo" }>, logger: Logger) => {
  const { uri, dbName } = plan
  const admitted = Layer.effect(
    StoreTraits,
    Effect.gen(function* () {
      // The connection already asked the server what it is (one buildInfo, on connect).
      const { db, traits } = yield* MongoDatabase.MongoDatabase
      yield* admitStore(traits, plan.allowNonAtomicStore === true, logger)
      yield* ensureIndexes(db)
      logger.info({ store: traits.name }, `[db] connected (database ${db.databaseName}, indexes ensured)`)
      return traits
    }),
  )
  // The database stays in the context: dispose closes its pool, and tests and ops can reach it.
  const database = Layer.provideMerge(
    admitted,
    MongoDatabase.layer(dbName === undefined ? { uri } : { uri, dbName }),
  )
  return Layer.provideMerge(MongoStorage.layer, database)
}

const storage = (plan: LayerPlan) =>
  plan.storage._tag === "Memory" ? memory : mongo(plan.storage, plan.logger)

const payments = (plan: LayerPlan) => {
  const checkout = (sessionId: SessionId) => `${plan.publicUrl()}/sandbox/checkout/${sessionId}`
  if (plan.payments._tag === "Sandbox") {
    const client = StripeClient.layer({ secretKey: OFFLINE_STRIPE_KEY })
    return Layer.mergeAll(
      SandboxPaymentGateway.layerWith({ checkoutUrl: checkout }),
      client,
      Layer.provide(StripeWebhooks.layer({ webhookSecret: plan.payments.webhookSecret }), client),
    )
  }
  const { secretKey, apiBaseUrl, webhookSecret } = plan.payments
  const client = StripeClient.layer(apiBaseUrl === undefined ? { secretKey } : { secretKey, apiBaseUrl })
  const gateway = StripePaymentGateway.layer({
    // The reference server has no storefront; a shop in front of it replaces these pages.
    successUrl: `${plan.publicUrl()}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${plan.publicUrl()}/checkout/cancelled?session_id={CHECKOUT_SESSION_ID}`,
  })
  return Layer.provideMerge(Layer.merge(gateway, StripeWebhooks.layer({ webhookSecret })), client)
}

/**
 * Everything the routes' Effects use, chosen by config. Built once into the ManagedRuntime at boot;
 * in sandbox mode it also carries SandboxControl, fetched by the bootstrap for the pay page.
 */
export const appLayer = (plan: LayerPlan): Layer.Layer<AppServices, unknown> =>
  Layer.mergeAll(
    // The invoice provider reads the mode operators switch from the store and issues via the Stripe client.
    Layer.provideMerge(
      invoicing(plan.payments, plan.invoiceMode ?? "none"),
      Layer.merge(storage(plan), payments(plan)),
    ),
    SystemClock.layer,
    RandomIds.layer,
    PromMetrics.layer,
    AdminAuth.layer(plan.admin),
    PinoLogger.layer(plan.logger),
    mediaLayer(plan.media ?? DEFAULT_MEDIA_PLAN.store, plan.publicUrl),
  )
