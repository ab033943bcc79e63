import { randomBytes } from "node:crypto"
import { type Collection, type Db, MongoClient } from "mongodb"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { mongoUrl } from "../support/mongoStorage.js"

/**
 * Filters naming an `_id` and more, as every conditional write of the adapters does
 * (`{ _id, status: { $in: [...] } }`), checked with the bare driver on the server under test. The
 * mongo-java-server launcher reads such a filter through the `_id` index and matches the rest after
 * (`IdPlannedMemoryBackend`); these pin that the result is still MongoDB's: a filter's top-level
 * clauses all hold ([implicit AND](https://www.mongodb.com/docs/manual/reference/operator/query/and/)).
 */
interface Row {
  _id: string
  status: string
  n: number
  tags: Array<string>
}

const rows: ReadonlyArray<Row> = [
  { _id: "a", status: "pending", n: 1, tags: ["x"] },
  { _id: "b", status: "paid", n: 2, tags: ["y"] },
  { _id: "c", status: "pending", n: 3, tags: ["x", "y"] },
]

let client: MongoClient
let db: Db
let table: Collection<Row>

beforeAll(async () => {
  client = new MongoClient(mongoUrl())
  await client.connect()
  db = client.db(`settle_idfilters_${randomBytes(6).toString("hex")}`)
  table = db.collection<Row>("rows")
})
afterAll(async () => {
  await db.dropDatabase()
  await client.close()
})
beforeEach(async () => {
  await table.deleteMany({})
  await table.insertMany(rows.map((row) => ({ ...row, tags: [...row.tags] })))
})

const ids = async (filter: Parameters<Collection<Row>["find"]>[0]) =>
  (await table.find(filter).sort({ _id: 1 }).toArray()).map((row) => row._id)

describe("a filter on _id and more", () => {
  it("matches the document only when every other clause holds too", async () => {
    expect(await ids({ _id: "a", status: { $in: ["pending", "paid"] } })).toEqual(["a"])
    expect(await ids({ _id: "a", status: { $in: ["paid"] } })).toEqual([])
    expect(await ids({ _id: "b", n: { $gte: 2 }, tags: "y" })).toEqual(["b"])
    expect(await ids({ _id: "b", n: { $gt: 2 } })).toEqual([])
    expect(await ids({ _id: "c", $nor: [{ tags: "z" }] })).toEqual(["c"])
    expect(await ids({ _id: "c", $nor: [{ tags: "x" }] })).toEqual([])
    expect(await ids({ _id: "a", $or: [{ n: 9 }, { status: "pending" }] })).toEqual(["a"])
    expect(await ids({ _id: "missing", status: "pending" })).toEqual([])
  })

  it("with _id given by $in or a range, matches each listed document whose other clauses hold", async () => {
    expect(await ids({ _id: { $in: ["a", "b", "c"] }, status: "pending" })).toEqual(["a", "c"])
    expect(await ids({ _id: { $gt: "a" }, status: "pending" })).toEqual(["c"])
    expect(await ids({ _id: { $ne: "a" }, tags: "x" })).toEqual(["c"])
  })

  it("conditional writes apply only where the whole filter holds, and say so", async () => {
    const missed = await table.findOneAndUpdate(
      { _id: "b", status: { $in: ["pending"] } },
      { $set: { status: "paid" }, $inc: { n: 10 } },
      { returnDocument: "after" },
    )
    expect(missed).toBeNull()
    const written = await table.findOneAndUpdate(
      { _id: "a", status: { $in: ["pending"] } },
      { $set: { status: "paid" }, $inc: { n: 10 } },
      { returnDocument: "after" },
    )
    expect(written).toEqual({ _id: "a", status: "paid", n: 11, tags: ["x"] })
    expect((await table.updateOne({ _id: "a", status: "pending" }, { $inc: { n: 1 } })).modifiedCount).toBe(0)
    expect((await table.updateOne({ _id: "c", status: "pending" }, { $inc: { n: 1 } })).modifiedCount).toBe(1)
    expect((await table.deleteOne({ _id: "b", n: 3 })).deletedCount).toBe(0)
    expect(await table.countDocuments({ _id: "b", n: 2 })).toBe(1)
    expect(await table.find({}, { sort: { _id: 1 }, projection: { n: 1 } }).toArray()).toEqual([
      { _id: "a", n: 11 },
      { _id: "b", n: 2 },
      { _id: "c", n: 4 },
    ])
  })
})
