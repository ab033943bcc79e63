import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { addInternalNote } from "../src/usecases/addInternalNote.js"
import { aConfirmedOrder, T0 } from "./support/fixtures.js"
import { makeWorld } from "./support/world.js"

const setup = () => {
  const world = makeWorld(T0)
  world.state.orders.set("ord_1", aConfirmedOrder("ord_1"))
  return world
}

describe("addInternalNote", () => {
  it("appends an audit record carrying the trimmed note", async () => {
    const world = setup()
    const record = Either.getOrThrow(
      await world.run(addInternalNote({ orderId: "ord_1", actor: "bob", note: "  called the customer  " })),
    )
    expect(record).toMatchObject({
      action: "order.note",
      actor: "bob",
      orderId: "ord_1",
      reason: "called the customer",
    })
    expect(record.at).toEqual(T0)
    expect(record.id).toMatch(/^aud_/)
    expect(world.state.audit).toEqual([record])
  })

  it.each([
    ["an empty note", { note: "   " }, "note"],
    ["a note over 2000 characters", { note: "x".repeat(2001) }, "note"],
    ["a missing note", { note: undefined }, "note"],
    ["a missing actor", { actor: undefined }, "actor"],
    ["an operator-looking order id", { orderId: "$gt" }, "orderId"],
  ])("refuses %s naming the field", async (_name, change, field) => {
    const world = setup()
    const input = { orderId: "ord_1", actor: "bob", note: "ok", ...change }
    const result = await world.run(Effect.flip(addInternalNote(input)))
    expect(Either.getOrThrow(result)).toMatchObject({ _tag: "InvalidInput", field })
    expect(world.state.audit).toHaveLength(0)
  })

  it("reports an unknown order", async () => {
    const world = setup()
    const result = await world.run(
      Effect.flip(addInternalNote({ orderId: "ord_x", actor: "bob", note: "hi" })),
    )
    expect(Either.getOrThrow(result)).toMatchObject({ _tag: "OrderNotFound", key: "ord_x" })
    expect(world.state.audit).toHaveLength(0)
  })
})
