import { InvoiceControl } from "@settle/testkit"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { json, ops, opsHere } from "../ops/support/cli.js"
import { stockBeans } from "../support/adminOrders.js"
import { type CheckoutBody, call, checkout } from "../support/server.js"
import { idsOf, runQuery } from "./support/mongoShell.js"
import { type RunbookServer, withRunbookServer } from "./support/runbookServer.js"

interface AdminOrder {
  readonly id: string
  readonly invoice: {
    readonly status: string
    readonly number: string | null
    readonly attempts: number
    readonly lastError: string | null
  }
}

/** Checkout, and the customer pays on the sandbox page (which delivers the webhook): confirmed. */
const confirmedOrder = async (rb: RunbookServer): Promise<CheckoutBody> => {
  const placed = await checkout(rb.server)
  expect((await call(`${placed.paymentUrl}/pay`, { method: "POST" })).status).toBe(200)
  return placed
}

const invoiceOf = async (rb: RunbookServer, placed: CheckoutBody) =>
  ((await rb.admin("GET", `/api/v1/admin/orders/${placed.order.id}`)).body as { order: AdminOrder }).order
    .invoice

const runInvoiceJob = (rb: RunbookServer, reason: string) =>
  rb.admin("POST", "/api/v1/admin/jobs/invoice-retry/run", { reason })

const switchInvoiceMode = (rb: RunbookServer, mode: string, reason: string) =>
  rb.admin("PUT", "/api/v1/admin/settings/invoice-mode", { mode, reason })

describe("runbook scenario 2: invoice failures (invoice.status = failed)", () => {
  it("a provider outage is detected, worked around with manual mode, and the retry job issues once it is back", () =>
    withRunbookServer(
      async (rb) => {
        const provider = Option.getOrThrow(
          await rb.server.runtime.runPromise(Effect.serviceOption(InvoiceControl)),
        )
        await stockBeans(rb.server)
        await Effect.runPromise(provider.setFailing(true))
        const [first, second] = [await confirmedOrder(rb), await confirmedOrder(rb)]
        const failedRun = await runInvoiceJob(rb, "scheduled run, provider down")
        expect(failedRun.body).toMatchObject({ run: { outcome: "succeeded", report: { failed: 2 } } })

        // Detection: the failure counter (InvoiceIssueFailures), the gauge, the queries.
        expect(await rb.metric('invoice_issue_total{status="failure"}')).toBe(2)
        expect(await rb.metric("failed_invoice_orders")).toBe(2)
        const db = await rb.db()
        expect(await runQuery(db, "invoiceFailedCount")).toBe(2)
        expect([...(await idsOf(db, "failedInvoicesFirst20"))].sort()).toEqual(
          [first.order.id, second.order.id].sort(),
        )
        expect((await rb.admin("GET", "/api/v1/admin/health/orders")).body).toMatchObject({
          invoiceFailed: 2,
        })
        const listed = await rb.admin("GET", "/api/v1/admin/orders?invoice=failed")
        expect((listed.body as { orders: ReadonlyArray<AdminOrder> }).orders).toEqual([
          expect.objectContaining({
            invoice: expect.objectContaining({
              status: "failed",
              lastError: "invoice provider unavailable (simulated)",
            }),
          }),
          expect.objectContaining({ invoice: expect.objectContaining({ status: "failed" }) }),
        ])
        expect(json(await opsHere(["failed-invoices", "--json"], rb.opsEnv))).toMatchObject({ count: 2 })

        // Immediate mitigation: the provider is out, switch to manual for every replica.
        const manual = await switchInvoiceMode(rb, "manual", "INC-202: invoice provider outage")
        expect(manual.status).toBe(200)
        expect(manual.body).toMatchObject({ invoiceMode: { mode: "manual", previous: "stripe" } })
        const calls = await Effect.runPromise(provider.calls)
        const during = await confirmedOrder(rb)
        expect((await runInvoiceJob(rb, "during the outage")).body).toMatchObject({
          run: { report: { manual: 1, failed: 0 } },
        })
        expect(await invoiceOf(rb, during)).toMatchObject({ status: "manual" })
        expect(await Effect.runPromise(provider.calls)).toBe(calls)
        // One customer cannot wait: the CLI retries that invoice now, in the mode in force (manual).
        const one = await ops(
          [
            "invoice-retry",
            "--order",
            first.order.id,
            "--reason",
            "INC-202: customer asked, sent by hand",
            "--json",
          ],
          rb.opsEnv,
        )
        expect(one.code).toBe(0)
        expect(json(one)).toMatchObject({ result: "manual", invoice: { status: "manual" } })

        // Recovery: the provider is back; switch back, and the retry job issues what is due.
        await Effect.runPromise(provider.setFailing(false))
        expect((await switchInvoiceMode(rb, "stripe", "INC-202: provider recovered")).status).toBe(200)
        // A failed invoice waits out its backoff (1 minute after the first failure) before the job takes it.
        expect((await runInvoiceJob(rb, "INC-202: re-run")).body).toMatchObject({
          run: { report: { issued: 0 } },
        })
        await rb.advanceClock(2 * 60_000)
        const success = await rb.metric('invoice_issue_total{status="success"}')
        const rerun = await runInvoiceJob(rb, "INC-202: re-run after the backoff")
        expect(rerun.status).toBe(200)
        expect(rerun.body).toMatchObject({ run: { report: { issued: 1, failed: 0 } } })

        // Verification: issued, invoice_issue_total{status="success"} increased, nothing failed is left.
        expect(await invoiceOf(rb, second)).toMatchObject({
          status: "issued",
          number: expect.any(String),
          lastError: null,
        })
        expect(await rb.metric('invoice_issue_total{status="success"}')).toBe(success + 1)
        expect(await runQuery(db, "invoiceFailedCount")).toBe(0)
        expect(await idsOf(db, "failedInvoices")).toEqual([])
        expect(await rb.metric("failed_invoice_orders")).toBe(0)
        expect(json(await opsHere(["failed-invoices", "--json"], rb.opsEnv))).toMatchObject({ count: 0 })
      },
      { settings: { invoiceMode: "stripe" } },
    ))
})
