import { randomBytes } from "node:crypto"
import { type Collection, type Db, MongoClient } from "mongodb"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { departsHere, departureTitle, mongoServer, mongoUrl } from "../support/mongoStorage.js"

/**
 * The query and update forms the hold writes rely on (`holds.ts`, and the holds' "no hold with this
 * key" filter), checked with the bare driver on the server under test: if a server upgrade changes
 * one, this says which. Each test asserts what MongoDB's manual documents, cited beside it; a server
 * that departs from it is named in the test, which then pins what that server does instead.
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

  // Equality with a whole embedded document is field-order sensitive, and `$all: [doc]` is that
  // equality on some element: "Equality matches on the whole embedded/nested document require an exact
  // match of the specified document, including the field order."
  // https://www.mongodb.com/docs/manual/tutorial/query-array-of-documents/
  // https://www.mongodb.com/docs/manual/reference/operator/query/all/ (`$all` is an `$and` of equalities)
  it("$all with a copy in another field order, or with another `at`, matches nothing", async () => {
    const { key, orderId, quantity } = seed.holds[0] ?? { key: "", orderId: "", quantity: 0 }
    for (const other of [
      { orderId, key, quantity, at },
      { key, orderId, quantity, at: new Date(0) },
    ]) {
      expect(await holders.countDocuments({ _id: "p", holds: { $all: [other] } })).toBe(0)
    }
  })

  // The same equality written plainly. holds.ts uses `$all` because FerretDB matches nothing this way,
  // not even the element as stored; mongo-java-server also matches a copy in another field order.
  // https://www.mongodb.com/docs/manual/tutorial/query-array-of-documents/
  it(
    departureTitle("{ holds: element } matches the element as stored, not a copy in another field order", [
      "ferretdb",
      "mongo-java-server",
    ]),
    async () => {
      const stored = seed.holds[0] ?? { key: "", orderId: "", quantity: 0, at }
      const reordered = { orderId: stored.orderId, key: stored.key, quantity: stored.quantity, at }
      const matches = {
        asStored: await holders.countDocuments({ _id: "p", holds: stored }),
        reordered: await holders.countDocuments({ _id: "p", holds: reordered }),
      }
      const server = mongoServer()
      if (server === "ferretdb") expect(matches).toEqual({ asStored: 0, reordered: 0 })
      else if (server === "mongo-java-server") expect(matches).toEqual({ asStored: 1, reordered: 1 })
      else expect(matches).toEqual({ asStored: 1, reordered: 0 })
    },
  )

  // Unlike a query's equality, `$pull` with a document ignores field order: "If the specified <value> to
  // remove is a document, $pull removes only the elements in the array that have the exact same fields
  // and values. The ordering of the fields can differ."
  // https://www.mongodb.com/docs/manual/reference/operator/update/pull/
  // holds.ts is right under either reading: its filter requires the element exactly as stored, keys are
  // unique, so the pull removes that one element whether field order counts or not.
  it(
    departureTitle(
      "$pull with a copy in another field order removes the element; with another `at`, nothing",
      ["ferretdb"],
    ),
    async () => {
      const { key, orderId, quantity } = seed.holds[0] ?? { key: "", orderId: "", quantity: 0 }
      const otherAt = await holders.updateOne(
        { _id: "p" },
        { $pull: { holds: { key, orderId, quantity, at: new Date(0) } } },
      )
      expect(otherAt.modifiedCount).toBe(0)
      const reordered = await holders.updateOne(
        { _id: "p" },
        { $pull: { holds: { orderId, key, quantity, at } } },
      )
      if (departsHere(["ferretdb"])) {
        expect(reordered.modifiedCount).toBe(0)
        expect(await stored()).toEqual(seed)
      } else {
        expect(reordered.modifiedCount).toBe(1)
        expect(await stored()).toEqual({ ...seed, holds: [seed.holds[1]] })
      }
    },
  )

  // "If you specify a <condition> and the array elements are embedded documents, $pull operator applies
  // the <condition> as if each array element were a document in a collection."
  // https://www.mongodb.com/docs/manual/reference/operator/update/pull/
  it(departureTitle("$pull with a condition object removes the matching element", ["ferretdb"]), async () => {
    const result = await holders.updateOne({ _id: "p" }, { $pull: { holds: { key: "k/0" } } })
    expect(result.modifiedCount).toBe(departsHere(["ferretdb"]) ? 0 : 1)
  })

  // The commit in one write (holds.ts settleKnownHold): "$elemMatch matches documents that contain an
  // array field with at least one element that matches all the specified query criteria", and the pull
  // by a condition removes it. The elements' key and quantity must be one element's, not two.
  // https://www.mongodb.com/docs/manual/reference/operator/query/elemMatch/
  it(
    departureTitle("$elemMatch on key and quantity selects one element; the conditional $pull removes it", [
      "ferretdb",
    ]),
    async () => {
      const commit = (quantity: number) =>
        holders.updateOne(
          { _id: "p", holds: { $elemMatch: { key: "k/0", quantity } } },
          { $pull: { holds: { key: "k/0" } }, $inc: { reserved: -quantity } },
        )
      if (departsHere(["ferretdb"])) {
        const answer = await commit(2).then(
          (result) => result.modifiedCount,
          () => "refused",
        )
        expect([0, "refused"]).toContain(answer)
        expect(await stored()).toEqual(seed)
        return
      }
      // k/1 holds 1 unit and k/0 2: a filter on the two fields apart would match this.
      expect((await commit(1)).matchedCount).toBe(0)
      expect((await commit(2)).modifiedCount).toBe(1)
      expect(await stored()).toEqual({ ...seed, reserved: 1, holds: [seed.holds[1]] })
      expect((await commit(2)).matchedCount).toBe(0)
    },
  )

  // The hold's "no hold with this key yet". On an array, a negated equality matches only when no element
  // is equal: "If the field holds an array, then the $nin operator selects the documents whose field
  // holds an array with no element equal to a value in the specified array"; `$ne` negates the same
  // equality, and `$nor` of it says so explicitly, which is why the adapters write it that way.
  // https://www.mongodb.com/docs/manual/reference/operator/query/nin/
  // https://www.mongodb.com/docs/manual/reference/operator/query/ne/
  // https://www.mongodb.com/docs/manual/reference/operator/query/nor/
  it(
    departureTitle('"holds.key": { $ne: key } does not match while another key holds too; $nor never does', [
      "ferretdb",
    ]),
    async () => {
      expect(await holders.countDocuments({ _id: "p", $nor: [{ "holds.key": "k/0" }] })).toBe(0)
      expect(await holders.countDocuments({ _id: "p", $nor: [{ "holds.key": "k/9" }] })).toBe(1)
      expect(await holders.countDocuments({ _id: "p", "holds.key": { $ne: "k/9" } })).toBe(1)
      const ne = await holders.countDocuments({ _id: "p", "holds.key": { $ne: "k/0" } })
      expect(ne).toBe(departsHere(["ferretdb"]) ? 1 : 0)
    },
  )
})
