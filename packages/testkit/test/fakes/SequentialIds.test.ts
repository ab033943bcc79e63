import { IdGenerator } from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as SequentialIds from "../../src/fakes/SequentialIds.js"
import { suite } from "../../src/suites/IdGeneratorSuite.js"

suite("SequentialIds", SequentialIds.layer)

describe("SequentialIds numbering", () => {
  const run = <A>(program: Effect.Effect<A, never, IdGenerator>) =>
    Effect.runPromise(Effect.provide(program, SequentialIds.layer))

  it("counts per prefix, so expected ids do not depend on other draws", () =>
    run(
      Effect.gen(function* () {
        const ids = yield* IdGenerator
        const drawn = [
          yield* ids.next("ord"),
          yield* ids.next("led"),
          yield* ids.next("ord"),
          yield* ids.secret,
        ]
        expect(drawn).toEqual(["ord_000001", "led_000001", "ord_000002", "tok_000001"])
        expect(yield* ids.next("tok")).toBe("tok_000002")
      }),
    ))

  it("starts over with every fresh layer", async () => {
    const first = () => run(Effect.flatMap(IdGenerator, (ids) => ids.next("ord")))
    expect(await first()).toBe("ord_000001")
    expect(await first()).toBe("ord_000001")
  })
})
