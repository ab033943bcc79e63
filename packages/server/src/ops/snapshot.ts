import {
  AuditLog,
  type AuditRecord,
  type Coupon,
  type CouponId,
  CouponRepository,
  type CouponReservation,
  CouponReservationRepository,
  Ledger,
  type LedgerEntry,
  type Order,
  type OrderId,
  OrderRepository,
  type Product,
  ProductCatalog,
  type ProductId,
  type StoragePorts,
  type WebhookEvent,
  WebhookEventInbox,
} from "@settle/domain"
import { Effect, Option } from "effect"

/** The records a recovery command may touch: what its dry run copies and what its report compares. */
export interface Scope {
  readonly orders: ReadonlySet<OrderId>
  readonly products: ReadonlySet<ProductId>
  readonly coupons: ReadonlySet<CouponId>
  /** `<couponId>/<orderId>` */
  readonly reservations: ReadonlySet<string>
  readonly events: ReadonlySet<string>
}

export const reservationKey = (couponId: CouponId, orderId: OrderId): string => `${couponId}/${orderId}`

export const scope = (parts: {
  readonly orders?: Iterable<OrderId>
  readonly products?: Iterable<ProductId>
  readonly coupons?: Iterable<CouponId>
  readonly reservations?: Iterable<string>
  readonly events?: Iterable<string>
}): Scope => ({
  orders: new Set(parts.orders ?? []),
  products: new Set(parts.products ?? []),
  coupons: new Set(parts.coupons ?? []),
  reservations: new Set(parts.reservations ?? []),
  events: new Set(parts.events ?? []),
})

export const union = (scopes: ReadonlyArray<Scope>): Scope =>
  scope({
    orders: scopes.flatMap((s) => [...s.orders]),
    products: scopes.flatMap((s) => [...s.products]),
    coupons: scopes.flatMap((s) => [...s.coupons]),
    reservations: scopes.flatMap((s) => [...s.reservations]),
    events: scopes.flatMap((s) => [...s.events]),
  })

/** An order and everything its finalization or release moves: stock, coupon, reservation record. */
export const orderScope = (order: Order): Scope =>
  scope({
    orders: [order.id],
    products: order.items.map((item) => item.productId),
    coupons: order.couponId === null ? [] : [order.couponId],
    reservations: order.couponId === null ? [] : [reservationKey(order.couponId, order.id)],
  })

/** The records one order's recovery may touch, read from the store; empty when there is no such order. */
export const scopeOfOrder = (orderId: OrderId) =>
  Effect.map(
    Effect.flatMap(OrderRepository, (orders) => orders.findById(orderId)),
    (found): Scope => Option.match(found, { onNone: () => scope({}), onSome: orderScope }),
  )

export interface Snapshot {
  readonly orders: ReadonlyMap<string, Order>
  /** By order id. */
  readonly ledger: ReadonlyMap<string, ReadonlyArray<LedgerEntry>>
  /** By order id. */
  readonly audit: ReadonlyMap<string, ReadonlyArray<AuditRecord>>
  readonly products: ReadonlyMap<string, Product>
  readonly coupons: ReadonlyMap<string, Coupon>
  readonly reservations: ReadonlyMap<string, CouponReservation>
  readonly events: ReadonlyMap<string, WebhookEvent>
}

const found = <K, V>(entries: ReadonlyArray<readonly [K, Option.Option<V>]>): ReadonlyMap<K, V> =>
  new Map(entries.flatMap(([key, value]) => (Option.isSome(value) ? [[key, value.value] as const] : [])))

/** A few reads in flight at once: a job's scope can run to thousands of records, each one round trip. */
const each = <A, B, E, R>(items: Iterable<A>, read: (item: A) => Effect.Effect<B, E, R>) =>
  Effect.forEach([...items], (item) => Effect.map(read(item), (value) => [item, value] as const), {
    concurrency: 4,
  })

/** The scope's records as they are now in the store the ports point at. */
export const takeSnapshot = (of: Scope) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    const catalog = yield* ProductCatalog
    const coupons = yield* CouponRepository
    const reservations = yield* CouponReservationRepository
    const inbox = yield* WebhookEventInbox
    const ledger = yield* Ledger
    const audit = yield* AuditLog
    const snapshot: Snapshot = {
      orders: found(yield* each(of.orders, orders.findById)),
      ledger: new Map(yield* each(of.orders, ledger.listByOrder)),
      audit: new Map(yield* each(of.orders, audit.listByOrder)),
      products: found(yield* each(of.products, catalog.findById)),
      coupons: found(yield* each(of.coupons, coupons.findById)),
      reservations: found(
        yield* each(of.reservations, (key) => {
          const [couponId, orderId] = key.split("/") as [CouponId, OrderId]
          return reservations.find(couponId, orderId)
        }),
      ),
      events: found(yield* each(of.events, inbox.find)),
    }
    return snapshot
  })

/** An event record rebuilt through the inbox's own writes: received `attempts` times, then settled. */
const loadEvent = (inbox: WebhookEventInbox, event: WebhookEvent) =>
  Effect.gen(function* () {
    for (let attempt = 0; attempt < event.attempts; attempt++)
      yield* inbox.receive(event.payload, event.createdAt)
    if (event.status === "processed") {
      yield* inbox.markProcessed(event.stripeEventId, event.orderId, event.processedAt ?? event.updatedAt)
    } else if (event.status === "error") {
      yield* inbox.markError(event.stripeEventId, event.orderId, event.lastError ?? "error", event.updatedAt)
    }
  })

/** Writes a snapshot into an empty store (the dry run's in-memory copy). */
export const loadSnapshot = (snapshot: Snapshot): Effect.Effect<void, unknown, StoragePorts> =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    const catalog = yield* ProductCatalog
    const coupons = yield* CouponRepository
    const reservations = yield* CouponReservationRepository
    const inbox = yield* WebhookEventInbox
    const ledger = yield* Ledger
    const audit = yield* AuditLog
    yield* Effect.forEach(snapshot.orders.values(), orders.insert, { discard: true })
    yield* Effect.forEach(snapshot.products.values(), catalog.insert, { discard: true })
    yield* Effect.forEach(snapshot.coupons.values(), coupons.insert, { discard: true })
    yield* Effect.forEach(snapshot.reservations.values(), reservations.insert, { discard: true })
    yield* Effect.forEach(snapshot.events.values(), (event) => loadEvent(inbox, event), { discard: true })
    yield* Effect.forEach([...snapshot.ledger.values()].flat(), ledger.append, { discard: true })
    yield* Effect.forEach([...snapshot.audit.values()].flat(), audit.append, { discard: true })
  })
