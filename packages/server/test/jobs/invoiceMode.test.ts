import { randomBytes } from "node:crypto"
import { MongoDatabase } from "@settle/adapters"
import { AuditLog } from "@settle/domain"
import { InvoiceControl } from "@settle/testkit"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import type { RunningServer, ServerSettings } from "../../src/bootstrap/start.js"
import { itOnce } from "../e2e/support/mongoProjects.js"
import { mongoPlan } from "../support/mongoStore.js"
import {
  adminToken,
  type CheckoutBody,
  call,
  checkout,
  errorOf,
  metric,
  readOrder,
  startTestServer,
} from "../support/server.js"

const PATH = "/api/v1/admin/settings/invoice-mode"

const send = async (server: RunningServer, method: string, path: string, body?: unknown) =>
  call(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${await adminToken()}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

const switchTo = (server: RunningServer, mode: string, reason = "provider outage, INC-7") =>
  send(server, "PUT", PATH, { mode, reason })

const modeOf = async (server: RunningServer) =>
  ((await send(server, "GET", PATH)).body as { invoiceMode: { mode: string } }).invoiceMode.mode

const runInvoices = (server: RunningServer) =>
  send(server, "POST", "/api/v1/admin/jobs/invoice-retry/run", { reason: "runbook scenario 2, step 2" })

/** Checkout and pay through the sandbox page: the order ends confirmed with its invoice due. */
const confirmedOrder = async (server: RunningServer): Promise<CheckoutBody> => {
  const placed = await checkout(server)
  expect((await call(`${placed.paymentUrl}/pay`, { method: "POST" })).status).toBe(200)
  return placed
}

const invoiceOf = async (server: RunningServer, placed: CheckoutBody) =>
  (
    (await readOrder(server, placed)).body as {
      order: { invoice: { status: string; number: string | null } }
    }
  ).order.invoice

const provider = (server: RunningServer) =>
  server.runtime.runPromise(Effect.serviceOption(InvoiceControl)).then(Option.getOrThrow)

// Once per Mongo server for the replica test; the store-free ones run in one Mongo project only.
describe("the invoice mode", () => {
  itOnce("starts as the deployment's INVOICE_MODE, none when it is unset", async () => {
    expect(await modeOf(await startTestServer())).toBe("none")
    const answer = await send(await startTestServer({ invoiceMode: "stripe" }), "GET", PATH)
    expect(answer.body).toEqual({
      invoiceMode: { mode: "stripe", source: "deployment", changedBy: null, changedAt: null, reason: null },
    })
  })

  itOnce("switches at runtime, audited with the admin and the reason", async () => {
    const server = await startTestServer({ invoiceMode: "stripe" })
    const answer = await switchTo(server, "manual")
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      invoiceMode: {
        mode: "manual",
        previous: "stripe",
        source: "switch",
        changedBy: "ops@example.com",
        changedAt: expect.any(String),
        reason: "provider outage, INC-7",
      },
    })
    expect(await modeOf(server)).toBe("manual")
    const records = await server.runtime.runPromise(Effect.flatMap(AuditLog, (log) => log.recent(10)))
    expect(records).toMatchObject([
      {
        actor: "ops@example.com",
        action: "settings.invoice_mode",
        orderId: null,
        reason: "provider outage, INC-7",
        before: { mode: "stripe" },
        after: { mode: "manual" },
      },
    ])
  })

  itOnce("refuses a bad switch with 400 naming the field, and changes nothing", async () => {
    const server = await startTestServer({ invoiceMode: "stripe" })
    for (const [body, field] of [
      [{ mode: "paper", reason: "x" }, "mode"],
      [{ mode: "manual" }, "reason"],
      [{ mode: "manual", reason: "" }, "reason"],
      [{ mode: "manual", reason: "x", by: "me" }, "by"],
    ] as const) {
      const answer = await send(server, "PUT", PATH, body)
      expect(answer.status).toBe(400)
      expect(errorOf(answer)).toMatchObject({ code: "INVALID_INPUT", details: { field } })
    }
    expect(await modeOf(server)).toBe("stripe")
    expect(await server.runtime.runPromise(Effect.flatMap(AuditLog, (log) => log.recent(10)))).toEqual([])
  })

  itOnce("takes the provider out of the invoice path during an outage (runbook scenario 2)", async () => {
    const server = await startTestServer({ invoiceMode: "stripe" })
    const control = await provider(server)
    await Effect.runPromise(control.setFailing(true))
    const during = await confirmedOrder(server)
    expect((await runInvoices(server)).body).toMatchObject({ run: { report: { failed: 1 } } })
    expect(await invoiceOf(server, during)).toMatchObject({ status: "failed" })
    expect(await metric(server, 'invoice_issue_total{status="failure"}')).toBe(1)

    expect((await switchTo(server, "manual")).status).toBe(200)
    const manual = await confirmedOrder(server)
    expect((await runInvoices(server)).body).toMatchObject({ run: { report: { manual: 1, failed: 0 } } })
    expect(await invoiceOf(server, manual)).toEqual({ status: "manual", number: null, url: null })
    // Not one call reached the provider while it was switched off.
    expect(await Effect.runPromise(control.calls)).toBe(1)

    await Effect.runPromise(control.setFailing(false))
    expect((await switchTo(server, "stripe", "provider back, INC-7")).status).toBe(200)
    const after = await confirmedOrder(server)
    expect((await runInvoices(server)).body).toMatchObject({ run: { report: { issued: 1 } } })
    expect(await invoiceOf(server, after)).toMatchObject({ status: "issued", number: expect.any(String) })
    expect(await metric(server, 'invoice_issue_total{status="success"}')).toBe(1)
  })

  it("reaches every replica on the same database without a restart", async () => {
    const dbName = `settle_mode_${randomBytes(6).toString("hex")}`
    const on: Partial<ServerSettings> = {
      storage: mongoPlan(dbName),
      invoiceMode: "stripe",
    }
    const [a, b] = [await startTestServer(on), await startTestServer(on)]
    try {
      expect((await switchTo(a, "none")).status).toBe(200)
      expect(await modeOf(b)).toBe("none")
      expect((await send(b, "GET", PATH)).body).toMatchObject({
        invoiceMode: { mode: "none", source: "switch", changedBy: "ops@example.com" },
      })
      expect((await switchTo(b, "manual")).body).toMatchObject({ invoiceMode: { previous: "none" } })
      expect(await modeOf(a)).toBe("manual")
    } finally {
      const { db } = Option.getOrThrow(
        await a.runtime.runPromise(Effect.serviceOption(MongoDatabase.MongoDatabase)),
      )
      await db.dropDatabase()
    }
  })
})
