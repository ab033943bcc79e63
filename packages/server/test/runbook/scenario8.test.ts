import { describe, expect, it } from "vitest"
import { itOnce } from "../e2e/support/mongoProjects.js"
import { runToExit, startServerProcess } from "../e2e/support/serverProcess.js"
import { json, opsHere } from "../ops/support/cli.js"
import { freshDatabase } from "../ops/support/store.js"
import { storeOptIn } from "../support/mongoStore.js"
import { ADMIN_SECRET, call } from "../support/server.js"

const SCHEME = 'MONGO_URI must start with "mongodb://" or "mongodb+srv://"'

interface Check {
  readonly check: string
  readonly status: string
  readonly message: string
  readonly fix?: string
}

// The two process starts (a few seconds of module loading each) run side by side. Once per Mongo
// server for the last test; the store-free ones run in one Mongo project only.
describe.concurrent("runbook scenario 8: Bootstrap failed: Invalid scheme (MONGO_URI)", () => {
  itOnce("a placeholder MONGO_URI ends the process with exit 1 and the runbook's message", async () => {
    const run = await runToExit({
      MONGO_URI: "CHANGE_ME_MONGO_URI",
      ADMIN_JWT_SECRET: ADMIN_SECRET,
      PAYMENTS: "sandbox",
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      `Bootstrap failed: invalid configuration (1 problem):\n  - ${SCHEME} (the value still holds a placeholder (CHANGE_ME…); set the real value from MongoDB Atlas → Cluster → Connect → "Drivers")\n`,
    )
    expect(`${run.stdout}${run.stderr}`).not.toContain("listening on")
  })

  itOnce.each([
    ["a placeholder", "CHANGE_ME_MONGO_URI", "still holds a placeholder (CHANGE_ME…)"],
    [
      "Atlas's template",
      "mongodb+srv://<user>:<password>@cluster0.example.mongodb.net/shop",
      "placeholder (<…>)",
    ],
    ["quotes", '"mongodb+srv://shop:s3cret@cluster0.example.mongodb.net/shop"', "is wrapped in quotes"],
    ["a leading space", " mongodb+srv://shop:s3cret@cluster0.example.mongodb.net/shop", "leading whitespace"],
    ["another scheme", "postgres://shop:s3cret@db.example.net/shop", 'got "postgres://"'],
  ])("`pnpm ops doctor` fails MONGO_URI holding %s, with the fix", async (_name, uri, why) => {
    const run = await opsHere(["doctor", "--json"], { MONGO_URI: uri, ADMIN_JWT_SECRET: ADMIN_SECRET })
    expect(run.code).toBe(1)
    const mongo = (json(run).checks as ReadonlyArray<Check>).find((check) => check.check === "MONGO_URI")
    expect(mongo).toMatchObject({ status: "fail", message: expect.stringContaining(why) })
    expect(mongo?.fix).toContain("runbook scenario 8")
    expect(run.stdout).not.toContain("s3cret")
  })

  it('with the full connection string the service starts, logs "[db] connected" and stays up', async () => {
    const database = freshDatabase()
    const service = await startServerProcess({
      ...database.env,
      ...storeOptIn(),
      PAYMENTS: "sandbox",
      ADMIN_JWT_SECRET: ADMIN_SECRET,
      LOG_LEVEL: "info",
    })
    try {
      expect(service.output().stdout).toContain(
        `[db] connected (database ${database.dbName}, indexes ensured)`,
      )
      expect((await call(`${service.baseUrl}/readyz`)).status).toBe(200)
    } finally {
      expect(await service.stop()).toBe(0)
      await database.drop()
    }
  })
})
