import type { Logger } from "pino"
import type { AppRuntime } from "../runtime.js"

/** What every route needs besides its path: the one runtime and the request limits. */
export interface RouteDeps {
  readonly runtime: AppRuntime
  readonly logger: Logger
  /** Largest request body read, in bytes. */
  readonly bodyLimitBytes: number
  /** How long a checkout holds stock and coupon capacity (the payment session expires with it). */
  readonly reservationTtlMs: number
  /** How long after its `created` a webhook event naming a missing order is answered 503; an hour when absent. */
  readonly webhookOrphanWindowMs?: number
}
