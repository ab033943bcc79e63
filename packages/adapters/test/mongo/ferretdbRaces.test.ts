import { randomBytes } from "node:crypto"
import { type Collection, type Db, MongoClient, MongoServerError } from "mongodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { departsHere, mongoUrl, serverName } from "../support/mongoStorage.js"

/**
 * The server, not the adapters, is why the contract suites' concurrency tests run with
 * `serverRacesConditionalWrites` on FerretDB: the bare driver, no Settle code, one document.
 * FerretDB v1 evaluates an update's filter on a read and then writes the whole document back with no
 * transaction in between (FerretDB #3040), so concurrent conditional writes all see the condition
 * hold, all report success, and the last write wins. MongoDB documents each single-document write as
 * atomic (https://www.mongodb.com/docs/manual/core/write-operations-atomicity/); mongo-java-server
 * applies a collection's writes one at a time, and there, as on MongoDB, these tests assert exactly that.
 */
const racing = departsHere(["ferretdb"])
const server = racing
  ? `${serverName()}: RACES (known limitation, FerretDB #3040)`
  : `${serverName()}: atomic, as MongoDB documents`

interface Counter {
  _id: string
  available: number
  version: number
  name: string
}

interface Keyed {
  key: string
  attempts?: number
}

/** The server's error code of a rejected call, or what was thrown instead. */
const codeOf = (reason: unknown) => (reason instanceof MongoServerError ? reason.code : String(reason))

let client: MongoClient
let db: Db
let counters: Collection<Counter>

beforeAll(async () => {
  // The adapters' pool size, so requests really are in flight together as they are in the suites.
  client = new MongoClient(mongoUrl(), { maxPoolSize: 10 })
  await client.connect()
  db = client.db(`settle_races_${randomBytes(6).toString("hex")}`)
  counters = db.collection<Counter>("counters")
})

afterAll(async () => {
  await db.dropDatabase()
  await client.close()
})

/**
 * Runs `round` on fresh documents until it shows a race or `rounds` are done: a race is a matter of
 * timing, and one round without it proves nothing on a racing server. Returns the last round.
 */
const untilRace = async <R extends { raced: boolean }>(round: (id: string) => Promise<R>, rounds = 5) => {
  let last: R | undefined
  for (let i = 0; i < rounds && !last?.raced; i++) last = await round(`c${randomBytes(4).toString("hex")}`)
  if (last === undefined) throw new Error("no round ran")
  return last
}

describe("conditional writes racing on one document, bare driver", () => {
  it(`200 concurrent findOneAndUpdate {available: {$gt: 0}} → $inc -1 on a capacity of 50 [${server}]`, async () => {
    const capacity = 50
    const { granted, available, raced } = await untilRace(async (id) => {
      await counters.insertOne({ _id: id, available: capacity, version: 0, name: "" })
      const results = await Promise.all(
        Array.from({ length: 200 }, () =>
          counters.findOneAndUpdate({ _id: id, available: { $gt: 0 } }, { $inc: { available: -1 } }),
        ),
      )
      const granted = results.filter((r) => r !== null).length
      const available = (await counters.findOne({ _id: id }))?.available ?? Number.NaN
      return { granted, available, raced: granted > capacity || available !== capacity - granted }
    })
    if (racing) {
      // More callers are granted a unit than exist, and the stored counter forgot decrements: each
      // write stored "what I read, minus one". It never goes negative, because every write starts
      // from a read that passed the filter: the damage is oversold capacity, not a negative counter.
      expect(raced).toBe(true)
      expect(granted).toBeGreaterThan(capacity)
      expect(available).toBeGreaterThanOrEqual(0)
      expect(available).toBeGreaterThan(capacity - granted)
    } else {
      expect(granted).toBe(capacity)
      expect(available).toBe(0)
    }
  })

  it(`30 concurrent updateOne {version: 0} → $inc version (compare-and-set) [${server}]`, async () => {
    const { winners, version, raced } = await untilRace(async (id) => {
      await counters.insertOne({ _id: id, available: 0, version: 0, name: "" })
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          counters.updateOne({ _id: id, version: 0 }, { $set: { name: `w${i}` }, $inc: { version: 1 } }),
        ),
      )
      const winners = results.filter((r) => r.modifiedCount === 1).length
      const version = (await counters.findOne({ _id: id }))?.version ?? Number.NaN
      return { winners, version, raced: winners > 1 }
    })
    // Either way the stored version is 1: on FerretDB every winner wrote "0 + 1" over the others.
    expect(version).toBe(1)
    if (racing) {
      expect(raced).toBe(true)
      expect(winners).toBeGreaterThan(1)
    } else {
      expect(winners).toBe(1)
    }
  })
})

describe("unique keys under concurrent writers, bare driver", () => {
  // The ledger's, the job leases' and the inbox's exactly-once rest on this, on every server: "A unique
  // index ensures that the indexed fields do not store duplicate values."
  // https://www.mongodb.com/docs/manual/core/index-unique/
  it(`30 concurrent inserts of one unique key: one succeeds, the rest fail with 11000 [${serverName()}]`, async () => {
    const keyed = db.collection<Keyed>("inserts")
    await keyed.createIndex({ key: 1 }, { unique: true })
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => keyed.insertOne({ key: "k" })))
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1)
    expect(results.flatMap((r) => (r.status === "rejected" ? [codeOf(r.reason)] : []))).toEqual(
      Array(29).fill(11000),
    )
    expect(await keyed.countDocuments({ key: "k" })).toBe(1)
  })

  // WebhookEventInbox.receive's write (the driver's findOneAndUpdate is the findAndModify command). With
  // a unique index on the filter's field, "Exactly one [findAndModify] will successfully insert a new
  // document. All other [findAndModify] operations will update the newly-inserted document":
  // https://www.mongodb.com/docs/manual/reference/command/findAndModify/#upsert-with-unique-index
  // FerretDB answers some of them 11000 (the inbox retries those) and, its $inc racing, loses counts.
  it(`20 concurrent first upserts of one unique key: one inserts, every call counts [${server}]`, async () => {
    const events = db.collection<Keyed>("upserts")
    await events.createIndex({ key: 1 }, { unique: true })
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        events.findOneAndUpdate(
          { key: "evt" },
          { $setOnInsert: { key: "evt" }, $inc: { attempts: 1 } },
          { upsert: true, returnDocument: "before" },
        ),
      ),
    )
    const succeeded = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []))
    const failures = results.flatMap((r) => (r.status === "rejected" ? [codeOf(r.reason)] : []))
    const stored = await events.find({ key: "evt" }).toArray()
    // One document, and one caller told it inserted (returnDocument "before" is null only for the insert).
    expect(stored).toHaveLength(1)
    expect(succeeded.filter((before) => before === null)).toHaveLength(1)
    if (racing) {
      expect(failures.every((code) => code === 11000)).toBe(true)
      expect(stored[0]?.attempts).toBeLessThanOrEqual(succeeded.length)
    } else {
      expect(failures).toEqual([])
      expect(stored[0]?.attempts).toBe(20)
    }
  })
})
