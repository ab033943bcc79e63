import { randomBytes } from "node:crypto"
import { MongoDatabase } from "@settle/adapters"
import { Context, Effect, Layer } from "effect"
import { afterAll, describe, expect, inject, it } from "vitest"
import { json, opsHere } from "../ops/support/cli.js"
import { onFerretDB } from "../support/mongoStore.js"
import { call } from "./support/http.js"
import { runToExit, startServerProcess } from "./support/serverProcess.js"
import { SECRETS } from "./support/shop.js"

// Each server start is a process of its own (seconds of module loading): run them side by side.
const dbName = `settle_e2e_atomic_${randomBytes(6).toString("hex")}`
const env = {
  ...SECRETS,
  MONGO_URI: inject("mongoUrl"),
  MONGO_DB_NAME: dbName,
  PAYMENTS: "sandbox",
  LOG_LEVEL: "info",
}
const OPT_IN = { ALLOW_NON_ATOMIC_STORE: "true" }
const RISK =
  "FerretDB v1.24.2 does not apply conditional writes atomically (FerretDB #3040), so concurrent checkouts can oversell stock and redeem a coupon past its limit"

const withDb = <A>(use: (client: MongoDatabase.MongoDatabase["client"]) => Promise<A>): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(Layer.build(MongoDatabase.layer({ uri: inject("mongoUrl") })), (context) =>
        Effect.promise(() => use(Context.get(context, MongoDatabase.MongoDatabase).client)),
      ),
    ),
  )
// The refused start gets a database of its own, which must stay empty.
const refusedDb = `${dbName}_refused`
afterAll(() =>
  withDb(async (client) => {
    for (const name of [dbName, refusedDb]) await client.db(name).dropDatabase()
  }),
)

interface Check {
  readonly check: string
  readonly status: string
  readonly message: string
  readonly fix?: string
}
const storeCheck = (report: Record<string, unknown>) =>
  (report.checks as ReadonlyArray<Check>).find((check) => check.check === "mongo.server")

describe.runIf(onFerretDB()).concurrent("a store whose conditional writes race (FerretDB)", () => {
  it("refuses to start on it without ALLOW_NON_ATOMIC_STORE: exit 1, before any index", async () => {
    const run = await runToExit({ ...env, MONGO_DB_NAME: refusedDb })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      `Bootstrap failed: ${RISK}; point MONGO_URI at MongoDB (Atlas or a replica set), or set ALLOW_NON_ATOMIC_STORE=true to run on it anyway (tests and demos, never real orders)\n`,
    )
    expect(run.stdout).not.toContain("[db] connected")
    expect(await withDb((client) => client.db(refusedDb).listCollections().toArray())).toEqual([])
  })

  it("starts with ALLOW_NON_ATOMIC_STORE=true, warning in the JSON log and in the banner", async () => {
    const server = await startServerProcess({ ...env, ...OPT_IN })
    try {
      expect((await call(`${server.baseUrl}/readyz`)).status).toBe(200)
      const records = server
        .output()
        .stdout.split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as { level: number; msg: string })
      const warned = records.findIndex((record) => record.level === 40 && record.msg.startsWith("[db] "))
      expect(records[warned]).toMatchObject({
        store: "FerretDB v1.24.2",
        atomicConditionalWrites: false,
        optIn: "ALLOW_NON_ATOMIC_STORE",
        msg: `[db] ${RISK}; running anyway because ALLOW_NON_ATOMIC_STORE=true: take no real orders on this store`,
      })
      // Said before the store is declared connected, as the refusal would have been.
      expect(records.findIndex((record) => record.msg.startsWith("[db] connected"))).toBeGreaterThan(warned)
      expect(server.output().stderr).toContain(`   WARNING:  ${RISK}; running anyway`)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it("`pnpm ops doctor` fails it without the opt-in and warns with it, each with the fix", async () => {
    const refused = await opsHere(["doctor", "--json"], env)
    expect(refused.code).toBe(1)
    expect(storeCheck(json(refused))).toEqual({
      check: "mongo.server",
      status: "fail",
      message: `${RISK}; the server refuses to start on it`,
      fix: "point MONGO_URI at MongoDB (Atlas or a replica set), or set ALLOW_NON_ATOMIC_STORE=true to run on it anyway (tests and demos, never real orders)",
    })
    const accepted = await opsHere(["doctor"], { ...env, ...OPT_IN })
    expect(accepted.code).toBe(0)
    expect(accepted.stdout).toMatch(
      /^warn {2}mongo\.server +FerretDB v1\.24\.2 does not apply conditional writes/m,
    )
    expect(accepted.stdout).toContain("the server starts on it only because ALLOW_NON_ATOMIC_STORE=true")
    expect(accepted.stdout).toContain(
      "fix: point MONGO_URI at MongoDB (Atlas or a replica set) before taking real orders",
    )
  })
})

describe.skipIf(onFerretDB())("a store that applies conditional writes atomically", () => {
  it("is accepted without the opt-in, and the doctor says so", async () => {
    const report = json(await opsHere(["doctor", "--json"], env))
    expect(storeCheck(report)).toMatchObject({ status: "ok", message: expect.stringMatching(/atomically$/) })
  })
})
