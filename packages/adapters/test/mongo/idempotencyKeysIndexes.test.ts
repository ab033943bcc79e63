import { randomBytes } from "node:crypto"
import { Effect } from "effect"
import { MongoClient } from "mongodb"
import { afterAll, beforeAll, expect, it } from "vitest"
import { ensureIndexes } from "../../src/mongo/indexes.js"
import { departsHere, departureTitle, mongoUrl } from "../support/mongoStorage.js"

let client: MongoClient

beforeAll(async () => {
  client = new MongoClient(mongoUrl(), { maxPoolSize: 2 })
  await client.connect()
})

afterAll(() => client.close())

// "TTL indexes are special single-field indexes that MongoDB can use to automatically remove documents
// from a collection after a certain amount of time" https://www.mongodb.com/docs/manual/core/index-ttl/
it(
  departureTitle("idempotency keys expire through a TTL index on expiresAt (expireAfterSeconds 0)", [
    "ferretdb",
  ]),
  async () => {
    const db = client.db(`settle_ttl_${randomBytes(6).toString("hex")}`)
    try {
      // Twice: a second replica's start finds the index there.
      for (let start = 0; start < 2; start++) await Effect.runPromise(ensureIndexes(db))
      const ttl = (await db.collection("idempotencykeys").indexes()).find(
        (index) => index.name === "expiresAt_ttl",
      )
      expect(ttl?.key).toEqual({ expiresAt: 1 })
      // FerretDB v1 has no TTL indexes: the index is made without its expiry, and reads ignore expired keys.
      if (departsHere(["ferretdb"])) expect(ttl?.expireAfterSeconds).toBeUndefined()
      else expect(ttl?.expireAfterSeconds).toBe(0)
    } finally {
      await db.dropDatabase()
    }
  },
)
