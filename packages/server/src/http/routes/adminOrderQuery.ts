import {
  Clock,
  DEFAULT_STALE_AFTER_MS,
  decodeInput,
  Email,
  InvalidInput,
  InvoiceStatus,
  type Order,
  type OrderCursor,
  OrderId,
  type OrderListQuery,
  OrderRepository,
  OrderStatus,
  PaymentIntentId,
  SessionId,
} from "@settle/domain"
import { Effect, Schema } from "effect"

/** Largest page the listing serves; a bigger `limit` is refused, not silently cut. */
export const MAX_PAGE = 100
const DEFAULT_PAGE = 50

/** Date or date-time; a time needs its zone, since a zoneless one would be read in the server's zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/

const Instant = (field: string) =>
  Schema.String.pipe(
    Schema.pattern(ISO_INSTANT, {
      message: () => `${field} must be an ISO 8601 date or date-time with a zone, like 2030-01-31T12:00:00Z`,
    }),
    Schema.compose(Schema.Date),
  )

/** The page position, opaque to clients: base64url of `[createdAt millis, order id]`. */
const Cursor = Schema.compose(
  Schema.StringFromBase64Url,
  Schema.parseJson(Schema.Tuple(Schema.Int, OrderId)),
).annotations({
  message: () => ({ message: "cursor must be a nextCursor this endpoint returned", override: true }),
})

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

/** `GET /api/v1/admin/orders` query parameters; an unknown or repeated one is refused by name. */
const ListQuery = Schema.Struct({
  status: optional(OrderStatus),
  sessionId: optional(SessionId),
  paymentIntentId: optional(PaymentIntentId),
  email: optional(Email),
  createdFrom: optional(Instant("createdFrom")),
  createdBefore: optional(Instant("createdBefore")),
  // The runbook's "stuck paid orders" query; `paid` is the only stuck state it names.
  stuck: optional(Schema.Literal("paid")),
  invoice: optional(InvoiceStatus),
  cursor: optional(Cursor),
  limit: optional(
    Schema.NumberFromString.pipe(
      Schema.int(),
      Schema.between(1, MAX_PAGE, { message: () => `limit must be an integer from 1 to ${MAX_PAGE}` }),
    ),
  ),
})
type ListQuery = typeof ListQuery.Type

export const encodeCursor = (order: OrderCursor): string =>
  Schema.encodeSync(Cursor)([order.createdAt.getTime(), order.id])

const checkRange = (q: ListQuery) =>
  q.createdFrom !== undefined && q.createdBefore !== undefined && q.createdFrom >= q.createdBefore
    ? Effect.fail(
        new InvalidInput({ field: "createdBefore", message: "createdBefore must be after createdFrom" }),
      )
    : Effect.void

const toListQuery = (q: ListQuery, now: Date, limit: number): OrderListQuery => ({
  limit,
  ...(q.status === undefined ? {} : { status: q.status }),
  ...(q.sessionId === undefined ? {} : { sessionId: q.sessionId }),
  ...(q.paymentIntentId === undefined ? {} : { paymentIntentId: q.paymentIntentId }),
  ...(q.email === undefined ? {} : { customerEmail: q.email }),
  ...(q.createdFrom === undefined ? {} : { createdFrom: q.createdFrom }),
  ...(q.createdBefore === undefined ? {} : { createdBefore: q.createdBefore }),
  ...(q.stuck === undefined ? {} : { stuckPaidBefore: new Date(now.getTime() - DEFAULT_STALE_AFTER_MS) }),
  ...(q.invoice === undefined ? {} : { invoiceStatus: q.invoice }),
  ...(q.cursor === undefined ? {} : { after: { createdAt: new Date(q.cursor[0]), id: q.cursor[1] } }),
})

export interface OrderPage {
  readonly orders: ReadonlyArray<Order>
  /** Pass as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null
}

/** One page of orders, newest first; one order more than asked tells whether another page exists. */
export const listOrders = (query: unknown) =>
  Effect.gen(function* () {
    const q = yield* decodeInput(ListQuery)(query)
    yield* checkRange(q)
    const limit = q.limit ?? DEFAULT_PAGE
    const now = yield* (yield* Clock).now
    const found = yield* (yield* OrderRepository).list(toListQuery(q, now, limit + 1))
    const orders = found.slice(0, limit)
    const last = orders.at(-1)
    const page: OrderPage = {
      orders,
      nextCursor: found.length > limit && last !== undefined ? encodeCursor(last) : null,
    }
    return page
  })
