import type {
  AuditRecord,
  Coupon,
  CouponReservation,
  LedgerEntry,
  Order,
  Product,
  WebhookEvent,
} from "@settle/domain"
import type { Snapshot } from "./snapshot.js"
import { amount } from "./table.js"

type Value = string | number | boolean | null

/** One field of one record that a command changed (or, in a dry run, would change). */
export interface Change {
  /** `order ord_1`, `product MUG-1`, `coupon SAVE10`, `reservation SAVE10/ord_1`, `event evt_1`, … */
  readonly record: string
  readonly field: string
  readonly before: Value
  readonly after: Value
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString())

const holdKeys = (holds: ReadonlyArray<{ readonly key: string; readonly quantity: number }>): string =>
  holds.length === 0 ? "(none)" : holds.map((hold) => `${hold.key}×${hold.quantity}`).join(", ")

/** The fields an operator checks after a recovery step; never the order's access token. */
const orderFields = (order: Order): Record<string, Value> => ({
  status: order.status,
  reviewReason: order.reviewReason,
  holdEpoch: order.holdEpoch,
  "webhook.processedAt": iso(order.webhook.processedAt),
  "webhook.lastEventId": order.webhook.lastEventId,
  "payment.paymentIntentId": order.payment.paymentIntentId,
  "payment.amountReceived": order.payment.amountReceived,
  "invoice.status": order.invoice.status,
  "invoice.attempts": order.invoice.attempts,
  "invoice.nextAttemptAt": iso(order.invoice.nextAttemptAt),
  "invoice.lastError": order.invoice.lastError,
  "invoice.number": order.invoice.number,
})

const productFields = (product: Product): Record<string, Value> => ({
  "stock.available": product.stock.available,
  "stock.reserved": product.stock.reserved,
  "stock.committed": product.stock.committed,
  holds: holdKeys(product.holds),
})

const couponFields = (coupon: Coupon): Record<string, Value> => ({
  available: coupon.available,
  reservedCount: coupon.reservedCount,
  redeemedCount: coupon.redeemedCount,
  holds: holdKeys(coupon.holds),
})

const reservationFields = (reservation: CouponReservation): Record<string, Value> => ({
  status: reservation.status,
  expiresAt: iso(reservation.expiresAt),
})

const eventFields = (event: WebhookEvent): Record<string, Value> => ({
  status: event.status,
  attempts: event.attempts,
  lastError: event.lastError,
  orderId: event.orderId,
  processedAt: iso(event.processedAt),
})

const compare = <A>(
  label: (key: string, record: A) => string,
  fields: (record: A) => Record<string, Value>,
  before: ReadonlyMap<string, A>,
  after: ReadonlyMap<string, A>,
): ReadonlyArray<Change> =>
  [...before].flatMap(([key, old]) => {
    const now = after.get(key)
    if (now === undefined) return []
    const was = fields(old)
    const is = fields(now)
    return Object.keys(is)
      .filter((field) => was[field] !== is[field])
      .map((field) => ({
        record: label(key, old),
        field,
        before: was[field] ?? null,
        after: is[field] ?? null,
      }))
  })

/** Entries present after and not before: ledger and audit only ever grow. */
const appended = <A extends { readonly id: string }>(
  record: (orderId: string) => string,
  describe: (entry: A) => readonly [string, string],
  before: ReadonlyMap<string, ReadonlyArray<A>>,
  after: ReadonlyMap<string, ReadonlyArray<A>>,
): ReadonlyArray<Change> =>
  [...after].flatMap(([orderId, entries]) => {
    const known = new Set((before.get(orderId) ?? []).map((entry) => entry.id))
    return entries
      .filter((entry) => !known.has(entry.id))
      .map((entry) => {
        const [field, value] = describe(entry)
        return { record: record(orderId), field, before: null, after: value }
      })
  })

const ledgerEntry = (entry: LedgerEntry) =>
  [`+${entry.kind}`, `${amount(entry.amount.amount, entry.amount.currency)} (${entry.externalId})`] as const

const auditEntry = (entry: AuditRecord) =>
  [`+${entry.action}`, `${entry.actor}: ${entry.reason ?? ""}`] as const

/** Every tracked field that differs between two snapshots of the same scope. */
export const diff = (before: Snapshot, after: Snapshot): ReadonlyArray<Change> => {
  const couponCode = (id: string) => before.coupons.get(id)?.code ?? id
  return [
    ...compare((id) => `order ${id}`, orderFields, before.orders, after.orders),
    ...appended((id) => `ledger ${id}`, ledgerEntry, before.ledger, after.ledger),
    ...compare((_, p) => `product ${p.sku}`, productFields, before.products, after.products),
    ...compare((_, c) => `coupon ${c.code}`, couponFields, before.coupons, after.coupons),
    ...compare(
      (_, r) => `reservation ${couponCode(r.couponId)}/${r.orderId}`,
      reservationFields,
      before.reservations,
      after.reservations,
    ),
    ...compare((id) => `event ${id}`, eventFields, before.events, after.events),
    ...appended((id) => `audit ${id}`, auditEntry, before.audit, after.audit),
  ]
}

const shown = (value: Value): string => (value === null ? "null" : String(value))

/** `order ord_1: status paid → confirmed`; appended entries read `ledger ord_1: +payment 30.00 EUR (pi_1)`. */
export const changeLines = (changes: ReadonlyArray<Change>): ReadonlyArray<string> =>
  changes.map((change) =>
    change.before === null && change.field.startsWith("+")
      ? `  ${change.record}: ${change.field} ${shown(change.after)}`
      : `  ${change.record}: ${change.field} ${shown(change.before)} → ${shown(change.after)}`,
  )
