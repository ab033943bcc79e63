import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { couponRace, SHOPPERS, stockRace } from "./support/races.js"
import { type ServerProcess, startServerProcess } from "./support/serverProcess.js"
import { SECRETS } from "./support/shop.js"

// The embedded default store; checkoutRacesMongo.test.ts runs the same races on each Mongo server.
let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess(SECRETS)
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
})

describe(`${SHOPPERS} concurrent checkouts on a server process with the memory store`, () => {
  it("redeem a coupon exactly to its limit: the rest are refused COUPON_UNAVAILABLE exhausted", async () => {
    await couponRace(server.baseUrl)
  })

  it("sell exactly the scarce stock: the rest are refused INSUFFICIENT_STOCK", async () => {
    await stockRace(server.baseUrl)
  })
})
