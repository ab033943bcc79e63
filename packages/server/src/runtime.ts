import type { PrometheusRegistry, StripeWebhookEvents } from "@settle/adapters"
import type {
  Clock,
  IdGenerator,
  InvoiceProvider,
  MediaStorage,
  Metrics,
  PaymentGateway,
  StoragePorts,
} from "@settle/domain"
import type { ManagedRuntime } from "effect"
import type { AdminAuth } from "./auth/AdminAuth.js"

/** Every service a route's Effect may ask for; the bootstrap's layer provides exactly these. */
export type AppServices =
  | StoragePorts
  | Clock
  | IdGenerator
  | PaymentGateway
  | InvoiceProvider
  | Metrics
  | PrometheusRegistry
  | StripeWebhookEvents
  | AdminAuth
  | MediaStorage

/** The one runtime built at boot and disposed at shutdown (which closes the Mongo pool). */
export type AppRuntime = ManagedRuntime.ManagedRuntime<AppServices, unknown>
