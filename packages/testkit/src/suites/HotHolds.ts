import { type Hold, OrderId } from "@settle/domain"
import { minute } from "../fixtures.js"

/**
 * Open holds on the hot document of the hot-holds tests (issue 13): enough that a store which walked
 * or copied every hold on each move would show it, few enough that the Mongo peers, which rewrite the
 * whole document on each write, keep each test within a few seconds.
 */
export const HOLDERS = 2_000

/** `count` holds by distinct keys, in hold order, as that many checkouts would have left them. */
export const manyHolds = (count: number, quantity: (i: number) => number = () => 1): Array<Hold> =>
  Array.from({ length: count }, (_, i) => ({
    key: `ord_hot_${i}/0`,
    orderId: OrderId.make(`ord_hot_${i}`),
    quantity: quantity(i),
    at: minute(i % 60),
  }))

export const heldUnits = (holds: ReadonlyArray<Hold>): number => holds.reduce((sum, h) => sum + h.quantity, 0)
