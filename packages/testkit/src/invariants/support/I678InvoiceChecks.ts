import type { IssuedInvoice } from "@settle/adapters"
import type { Order } from "@settle/domain"
import { expect } from "vitest"
import { expectedDelay, type IssueCall, storedDelay } from "./I678Invoices.js"

/** Per order, the backoff delays its failures stored so far: they may only grow. */
export type DelayHistory = Map<string, Array<number>>

/**
 * After every step: attempts never go back; a failure recorded in this step (the clock stood still)
 * stores lastError and the backoff of its attempt count, never shorter than the previous one; an
 * issued invoice carries the provider's number and nothing left to retry.
 */
export const checkInvoiceStep = (
  before: ReadonlyArray<Order>,
  after: ReadonlyArray<Order>,
  now: Date,
  delays: DelayHistory,
): void => {
  for (const [i, order] of after.entries()) {
    const previous = before[i]!.invoice
    const invoice = order.invoice
    expect(invoice.attempts, `${order.id} attempts never decrease`).toBeGreaterThanOrEqual(previous.attempts)
    const failedNow =
      invoice.status === "failed" && (previous.status !== "failed" || previous.attempts !== invoice.attempts)
    if (failedNow) {
      expect(invoice.lastError, `${order.id} keeps the provider's error`).not.toBeNull()
      const delay = storedDelay(order, now)
      expect(delay, `${order.id} backs off after attempt ${invoice.attempts}`).toBe(
        expectedDelay(invoice.attempts),
      )
      const history = delays.get(order.id) ?? []
      expect(delay, `${order.id} backoff grows`).toBeGreaterThanOrEqual(history.at(-1) ?? 0)
      delays.set(order.id, [...history, delay ?? 0])
    }
    if (invoice.status === "issued") {
      expect(invoice.number, `${order.id} has its number`).not.toBeNull()
      expect([invoice.lastError, invoice.nextAttemptAt]).toEqual([null, null])
    }
  }
}

export interface InvoiceBooks {
  readonly orders: ReadonlyArray<Order>
  readonly issued: ReadonlyArray<IssuedInvoice>
  readonly calls: ReadonlyArray<IssueCall>
  readonly success: number
  readonly failure: number
}

const STATUS_OF = { Issued: "issued", Manual: "manual", None: "none" } as const

/**
 * Once the provider is healthy and the job ran enough: every order is done, an issued one has exactly
 * one provider invoice (its own), a manual or none one was settled by an answer given in that mode,
 * and invoice_issue_total counts each issued order once and each failed call once.
 */
export const checkInvoicesConverged = (books: InvoiceBooks): void => {
  const keys = books.issued.map((invoice) => invoice.idempotencyKey)
  expect(new Set(keys).size, "no invoice issued twice").toBe(keys.length)
  for (const order of books.orders) {
    const { status, number, url } = order.invoice
    expect(["issued", "manual", "none"], `${order.id} ended ${status}`).toContain(status)
    const mine = books.issued.filter((invoice) => invoice.idempotencyKey === `invoice:${order.id}`)
    const answers = books.calls
      .filter((call) => call.orderId === order.id && call.outcome !== "Failed")
      .map((call) => STATUS_OF[call.outcome as keyof typeof STATUS_OF])
    expect(answers, `${order.id} was settled by an answer of the provider`).toContain(status)
    // Each call follows its own claim (attempts + 1): two workers calling on one claim took no turns.
    const calls = books.calls.filter((call) => call.orderId === order.id).length
    expect(
      calls,
      `${order.id}: provider calls within its ${order.invoice.attempts} claims`,
    ).toBeLessThanOrEqual(order.invoice.attempts)
    if (status === "issued") {
      expect(mine.map((invoice) => [invoice.orderId, invoice.number, invoice.url])).toEqual([
        [order.id, number, url],
      ])
    } else {
      // Manual and none mean "no invoice from the provider": one that exists would be a second invoice.
      expect(mine, `${order.id} is ${status} yet has a provider invoice`).toEqual([])
    }
  }
  const issuedOrders = books.orders.filter((order) => order.invoice.status === "issued").length
  expect(books.success, "invoice_issue_total{status=success}").toBe(issuedOrders)
  const failures = books.calls.filter((call) => call.outcome === "Failed").length
  expect(books.failure, "invoice_issue_total{status=failure}").toBe(failures)
}
