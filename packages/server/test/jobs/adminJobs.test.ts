import { AuditLog, JobLeases } from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { RunningServer } from "../../src/bootstrap/start.js"
import { adminToken, call, errorOf, startFailingStoreServer, startTestServer } from "../support/server.js"

const send = async (server: RunningServer, method: string, path: string, body?: unknown) =>
  call(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${await adminToken()}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  })

const runJob = (server: RunningServer, name: string, body: unknown = { reason: "runbook scenario 3" }) =>
  send(server, "POST", `/api/v1/admin/jobs/${name}/run`, body)

const audit = (server: RunningServer) =>
  server.runtime.runPromise(Effect.flatMap(AuditLog, (log) => log.recent(100)))

interface StatusBody {
  readonly replica: string
  readonly jobs: ReadonlyArray<{
    readonly name: string
    readonly everySeconds: number | null
    readonly lease: { readonly holder: string } | null
    readonly lastRun: { readonly outcome: string; readonly report: unknown; readonly holder: string } | null
  }>
}

const status = async (server: RunningServer) =>
  (await send(server, "GET", "/api/v1/admin/jobs")).body as StatusBody

describe("GET /api/v1/admin/jobs", () => {
  it("refuses anyone without an admin token", async () => {
    const server = await startTestServer()
    const answer = await call(`${server.url}/api/v1/admin/jobs`)
    expect(answer.status).toBe(401)
    expect(errorOf(answer).code).toBe("UNAUTHORIZED")
  })

  it("lists every job with this replica's interval, its lease and its last run", async () => {
    const server = await startTestServer({
      jobs: { everyMs: { expiry: 120_000 }, leaseMs: 60_000, runTimeoutMs: 60_000 },
    })
    const answer = await send(server, "GET", "/api/v1/admin/jobs")
    expect(answer.status).toBe(200)
    const body = answer.body as StatusBody
    expect(body.replica).toMatch(/^.+:\d+:[0-9a-f]{6}$/)
    expect(body.jobs.map((job) => [job.name, job.everySeconds, job.lease, job.lastRun])).toEqual([
      ["expiry", 120, null, null],
      ["repair", null, null, null],
      ["invoice-retry", null, null, null],
      ["reconcile", null, null, null],
    ])
  })

  it("shows the scheduled runs' records once they ran", async () => {
    const server = await startTestServer({
      jobs: { everyMs: { repair: 20 }, leaseMs: 60_000, runTimeoutMs: 60_000 },
    })
    await expect
      .poll(async () => (await status(server)).jobs.find((job) => job.name === "repair")?.lastRun?.outcome)
      .toBe("succeeded")
  })
})

describe("POST /api/v1/admin/jobs/:name/run", () => {
  it("runs the job now under its lease, answers its report and audits it", async () => {
    const server = await startTestServer()
    const answer = await runJob(server, "expiry")
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      job: "expiry",
      run: {
        outcome: "succeeded",
        report: { ordersExpired: 0, reservationsExpired: 0, reservationsRedeemed: 0 },
        error: null,
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
      },
    })
    const [record] = await audit(server)
    expect(record).toMatchObject({
      actor: "ops@example.com",
      action: "job.run",
      orderId: null,
      reason: "runbook scenario 3",
      after: { job: "expiry", outcome: "succeeded" },
    })
    const expiry = (await status(server)).jobs.find((job) => job.name === "expiry")
    expect(expiry?.lease).toBeNull()
    expect(expiry?.lastRun).toMatchObject({
      outcome: "succeeded",
      holder: (answer.body as { run: { holder: string } }).run.holder,
    })
  })

  it("refuses bad input with 400 naming the field, runs nothing and audits nothing", async () => {
    const server = await startTestServer()
    for (const [body, field] of [
      [{}, "reason"],
      [{ reason: "   " }, "reason"],
      [{ reason: "ok", dryRun: true }, "dryRun"],
      [[], "(root)"],
    ] as const) {
      const answer = await runJob(server, "repair", body)
      expect(answer.status).toBe(400)
      expect(errorOf(answer)).toMatchObject({ code: "INVALID_INPUT", details: { field } })
    }
    expect((await runJob(server, "repair", "reason=ok")).status).toBe(400)
    const text = await call(`${server.url}/api/v1/admin/jobs/repair/run`, {
      method: "POST",
      headers: { Authorization: `Bearer ${await adminToken()}`, "Content-Type": "text/plain" },
      body: "run it",
    })
    expect(text.status).toBe(415)
    expect(await audit(server)).toEqual([])
    expect((await status(server)).jobs.every((job) => job.lastRun === null)).toBe(true)
  })

  it("answers 404 for a job that does not exist, naming the ones that do", async () => {
    const server = await startTestServer()
    const answer = await runJob(server, "vacuum")
    expect(answer.status).toBe(404)
    expect(errorOf(answer)).toMatchObject({
      code: "JOB_NOT_FOUND",
      details: { job: "vacuum", known: ["expiry", "repair", "invoice-retry", "reconcile"] },
    })
    expect(await audit(server)).toEqual([])
  })

  it("answers 409 while another replica's run holds the lease, and audits nothing", async () => {
    const server = await startTestServer()
    const until = new Date(Date.now() + 60_000)
    await server.runtime.runPromise(
      Effect.flatMap(JobLeases, (leases) =>
        leases.acquire("invoice-retry", "replica-b:1:abcdef/3", new Date(), 60_000),
      ),
    )
    const answer = await runJob(server, "invoice-retry")
    expect(answer.status).toBe(409)
    expect(errorOf(answer)).toMatchObject({
      code: "JOB_BUSY",
      details: { job: "invoice-retry", holder: "replica-b:1:abcdef/3" },
    })
    expect(Date.parse(String(errorOf(answer).details.expiresAt))).toBeLessThanOrEqual(until.getTime() + 1_000)
    expect(await audit(server)).toEqual([])
  })

  it("answers 503 when the run fails, keeps the failed run as the last run and audits it", async () => {
    const { server, failAt } = await startFailingStoreServer()
    failAt(1)
    const answer = await runJob(server, "reconcile")
    failAt(null)
    expect(answer.status).toBe(503)
    expect(errorOf(answer)).toMatchObject({
      code: "JOB_FAILED",
      details: { job: "reconcile", error: expect.stringMatching(/^StoreError: /) },
    })
    const reconcile = (await status(server)).jobs.find((job) => job.name === "reconcile")
    expect(reconcile).toMatchObject({ lease: null, lastRun: { outcome: "failed", report: null } })
    expect(await audit(server)).toMatchObject([
      { action: "job.run", after: { job: "reconcile", outcome: "failed" } },
    ])
  })
})
