import { Context, type Effect, type Option } from "effect"
import type { StoreError } from "../errors.js"
import type { OrderId } from "../model/Ids.js"
import type { PaymentEvent } from "../model/PaymentEvent.js"
import type { ReceiveOutcome, WebhookEvent } from "../model/WebhookEvent.js"

/** The stripewebhookevents collection: one record per provider event id. */
export interface WebhookEventInbox {
  /**
   * Record a delivery in one round trip (upsert on the unique event id, attempts +1) and say whether it
   * is new, a retry of an unfinished event, or a duplicate of a processed one.
   */
  readonly receive: (event: PaymentEvent, at: Date) => Effect.Effect<ReceiveOutcome, StoreError>
  /**
   * Mark the event processed (idempotent); true when this call is the one that finished it, so two
   * deliveries processed side by side count one `processed`, not two.
   */
  readonly markProcessed: (
    stripeEventId: string,
    orderId: OrderId | null,
    at: Date,
  ) => Effect.Effect<boolean, StoreError>
  /** Mark the event `error` with a reason, unless it is already processed. */
  readonly markError: (
    stripeEventId: string,
    orderId: OrderId | null,
    reason: string,
    at: Date,
  ) => Effect.Effect<void, StoreError>
  /** One event record. */
  readonly find: (stripeEventId: string) => Effect.Effect<Option.Option<WebhookEvent>, StoreError>
  /** Events not processed and created before `before`: the runbook's "received but not finalized". */
  readonly findUnfinalized: (
    before: Date,
    limit: number,
  ) => Effect.Effect<ReadonlyArray<WebhookEvent>, StoreError>
}

export const WebhookEventInbox = Context.GenericTag<WebhookEventInbox>("@settle/domain/WebhookEventInbox")
