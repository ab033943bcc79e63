import { CouponCode, CouponRepository, JobLeases } from "@settle/domain"
import { Effect, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BrokenShop, seedBrokenShop } from "./support/brokenShop.js"
import { auditTrail, comparable } from "./support/changes.js"
import { json, ops, opsHere } from "./support/cli.js"
import { freshDatabase } from "./support/store.js"

const database = freshDatabase()
let shop: BrokenShop

beforeAll(async () => {
  shop = await seedBrokenShop(database.storage)
})
afterAll(() => database.drop())

const couponCounters = (code: string) =>
  database.read(
    Effect.map(
      Effect.flatMap(CouponRepository, (coupons) =>
        Effect.flatMap(coupons.findByCode(CouponCode.make(code)), (terms) =>
          coupons.findById(Option.getOrThrow(terms).id),
        ),
      ),
      (coupon) => {
        const { available, reservedCount, redeemedCount } = Option.getOrThrow(coupon)
        return { available, reservedCount, redeemedCount }
      },
    ),
  )

/** Runs `args` with --dry-run, checks it wrote nothing, runs it for real and returns both reports. */
const rehearseThenRun = async (args: ReadonlyArray<string>) => {
  const before = await database.dump()
  const rehearsal = await opsHere([...args, "--dry-run", "--json"], database.env)
  expect(rehearsal.code).toBe(0)
  expect(await database.dump()).toEqual(before)
  const run = await ops([...args, "--json"], database.env)
  expect(run.code).toBe(0)
  return { predicted: json(rehearsal), done: json(run) }
}

describe("pnpm ops expire-reservations (runbook scenario 3)", () => {
  it("settles the leaked reservation exactly as its dry run said, and the leak query comes back empty", async () => {
    const { predicted, done } = await rehearseThenRun([
      "expire-reservations",
      "--reason",
      "INC-9: leak alert",
    ])
    expect(comparable(done.changes)).toEqual(comparable(predicted.changes))
    expect(done.changes).toEqual(
      expect.arrayContaining([
        { record: `order ${shop.leaked.id}`, field: "status", before: "pending", after: "expired" },
        {
          record: `reservation SAVE10/${shop.leaked.id}`,
          field: "status",
          before: "reserved",
          after: "expired",
        },
        { record: "coupon SAVE10", field: "reservedCount", before: 1, after: 0 },
      ]),
    )
    expect(done.report).toEqual({ ordersExpired: 1, reservationsExpired: 0, reservationsRedeemed: 0 })
    expect(json(await opsHere(["stuck-reservations", "--json"], database.env))).toMatchObject({ count: 0 })
    expect(await couponCounters("SAVE10")).toEqual({ available: 10, reservedCount: 0, redeemedCount: 0 })
    expect((await auditTrail(database)).filter((r) => r.action === "job.run")).toEqual([
      expect.objectContaining({
        actor: "ops-cli:oncall",
        reason: "INC-9: leak alert",
        orderId: null,
        after: expect.objectContaining({
          job: "expiry",
          outcome: "succeeded",
          holder: expect.stringMatching(/^ops-cli:oncall@/),
        }),
      }),
    ])
  })
})

describe("a job run from the shell", () => {
  it("waits its turn: while a replica holds the job's lease it is refused with JOB_BUSY and changes nothing", async () => {
    await database.read(
      Effect.flatMap(JobLeases, (leases) => leases.acquire("repair", "replica-a:42/1", new Date(), 60_000)),
    )
    const before = await database.dump()
    const run = await opsHere(["repair-reservations", "--reason", "INC-9: drift", "--json"], database.env)
    expect(run.code).toBe(1)
    expect(json(run)).toMatchObject({
      error: { code: "JOB_BUSY", message: expect.stringContaining("replica-a:42/1") },
    })
    expect(await database.dump()).toEqual(before)
    await database.read(
      Effect.flatMap(JobLeases, (leases) => leases.release("repair", "replica-a:42/1", null)),
    )
  })
})

describe("pnpm ops repair-reservations (runbook scenario 3)", () => {
  it("prints the drift per coupon, rewrites it as its dry run said, and finds none the second time", async () => {
    const { predicted, done } = await rehearseThenRun(["repair-reservations", "--reason", "INC-9: drift"])
    const drift = [
      {
        couponId: shop.drifted.id,
        code: "DRIFT",
        before: { available: 7, reservedCount: 3 },
        after: { available: 10, reservedCount: 0 },
      },
    ]
    expect(predicted).toMatchObject({ report: { drift } })
    // The order held in review is past its expiry: its stock hold is nobody's now, and is released.
    expect(done).toMatchObject({ report: { drift, holdsReleased: 1 } })
    expect(done.changes).toEqual(predicted.changes)
    expect(await couponCounters("DRIFT")).toEqual({ available: 10, reservedCount: 0, redeemedCount: 0 })

    const again = await opsHere(["repair-reservations", "--reason", "INC-9: check"], database.env)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("No coupon counter drift.")
    expect(again.stdout).toContain("Nothing changed.")
  })
})
