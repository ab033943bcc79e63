import { randomBytes } from "node:crypto"
import { Effect } from "effect"
import { MongoClient } from "mongodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureIndexes, INDEXES } from "../../src/mongo/indexes.js"
import { departsHere, departureTitle, mongoUrl } from "../support/mongoStorage.js"

/**
 * Every replica runs ensureIndexes at start against the same database, so it must succeed on a
 * database that already has every index. FerretDB v1 drops the connection (a recovered panic) when
 * one createIndexes call names several indexes that already exist; one index per call is fine there.
 */
let client: MongoClient

beforeAll(async () => {
  client = new MongoClient(mongoUrl(), { maxPoolSize: 2 })
  await client.connect()
})

afterAll(() => client.close())

const freshDb = () => client.db(`settle_indexes_${randomBytes(6).toString("hex")}`)

describe("ensureIndexes on a database that already has them", () => {
  it("succeeds on every start after the first, as a second replica's start needs", async () => {
    const db = freshDb()
    try {
      for (let start = 0; start < 3; start++) await Effect.runPromise(ensureIndexes(db))
      const names = (await db.collection("orders").indexes()).map((index) => index.name)
      expect(names).toEqual(expect.arrayContaining((INDEXES.orders ?? []).map((index) => index.name)))
    } finally {
      await db.dropDatabase()
    }
  })

  // "If you call db.collection.createIndexes() for an index or indexes that already exist, MongoDB
  // does not recreate the existing index or indexes."
  // https://www.mongodb.com/docs/manual/reference/method/db.collection.createIndexes/
  it(
    departureTitle("several existing indexes in one createIndexes call: a no-op", ["ferretdb"]),
    async () => {
      const db = freshDb()
      const indexes = [...(INDEXES.couponreservations ?? [])]
      try {
        await db.collection("couponreservations").createIndexes(indexes)
        const again = db.collection("couponreservations").createIndexes(indexes)
        // FerretDB v1 drops the connection instead.
        if (departsHere(["ferretdb"])) await expect(again).rejects.toThrow(/closed/)
        else await expect(again).resolves.toEqual(indexes.map((index) => index.name))
      } finally {
        await db.dropDatabase()
      }
    },
  )
})
