import { Effect } from "effect"
import { MongoClient } from "mongodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { serverTraits, traitsOf } from "../../src/mongo/serverTraits.js"
import { mongoServer, mongoUrl, serverName } from "../support/mongoStorage.js"

/** What each server answered to `buildInfo` when asked by hand, trimmed to the fields that matter. */
const BUILD_INFO = {
  ferretdb: {
    version: "7.0.42",
    gitVersion: "unknown",
    ferretdbVersion: "v1.24.2",
    ferretdbFeatures: { aggregationStages: ["$match", "$group"] },
    ok: 1,
  },
  mongoJavaServer: { version: "6.0.0", versionArray: [6, 0, 0], maxBsonObjectSize: 16777216, ok: 1 },
  mongodb: { version: "7.0.14", gitVersion: "ce59cfc6a3c5e5c067dca0d30697edd68d4f5188", ok: 1 },
}

describe("traitsOf(buildInfo)", () => {
  it("names FerretDB by its own version, not the MongoDB version it emulates, and says it races", () => {
    expect(traitsOf(BUILD_INFO.ferretdb)).toEqual({
      name: "FerretDB v1.24.2",
      ferretdb: true,
      atomicConditionalWrites: false,
    })
  })

  it("still knows FerretDB by its feature list when the version is missing", () => {
    expect(traitsOf({ version: "7.0.42", ferretdbFeatures: {} })).toEqual({
      name: "FerretDB (version not reported)",
      ferretdb: true,
      atomicConditionalWrites: false,
    })
  })

  it("takes MongoDB and other servers (mongo-java-server) at their word: atomic", () => {
    expect(traitsOf(BUILD_INFO.mongodb)).toEqual({
      name: "MongoDB 7.0.14",
      ferretdb: false,
      atomicConditionalWrites: true,
    })
    expect(traitsOf(BUILD_INFO.mongoJavaServer)).toMatchObject({
      name: "MongoDB 6.0.0",
      atomicConditionalWrites: true,
    })
  })
})

describe(`serverTraits(db) on ${serverName()}`, () => {
  let client: MongoClient
  beforeAll(async () => {
    client = new MongoClient(mongoUrl())
    await client.connect()
  })
  afterAll(() => client.close())

  it("tells the run's server apart: only FerretDB is reported non-atomic", async () => {
    const traits = await Effect.runPromise(serverTraits(client.db("settle_server_traits")))
    if (mongoServer() === "ferretdb") {
      expect(traits).toEqual({ name: "FerretDB v1.24.2", ferretdb: true, atomicConditionalWrites: false })
    } else {
      expect(traits).toMatchObject({
        name: expect.stringMatching(/^MongoDB \d/),
        atomicConditionalWrites: true,
      })
    }
  })
})
