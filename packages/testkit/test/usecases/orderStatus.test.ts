import { isFinalized, OrderAction, OrderStatus, sourcesOf, transition } from "@settle/domain"
import { Either } from "effect"
import { describe, expect, it } from "vitest"

const STATUSES = OrderStatus.literals
const ACTIONS = OrderAction.literals

/** DESIGN §2 and §3, written out independently of the implementation's table. */
const LEGAL: ReadonlyArray<readonly [OrderStatus, OrderAction, OrderStatus]> = [
  ["pending", "pay", "paid"],
  // A payment for an order expired or cancelled locally is honored when its capacity can be held again.
  ["expired", "pay", "paid"],
  ["cancelled", "pay", "paid"],
  ["paid", "confirm", "confirmed"],
  ["pending", "review", "payment_review"],
  ["paid", "review", "payment_review"],
  ["expired", "review", "payment_review"],
  ["cancelled", "review", "payment_review"],
  ["pending", "expire", "expired"],
  ["pending", "cancel", "cancelled"],
  ["confirmed", "refund_partially", "partially_refunded"],
  ["partially_refunded", "refund_partially", "partially_refunded"],
  ["confirmed", "refund_fully", "refunded"],
  ["partially_refunded", "refund_fully", "refunded"],
  // Only a human leaves payment_review: accepting re-enters finalization, refunding closes the order.
  ["payment_review", "accept_review", "paid"],
  ["payment_review", "refund_review", "refunded"],
]

const legalTarget = (from: OrderStatus, action: OrderAction) =>
  LEGAL.find(([source, act]) => source === from && act === action)?.[2]

const ILLEGAL = STATUSES.flatMap((from) =>
  ACTIONS.filter((action) => legalTarget(from, action) === undefined).map(
    (action) => [from, action] as const,
  ),
)

describe("OrderStatus.transition", () => {
  it.each(LEGAL)("%s --%s--> %s", (from, action, to) => {
    expect(transition(from, action)).toEqual(Either.right(to))
  })

  it.each(ILLEGAL)("refuses %s --%s--> as IllegalTransition", (from, action) => {
    const result = transition(from, action)
    if (Either.isRight(result)) throw new Error(`${from} --${action}--> ${result.right} should be illegal`)
    expect(result.left).toMatchObject({ _tag: "IllegalTransition", from, action })
  })

  it("has every status and action covered by the two lists above", () => {
    expect(LEGAL.length + ILLEGAL.length).toBe(STATUSES.length * ACTIONS.length)
    expect(ILLEGAL).toContainEqual(["confirmed", "pay"])
    expect(ILLEGAL).toContainEqual(["refunded", "refund_partially"])
    expect(ILLEGAL).toContainEqual(["payment_review", "confirm"])
    expect(ILLEGAL).toContainEqual(["paid", "expire"])
  })

  it("leaves payment_review only by a human's decision, and never leaves refunded", () => {
    const human: ReadonlyArray<OrderAction> = ["accept_review", "refund_review"]
    for (const action of ACTIONS) {
      expect(Either.isLeft(transition("payment_review", action))).toBe(!human.includes(action))
      expect(Either.isLeft(transition("refunded", action))).toBe(true)
    }
    for (const action of human) expect(sourcesOf(action)).toEqual(["payment_review"])
  })

  it.each(ACTIONS)("sourcesOf(%s) lists exactly the statuses it may start from", (action) => {
    const expected = LEGAL.filter(([, act]) => act === action).map(([from]) => from)
    expect([...sourcesOf(action)].sort()).toEqual([...expected].sort())
  })

  it("calls confirmed, partially_refunded and refunded finalized, and nothing else", () => {
    expect(STATUSES.filter(isFinalized)).toEqual(["confirmed", "partially_refunded", "refunded"])
  })
})
