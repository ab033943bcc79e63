import { CouponCode, CouponRepository } from "@settle/domain"
import { fixtures } from "@settle/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { json, ops, opsHere } from "../ops/support/cli.js"
import { stockBeans } from "../support/adminOrders.js"
import { CART, checkout } from "../support/server.js"
import { runQuery } from "./support/mongoShell.js"
import { type RunbookServer, withRunbookServer } from "./support/runbookServer.js"

interface CouponDoc {
  readonly _id: string
  readonly code: string
  readonly reservedCount: number
}

/** Per coupon: its reservedCount, and how many reservation records are still `reserved` (the runbook's comparison). */
const counters = async (rb: RunbookServer) => {
  const db = await rb.db()
  const coupons = (await runQuery(db, "couponCounters")) as ReadonlyArray<CouponDoc>
  const reserved = (await runQuery(db, "reservedPerCoupon")) as ReadonlyArray<{
    _id: string
    reserved: number
  }>
  return Object.fromEntries(
    coupons.map((c) => [
      c.code,
      { reservedCount: c.reservedCount, reserved: reserved.find((r) => r._id === c._id)?.reserved ?? 0 },
    ]),
  )
}

const leakedOrders = async (rb: RunbookServer) =>
  ((await runQuery(await rb.db(), "stuckReservations")) as ReadonlyArray<{ orderId: string }>).map(
    (r) => r.orderId,
  )

describe("runbook scenario 3: coupon reservation leaks", () => {
  it("an abandoned coupon checkout whose expiry never ran, and a drifted counter, are settled by the expiry and repair jobs", () =>
    withRunbookServer(
      async (rb) => {
        const { server } = rb
        await stockBeans(server)
        const created = await rb.admin("POST", "/api/v1/admin/coupons", {
          code: "SAVE10",
          discount: { _tag: "percent", percent: 10 },
          maxRedemptions: 10,
        })
        expect(created.status).toBe(201)
        // Abandoned two hours ago; its session's expiry never reached the server and no job ran.
        const abandoned = await checkout(server, { ...CART, couponCode: "SAVE10" })
        // And a counter an earlier incident left behind: three units held by nobody.
        await server.runtime.runPromise(
          Effect.flatMap(CouponRepository, (coupons) =>
            coupons.insert(
              fixtures.aCoupon({ code: CouponCode.make("DRIFT"), available: 7, reservedCount: 3 }),
            ),
          ),
        )
        await rb.setClock(new Date())

        // Detection: the leak query, the gauge, the CLI, and reservedCount against the records.
        const db = await rb.db()
        expect(await runQuery(db, "leakedCount")).toBe(1)
        expect(await leakedOrders(rb)).toEqual([abandoned.order.id])
        expect(await rb.metric("leaked_coupon_reservations")).toBe(1)
        expect((await rb.admin("GET", "/api/v1/admin/health/orders")).body).toMatchObject({
          couponReservationLeaks: 1,
        })
        expect(json(await opsHere(["stuck-reservations", "--json"], rb.opsEnv))).toMatchObject({
          count: 1,
          reservations: [{ couponCode: "SAVE10", orderId: abandoned.order.id, orderStatus: "pending" }],
        })
        expect(await counters(rb)).toEqual({
          SAVE10: { reservedCount: 1, reserved: 1 },
          DRIFT: { reservedCount: 3, reserved: 0 },
        })

        // Recovery 1: the expiry job moves reserved → expired and gives the unit back.
        const expiry = await ops(
          ["expire-reservations", "--reason", "INC-303: leak alert", "--json"],
          rb.opsEnv,
        )
        expect(expiry.code).toBe(0)
        expect(json(expiry)).toMatchObject({ job: "expiry", report: { ordersExpired: 1 } })
        // Recovery 2: the repair job rewrites the drifted counter from the holds (here by the admin trigger).
        const repair = await rb.admin("POST", "/api/v1/admin/jobs/repair/run", { reason: "INC-303: drift" })
        expect(repair.status).toBe(200)
        expect(repair.body).toMatchObject({
          job: "repair",
          run: {
            outcome: "succeeded",
            report: {
              drift: [
                {
                  code: "DRIFT",
                  before: { reservedCount: 3, available: 7 },
                  after: { reservedCount: 0, available: 10 },
                },
              ],
            },
          },
        })

        // Verification: nothing reserved past expiresAt; every reservedCount equals its reserved records.
        expect(await runQuery(db, "leakedCount")).toBe(0)
        expect(await leakedOrders(rb)).toEqual([])
        expect(await counters(rb)).toEqual({
          SAVE10: { reservedCount: 0, reserved: 0 },
          DRIFT: { reservedCount: 0, reserved: 0 },
        })
        expect(await rb.metric("leaked_coupon_reservations")).toBe(0)
        expect(json(await opsHere(["stuck-reservations", "--json"], rb.opsEnv))).toMatchObject({ count: 0 })
        const order = await rb.admin("GET", `/api/v1/admin/orders/${abandoned.order.id}`)
        expect(order.body).toMatchObject({ order: { status: "expired" } })
      },
      { clockStart: new Date(Date.now() - 2 * 60 * 60_000) },
    ))
})
