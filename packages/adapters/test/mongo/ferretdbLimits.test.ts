import { randomBytes } from "node:crypto"
import { type Collection, type Document, MongoClient } from "mongodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mongoUrl, onFerretDB } from "../support/mongoStorage.js"

/**
 * What the Mongo adapters rely on and work around, shown with the bare driver. On FerretDB v1 each test
 * pins the server's defect (so a FerretDB that fixes one fails here and the workaround can go); on a
 * real MongoDB (MONGO_URL) the same test asserts the behaviour MongoDB documents.
 */
const ferret = onFerretDB()
let client: MongoClient
let dbName: string

/** Documents keyed by a string `_id`, as Settle's are. */
type Keyed = Document & { _id: string }
const collection = (name: string): Collection<Keyed> => client.db(dbName).collection<Keyed>(name)

beforeAll(async () => {
  dbName = `settle_limits_${randomBytes(6).toString("hex")}`
  client = new MongoClient(mongoUrl(), { maxPoolSize: 4 })
  await client.connect()
})

afterAll(async () => {
  await client.db(dbName).dropDatabase()
  await client.close()
})

describe(`conditional writes on ${ferret ? "FerretDB v1" : "the external server"}`, () => {
  it("two concurrent findOneAndUpdate on a counter with a constant filter: one wins, or both (FerretDB #3040)", async () => {
    const counter = collection("counter")
    await counter.insertOne({ _id: "c", n: 0 })
    let bothWon = 0
    // FerretDB v1 (SQLite) runs findAndModify as a query, then a write of the whole document by _id, with
    // no transaction: both callers can read n = 0, both are told they matched, and one increment is lost.
    for (let round = 0; round < 100 && (!ferret || bothWon === 0); round++) {
      await counter.updateOne({ _id: "c" }, { $set: { n: 0 } })
      const results = await Promise.all(
        [0, 1].map(() =>
          counter.findOneAndUpdate({ _id: "c", n: 0 }, { $inc: { n: 1 } }, { returnDocument: "after" }),
        ),
      )
      const winners = results.filter((doc) => doc !== null)
      const stored = await counter.findOne({ _id: "c" })
      expect(stored?.n).toBe(1)
      if (winners.length === 2) bothWon += 1
      else expect(winners).toHaveLength(1)
    }
    if (ferret) expect(bothWon).toBeGreaterThan(0)
    else expect(bothWon).toBe(0)
  })

  it("concurrent $inc updates lose increments on FerretDB, never on MongoDB", async () => {
    const counter = collection("increments")
    await counter.insertOne({ _id: "c", n: 0 })
    await Promise.all(Array.from({ length: 20 }, () => counter.updateOne({ _id: "c" }, { $inc: { n: 1 } })))
    const n = (await counter.findOne({ _id: "c" }))?.n
    if (ferret) expect(n).toBeLessThan(20)
    else expect(n).toBe(20)
  })
})

describe(`array and upsert operators on ${ferret ? "FerretDB v1" : "the external server"}`, () => {
  const seedOrders = async (name: string) => {
    const orders = collection(name)
    await orders.insertMany([
      {
        _id: "with",
        refunds: [
          { id: "r1", gatewayRefundId: null },
          { id: "r2", gatewayRefundId: null },
        ],
      },
      { _id: "without", refunds: [{ id: "r1", gatewayRefundId: null }] },
    ])
    return orders
  }
  const ids = async (orders: Collection<Keyed>, filter: Document) =>
    (await orders.find(filter).sort({ _id: 1 }).toArray()).map((doc) => doc._id)

  it("$ne/$nin on an array's field path match arrays holding the value on FerretDB; $nor is right on both", async () => {
    const orders = await seedOrders("negation")
    // appendRefund's "no refund with this id yet" is therefore written with $nor.
    expect(await ids(orders, { $nor: [{ "refunds.id": "r2" }] })).toEqual(["without"])
    const ne = await ids(orders, { "refunds.id": { $ne: "r2" } })
    const nin = await ids(orders, { "refunds.id": { $nin: ["r2"] } })
    expect(ne).toEqual(ferret ? ["with", "without"] : ["without"])
    expect(nin).toEqual(ferret ? ["with", "without"] : ["without"])
  })

  it("positional `$` and $elemMatch field conditions fail on FerretDB; an index path works on both", async () => {
    const orders = await seedOrders("positional")
    const positional = () =>
      orders.updateOne({ _id: "with", "refunds.id": "r2" }, { $set: { "refunds.$.gatewayRefundId": "re_1" } })
    const elemMatch = () => orders.findOne({ refunds: { $elemMatch: { id: "r1", gatewayRefundId: null } } })
    if (ferret) {
      await expect(positional()).rejects.toThrow(/Cannot create field '\$'/)
      await expect(elemMatch()).rejects.toThrow(/unknown operator/)
    } else {
      expect((await positional()).modifiedCount).toBe(1)
      expect((await elemMatch())?._id).toBeDefined()
    }
    // setGatewayRefundId's write: aimed at refunds.<i>, conditional on that element's id and gateway id.
    const aimed = await orders.findOneAndUpdate(
      { _id: "with", "refunds.0.id": "r1", "refunds.0.gatewayRefundId": null },
      { $set: { "refunds.0.gatewayRefundId": "re_0" } },
      { returnDocument: "after" },
    )
    expect(aimed?.refunds[0]).toEqual({ id: "r1", gatewayRefundId: "re_0" })
    const wrongElement = await orders.updateOne({ _id: "with", "refunds.0.id": "r2" }, { $set: { x: 1 } })
    expect(wrongElement.matchedCount).toBe(0)
  })

  it("an upsert's $setOnInsert drops top-level null fields on FerretDB", async () => {
    const events = collection("upserts")
    await events.findOneAndUpdate(
      { key: "k" },
      { $setOnInsert: { key: "k", lastError: null, nested: { at: null } }, $inc: { attempts: 1 } },
      { upsert: true },
    )
    const stored = await events.findOne({ key: "k" }, { projection: { _id: 0 } })
    // The webhook inbox decodes an absent lastError/orderId/processedAt as null because of this.
    expect(stored).toEqual(
      ferret
        ? { key: "k", attempts: 1, nested: { at: null } }
        : { key: "k", lastError: null, attempts: 1, nested: { at: null } },
    )
  })
})
