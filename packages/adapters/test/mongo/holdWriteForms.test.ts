import { randomBytes } from "node:crypto"
import { type Collection, type Db, MongoClient } from "mongodb"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { mongoUrl, onFerretDB } from "../support/mongoStorage.js"

/**
 * The update forms `holds.ts` relies on to remove one hold and move its units in one write, checked
 * with the bare driver on the server under test: if a server upgrade changes one, this says which.
 */
interface StoredHold {
  key: string
  orderId: string
  quantity: number
  at: Date
}
interface Holder {
  _id: string
  reserved: number
  holds: Array<StoredHold>
}

const at = new Date("2030-01-01T00:01:00.000Z")
const seed: Holder = {
  _id: "p",
  reserved: 3,
  holds: [
    { key: "k/0", orderId: "o", quantity: 2, at },
    { key: "k/1", orderId: "o", quantity: 1, at },
  ],
}

let client: MongoClient
let db: Db
let holders: Collection<Holder>

beforeAll(async () => {
  client = new MongoClient(mongoUrl())
  await client.connect()
  db = client.db(`settle_forms_${randomBytes(6).toString("hex")}`)
  holders = db.collection<Holder>("holders")
})
afterAll(async () => {
  await db.dropDatabase()
  await client.close()
})
beforeEach(async () => {
  await holders.deleteMany({})
  await holders.insertOne(structuredClone(seed))
})

const stored = async (): Promise<Holder> => {
  const doc = await holders.findOne({ _id: "p" })
  if (doc === null) throw new Error("seed missing")
  return doc
}

describe("the hold moves' write forms", () => {
  it("$all: [element] matches, and $pull removes, exactly the element as read (a Date inside)", async () => {
    const element = (await stored()).holds[0]
    if (element === undefined) throw new Error("no hold")
    const result = await holders.updateOne(
      { _id: "p", holds: { $all: [element] } },
      { $pull: { holds: element }, $inc: { reserved: -element.quantity } },
    )
    expect(result.modifiedCount).toBe(1)
    expect(await stored()).toEqual({ ...seed, reserved: 1, holds: [seed.holds[1]] })
    const again = await holders.updateOne(
      { _id: "p", holds: { $all: [element] } },
      { $pull: { holds: element }, $inc: { reserved: -element.quantity } },
    )
    expect(again.matchedCount).toBe(0)
  })

  it("a copy with other field order or another `at` is not the stored element", async () => {
    const { key, orderId, quantity } = seed.holds[0] ?? { key: "", orderId: "", quantity: 0 }
    for (const other of [
      { orderId, key, quantity, at },
      { key, orderId, quantity, at: new Date(0) },
    ]) {
      expect(await holders.countDocuments({ _id: "p", holds: { $all: [other] } })).toBe(0)
      expect((await holders.updateOne({ _id: "p" }, { $pull: { holds: other } })).modifiedCount).toBe(0)
    }
    expect(await stored()).toEqual(seed)
  })

  it(`$pull with a condition object ${onFerretDB() ? "removes nothing on FerretDB v1 (why holds.ts pulls the exact element)" : "removes the matching element on MongoDB"}`, async () => {
    const result = await holders.updateOne({ _id: "p" }, { $pull: { holds: { key: "k/0" } } })
    expect(result.modifiedCount).toBe(onFerretDB() ? 0 : 1)
  })
})
