import {
  Clock,
  DEFAULT_PAGE,
  DEFAULT_STALE_AFTER_MS,
  decodeInput,
  Email,
  InputRefused,
  InvoiceStatus,
  type Order,
  type OrderCursor,
  OrderId,
  OrderRepository,
  type OrderListQuery as OrderRepositoryQuery,
  OrderStatus,
  PaymentIntentId,
  pageCursor,
  pageOf,
  positionOf,
  SessionId,
} from "@settle/domain"
import { Effect, Schema } from "effect"
import { listQuery } from "../pagination.js"

/**
 * Date or date-time; a time needs its zone, since a zoneless one would be read in the server's zone.
 * Each field within its range, so every text the pattern admits is a real instant (a day past the
 * month's end rolls over, as JavaScript's Date reads it), and the document's pattern is the whole rule.
 */
const ISO_INSTANT =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?$/

const Instant = (field: string) =>
  Schema.String.pipe(
    Schema.pattern(ISO_INSTANT, {
      message: () => `${field} must be an ISO 8601 date or date-time with a zone, like 2030-01-31T12:00:00Z`,
    }),
    Schema.compose(Schema.Date),
  )

/** The most milliseconds from the epoch a Date holds; a cursor past it names no order. */
const MAX_DATE_MS = 8.64e15

/** The page position, opaque to clients: base64url of `[createdAt millis, order id]`. */
const Cursor = pageCursor(Schema.Tuple(Schema.Int.pipe(Schema.between(-MAX_DATE_MS, MAX_DATE_MS)), OrderId))

/** `GET /api/v1/admin/orders` query parameters; an unknown or repeated one is refused by name. */
export const OrderListQuery = listQuery({
  status: OrderStatus,
  sessionId: SessionId,
  paymentIntentId: PaymentIntentId,
  email: Email,
  createdFrom: Instant("createdFrom"),
  createdBefore: Instant("createdBefore"),
  // The runbook's "stuck paid orders" query; `paid` is the only stuck state it names.
  stuck: Schema.Literal("paid"),
  invoice: InvoiceStatus,
})
type ListQuery = typeof OrderListQuery.Type

export const encodeCursor = (order: OrderCursor): string =>
  Schema.encodeSync(Cursor)([order.createdAt.getTime(), order.id])

/** The position a `cursor` names: 400 when it is not cursor-shaped, 422 when it names no order position. */
const orderPositionOf = (cursor: string | undefined) =>
  cursor === undefined
    ? Effect.succeed(undefined)
    : Effect.map(
        positionOf(Cursor)(cursor),
        ([millis, id]): OrderCursor => ({ createdAt: new Date(millis), id }),
      )

// Each bound matches the document alone; only their order is refused, so 422 rather than 400.
const checkRange = (q: ListQuery) =>
  q.createdFrom !== undefined && q.createdBefore !== undefined && q.createdFrom >= q.createdBefore
    ? Effect.fail(
        new InputRefused({ field: "createdBefore", message: "createdBefore must be after createdFrom" }),
      )
    : Effect.void

const toListQuery = (
  q: ListQuery,
  after: OrderCursor | undefined,
  now: Date,
  limit: number,
): OrderRepositoryQuery => ({
  limit,
  ...(q.status === undefined ? {} : { status: q.status }),
  ...(q.sessionId === undefined ? {} : { sessionId: q.sessionId }),
  ...(q.paymentIntentId === undefined ? {} : { paymentIntentId: q.paymentIntentId }),
  ...(q.email === undefined ? {} : { customerEmail: q.email }),
  ...(q.createdFrom === undefined ? {} : { createdFrom: q.createdFrom }),
  ...(q.createdBefore === undefined ? {} : { createdBefore: q.createdBefore }),
  ...(q.stuck === undefined ? {} : { stuckPaidBefore: new Date(now.getTime() - DEFAULT_STALE_AFTER_MS) }),
  ...(q.invoice === undefined ? {} : { invoiceStatus: q.invoice }),
  ...(after === undefined ? {} : { after }),
})

export interface OrderPage {
  readonly orders: ReadonlyArray<Order>
  /** Pass as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null
}

/** One page of orders, newest first; one order more than asked tells whether another page exists. */
export const listOrders = (query: unknown) =>
  Effect.gen(function* () {
    const q = yield* decodeInput(OrderListQuery)(query)
    yield* checkRange(q)
    const after = yield* orderPositionOf(q.cursor)
    const limit = q.limit ?? DEFAULT_PAGE
    const now = yield* (yield* Clock).now
    const found = yield* (yield* OrderRepository).list(toListQuery(q, after, now, limit + 1))
    const { items, nextCursor } = pageOf(found, limit, encodeCursor)
    const page: OrderPage = { orders: items, nextCursor }
    return page
  })
