import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { INDEXES } from "../../src/mongo/indexes.js"
import { MongoDatabase } from "../../src/mongo/MongoDatabase.js"
import { freshDatabase } from "../support/mongoStorage.js"

describe("the Mongo test harness", () => {
  it("gives each build an empty database carrying Settle's indexes", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const names = (yield* Effect.promise(() => db.collection("orders").indexes())).map(
          (index) => index.name,
        )
        expect(names).toEqual(expect.arrayContaining((INDEXES.orders ?? []).map((index) => index.name)))
        expect(yield* Effect.promise(() => db.collection("products").countDocuments())).toBe(0)
      }).pipe(Effect.provide(freshDatabase)),
    ))
})
