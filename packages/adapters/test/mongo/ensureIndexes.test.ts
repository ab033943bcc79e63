import { randomBytes } from "node:crypto"
import { Effect } from "effect"
import { MongoClient } from "mongodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureIndexes, INDEXES } from "../../src/mongo/indexes.js"
import { mongoUrl, onFerretDB } from "../support/mongoStorage.js"

/**
 * Every replica runs ensureIndexes at start against the same database, so it must succeed on a
 * database that already has every index. FerretDB v1 drops the connection (a recovered panic) when
 * one createIndexes call names several indexes that already exist; one index per call is fine there.
 */
const ferret = onFerretDB()
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

  it(`several existing indexes in one createIndexes call [${ferret ? "FerretDB v1: connection dropped" : "MongoDB: no-op"}]`, async () => {
    const db = freshDb()
    const indexes = [...(INDEXES.couponreservations ?? [])]
    try {
      await db.collection("couponreservations").createIndexes(indexes)
      const again = db.collection("couponreservations").createIndexes(indexes)
      if (ferret) await expect(again).rejects.toThrow(/closed/)
      else await expect(again).resolves.toEqual(indexes.map((index) => index.name))
    } finally {
      await db.dropDatabase()
    }
  })
})
