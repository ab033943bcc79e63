import { addInternalNote, OrderId } from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { auditTrail, confirmedOrder, run, T0 } from "./support.js"

/** The confirmed order of `confirmedOrder()`: the first order of a fresh world. */
const ORDER = OrderId.make("ord_000001")

describe("addInternalNote", () => {
  it("appends an audit record carrying the trimmed note", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const record = yield* addInternalNote({
          orderId: ORDER,
          actor: "bob",
          note: "  called the customer  ",
        })
        expect(record).toMatchObject({
          action: "order.note",
          actor: "bob",
          orderId: ORDER,
          reason: "called the customer",
        })
        expect(record.at).toEqual(T0)
        expect(record.id).toMatch(/^aud_/)
        expect(yield* auditTrail).toEqual([record])
      }),
    ))

  it.each([
    ["an empty note", { note: "   " }, "note"],
    ["a note over 2000 characters", { note: "x".repeat(2001) }, "note"],
    ["a missing note", { note: undefined }, "note"],
    ["a missing actor", { actor: undefined }, "actor"],
    ["an operator-looking order id", { orderId: "$gt" }, "orderId"],
  ])("refuses %s naming the field", (_name, change, field) =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const input = { orderId: ORDER, actor: "bob", note: "ok", ...change }
        const result = yield* Effect.flip(addInternalNote(input))
        expect(result).toMatchObject({ _tag: "InvalidInput", field })
        expect(yield* auditTrail).toHaveLength(0)
      }),
    ),
  )

  it("reports an unknown order", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const result = yield* Effect.flip(addInternalNote({ orderId: "ord_x", actor: "bob", note: "hi" }))
        expect(result).toMatchObject({ _tag: "OrderNotFound", key: "ord_x" })
        expect(yield* auditTrail).toHaveLength(0)
      }),
    ))
})
