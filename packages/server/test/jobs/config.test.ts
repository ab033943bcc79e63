import { describe, expect, it } from "vitest"
import { jobsSettings, RUN_TIMEOUT_MS } from "../../src/jobs/settings.js"
import { load, problemsOf } from "../config/support.js"

describe("the jobs' configuration", () => {
  it("schedules every job by default: expiry and invoice retry every minute, reconcile every 5, repair every 15", () => {
    const { jobs } = load({})
    expect(jobs).toEqual({
      enabled: true,
      leaseMs: 60_000,
      everyMs: { expiry: 60_000, repair: 900_000, invoiceRetry: 60_000, reconcile: 300_000 },
    })
    expect(jobsSettings(jobs)).toEqual({
      everyMs: { expiry: 60_000, repair: 900_000, "invoice-retry": 60_000, reconcile: 300_000 },
      leaseMs: 60_000,
      runTimeoutMs: RUN_TIMEOUT_MS,
    })
  })

  it("takes each interval and the lease from the environment", () => {
    const { jobs } = load({
      JOB_EXPIRY_EVERY_SECONDS: "30",
      JOB_REPAIR_EVERY_SECONDS: "3600",
      JOB_INVOICE_RETRY_EVERY_SECONDS: "120",
      JOB_RECONCILE_EVERY_SECONDS: "1",
      JOB_LEASE_SECONDS: "90",
    })
    expect(jobs).toEqual({
      enabled: true,
      leaseMs: 90_000,
      everyMs: { expiry: 30_000, repair: 3_600_000, invoiceRetry: 120_000, reconcile: 1_000 },
    })
  })

  it("schedules nothing on a replica with JOBS_ENABLED=false; the admin triggers keep the lease", () => {
    const { jobs } = load({ JOBS_ENABLED: "FALSE", JOB_LEASE_SECONDS: "20" })
    expect(jobs.enabled).toBe(false)
    expect(jobsSettings(jobs)).toEqual({ everyMs: {}, leaseMs: 20_000, runTimeoutMs: RUN_TIMEOUT_MS })
  })

  it("names each variable that is not a whole number of seconds in range", () => {
    expect(
      problemsOf({
        JOBS_ENABLED: "yes",
        JOB_EXPIRY_EVERY_SECONDS: "0",
        JOB_REPAIR_EVERY_SECONDS: "1.5",
        JOB_INVOICE_RETRY_EVERY_SECONDS: "86401",
        JOB_RECONCILE_EVERY_SECONDS: "5m",
        JOB_LEASE_SECONDS: "2",
      }).map((problem) => problem.variable),
    ).toEqual([
      "JOBS_ENABLED",
      "JOB_EXPIRY_EVERY_SECONDS",
      "JOB_REPAIR_EVERY_SECONDS",
      "JOB_INVOICE_RETRY_EVERY_SECONDS",
      "JOB_RECONCILE_EVERY_SECONDS",
      "JOB_LEASE_SECONDS",
    ])
    expect(problemsOf({ JOB_LEASE_SECONDS: "2" })).toEqual([
      { variable: "JOB_LEASE_SECONDS", message: "JOB_LEASE_SECONDS must be a whole number from 3 to 3600" },
    ])
  })
})
