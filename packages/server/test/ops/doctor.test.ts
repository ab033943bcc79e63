import { describe, expect, inject, it } from "vitest"
import { mongoEnv, onFerretDB } from "../support/mongoStore.js"
import { json, ops, opsHere } from "./support/cli.js"

interface Check {
  readonly check: string
  readonly status: string
  readonly message: string
  readonly fix?: string
}

const checksOf = (report: Record<string, unknown>) => report.checks as ReadonlyArray<Check>
const failing = (report: Record<string, unknown>) =>
  Object.fromEntries(
    checksOf(report)
      .filter((c) => c.status === "fail")
      .map((c) => [c.check, c]),
  )

const SECRET = "Xk3vQ9pLm2ZrT7wYb4NcHs8dJfA"
const API_KEY = "614839271958243"
const ADMIN_SECRET = "settle-ops-doctor-admin-secret-0123456789"
const WEBHOOK_SECRET = "whsec_c2V0dGxlLW9wcy1kb2N0b3ItdGVzdA"

/** What a healthy deployment sets, pointed at this run's FerretDB and stripe-mock. */
const goodEnv = () => ({
  ...mongoEnv(),
  MONGO_DB_NAME: "settle_ops_doctor",
  STRIPE_SECRET_KEY: "sk_test_settleOpsDoctor",
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  STRIPE_API_BASE_URL: inject("stripeMockUrl"),
  ADMIN_JWT_SECRET: ADMIN_SECRET,
  CLOUDINARY_CLOUD_NAME: "settle-shop",
  CLOUDINARY_API_KEY: API_KEY,
  CLOUDINARY_API_SECRET: SECRET,
})

describe("pnpm ops doctor", () => {
  it("passes a good configuration: every variable ok, MongoDB and Stripe reached, Cloudinary left offline", async () => {
    const run = await ops(["doctor", "--json"], goodEnv())
    const report = json(run)
    expect(run.code).toBe(0)
    // FerretDB is accepted only with the opt-in, and the doctor still warns of it.
    const store = onFerretDB() ? [expect.objectContaining({ check: "mongo.server", status: "warn" })] : []
    expect(report).toMatchObject({ ok: true, failed: 0, warnings: store.length })
    expect(checksOf(report).filter((c) => c.status !== "ok")).toEqual([
      ...store,
      expect.objectContaining({
        check: "cloudinary.api",
        status: "skip",
        message: expect.stringContaining("--online"),
      }),
    ])
    expect(checksOf(report).map((c) => c.check)).toEqual(
      expect.arrayContaining([
        "MONGO_URI",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "mongo.ping",
        "mongo.server",
        "stripe.api",
      ]),
    )
  })

  it("catches a wrong scheme, key shapes, swapped Cloudinary key and secret, quotes, each with its fix", async () => {
    const run = await ops(["doctor", "--json"], {
      ...goodEnv(),
      MONGO_URI: "postgres://shop:hunter2@db.example.com/shop",
      STRIPE_SECRET_KEY: "pk_test_settleOpsDoctor",
      STRIPE_WEBHOOK_SECRET: "sk_test_settleOpsDoctor",
      CLOUDINARY_API_KEY: SECRET,
      CLOUDINARY_API_SECRET: API_KEY,
      ADMIN_JWT_SECRET: `"${ADMIN_SECRET}"`,
    })
    expect(run.code).toBe(1)
    const failed = failing(json(run))
    expect(failed.MONGO_URI).toMatchObject({
      message: expect.stringMatching(/^MONGO_URI must start with "mongodb:\/\/" or "mongodb\+srv:\/\/"/),
      fix: expect.stringContaining("runbook scenario 8"),
    })
    expect(failed.STRIPE_SECRET_KEY?.message).toContain("publishable key (pk_…)")
    expect(failed.STRIPE_WEBHOOK_SECRET?.message).toContain("holds an API key")
    expect(failed.CLOUDINARY_API_KEY).toMatchObject({
      message: expect.stringContaining("looks like the API secret"),
      fix: expect.stringContaining("CLOUDINARY_API_KEY and CLOUDINARY_API_SECRET look swapped"),
    })
    expect(failed.CLOUDINARY_API_SECRET?.message).toContain("looks like the API key")
    expect(failed.ADMIN_JWT_SECRET?.message).toContain("wrapped in quotes")
    expect(failed["mongo.ping"]).toBeUndefined()
    for (const secret of [SECRET, ADMIN_SECRET, "hunter2"]) expect(run.stdout).not.toContain(secret)
  })

  it("catches a placeholder, a line break in a secret, and a cloud name swapped with the API key", async () => {
    const run = await opsHere(["doctor"], {
      ...goodEnv(),
      MONGO_URI: "CHANGE_ME_MONGO_URI",
      STRIPE_SECRET_KEY: "sk_live_settleOpsDoctor\n",
      CLOUDINARY_CLOUD_NAME: API_KEY,
      CLOUDINARY_API_KEY: "settle-shop",
      CLOUDINARY_API_SECRET: `${SECRET} `,
    })
    expect(run.code).toBe(1)
    const lines = run.stdout.split("\n")
    const line = (check: string) => lines.find((l) => l.startsWith(`fail  ${check} `)) ?? ""
    expect(line("MONGO_URI")).toContain("placeholder (CHANGE_ME…)")
    expect(line("STRIPE_SECRET_KEY")).toContain("trailing whitespace or a line break")
    expect(line("CLOUDINARY_CLOUD_NAME")).toContain("looks like the API key")
    expect(line("CLOUDINARY_API_KEY")).toContain("looks like the cloud name")
    expect(line("CLOUDINARY_API_SECRET")).toContain("trailing whitespace or a line break")
    expect(run.stdout).toContain("fix: CLOUDINARY_CLOUD_NAME and CLOUDINARY_API_KEY look swapped")
    expect(run.stdout).toMatch(/check\(s\) failed: apply the fixes above/)
    expect(run.stdout).not.toContain(SECRET)
  })

  it("fails the connectivity checks when MongoDB and Stripe cannot be reached, saying where to look", async () => {
    const run = await opsHere(["doctor", "--json"], {
      ...goodEnv(),
      MONGO_URI: "mongodb://127.0.0.1:9/shop",
      STRIPE_API_BASE_URL: "http://127.0.0.1:9",
    })
    expect(run.code).toBe(1)
    const failed = failing(json(run))
    expect(Object.keys(failed).sort()).toEqual(["mongo.ping", "stripe.api"])
    expect(failed["mongo.ping"]?.fix).toContain("Network Access")
    expect(failed["stripe.api"]?.message).toContain("cannot reach Stripe at http://127.0.0.1:9")
  })
})
