import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { issueInvoices, retryInvoice } from "../src/usecases/issueInvoices.js"
import { aConfirmedOrder, anInvoice, T0 } from "./support/fixtures.js"
import { makeWorld } from "./support/world.js"

const SECOND = 1000
const options = { baseDelayMs: SECOND, maxDelayMs: 60 * SECOND, leaseMs: 30 * SECOND }

const setup = (...ids: ReadonlyArray<string>) => {
  const world = makeWorld(T0)
  for (const id of ids) world.state.orders.set(id, aConfirmedOrder(id))
  return world
}

const at = (ms: number) => new Date(T0.getTime() + ms)
const none = { issued: 0, manual: 0, none: 0, failed: 0, skipped: 0, errors: 0 }

describe("issueInvoices", () => {
  it("issues a due invoice with the order's idempotency key", async () => {
    const world = setup("ord_1")
    const summary = Either.getOrThrow(await world.run(issueInvoices(options)))
    expect(summary).toEqual({ ...none, issued: 1 })
    expect(world.order("ord_1").invoice).toEqual(
      anInvoice({ status: "issued", number: "INV-1", url: "https://invoices.example/INV-1", attempts: 1 }),
    )
    expect(world.state.invoiceCalls).toEqual(["invoice:ord_1"])
    expect(world.count("invoice:success")).toBe(1)
  })

  it("stores a failure with exponential backoff and never fails the run", async () => {
    const world = setup("ord_1", "ord_2")
    world.state.invoiceBehavior = "fail"
    const first = await world.run(issueInvoices(options))
    expect(Either.getOrThrow(first)).toEqual({ ...none, failed: 2 })
    expect(world.order("ord_1").invoice).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: "invoice provider down",
      nextAttemptAt: at(SECOND),
    })
    expect(world.count("invoice:failure")).toBe(2)

    // Not due yet: the backoff holds.
    expect(Either.getOrThrow(await world.run(issueInvoices(options)))).toEqual(none)

    world.advance(SECOND)
    await world.run(issueInvoices(options))
    expect(world.order("ord_1").invoice).toMatchObject({
      attempts: 2,
      nextAttemptAt: at(SECOND + 2 * SECOND),
    })
    world.advance(2 * SECOND)
    await world.run(issueInvoices(options))
    expect(world.order("ord_1").invoice).toMatchObject({
      attempts: 3,
      nextAttemptAt: at(3 * SECOND + 4 * SECOND),
    })
  })

  it("caps the backoff at maxDelayMs", async () => {
    const world = setup("ord_1")
    world.state.invoiceBehavior = "fail"
    const capped = { ...options, maxDelayMs: 3 * SECOND }
    for (let run = 0; run < 4; run++) {
      await world.run(issueInvoices(capped))
      world.advance(10 * SECOND)
    }
    const invoice = world.order("ord_1").invoice
    expect(invoice.attempts).toBe(4)
    expect(invoice.nextAttemptAt).toEqual(at(30 * SECOND + 3 * SECOND))
  })

  it("converges to exactly one issued invoice once the provider recovers", async () => {
    const world = setup("ord_1")
    world.state.invoiceBehavior = "fail"
    await world.run(issueInvoices(options))
    world.advance(SECOND)
    await world.run(issueInvoices(options))
    world.state.invoiceBehavior = "issue"
    world.advance(2 * SECOND)
    expect(Either.getOrThrow(await world.run(issueInvoices(options)))).toEqual({ ...none, issued: 1 })
    expect(world.order("ord_1").invoice).toMatchObject({ status: "issued", attempts: 3, lastError: null })
    world.advance(60 * 60 * SECOND)
    expect(Either.getOrThrow(await world.run(issueInvoices(options)))).toEqual(none)
    expect(world.state.invoices.size).toBe(1)
  })

  it.each([
    ["manual", "manual"],
    ["none", "none"],
  ] as const)("records the %s mode as final", async (behavior, status) => {
    const world = setup("ord_1")
    world.state.invoiceBehavior = behavior
    expect(Either.getOrThrow(await world.run(issueInvoices(options)))).toEqual({ ...none, [status]: 1 })
    expect(world.order("ord_1").invoice).toMatchObject({ status, lastError: null, nextAttemptAt: null })
    expect(world.state.metrics).toEqual([])
  })

  it("lets concurrent issuers issue one invoice per order", async () => {
    const ids = ["ord_1", "ord_2", "ord_3", "ord_4", "ord_5"]
    const world = setup(...ids)
    const runs = Either.getOrThrow(
      await world.run(
        Effect.all([issueInvoices(options), issueInvoices(options)], { concurrency: "unbounded" }),
      ),
    )
    expect(runs.reduce((sum, s) => sum + s.issued, 0)).toBe(5)
    expect(runs.reduce((sum, s) => sum + s.skipped, 0)).toBe(5)
    expect(world.state.invoiceCalls).toHaveLength(5)
    expect(world.state.invoices.size).toBe(5)
    for (const id of ids) expect(world.order(id).invoice).toMatchObject({ status: "issued", attempts: 1 })
  })

  it("takes over an invoice whose issuer crashed once its lease expires", async () => {
    const world = setup("ord_1", "ord_2")
    world.state.orders.set(
      "ord_1",
      aConfirmedOrder("ord_1", { invoice: anInvoice({ status: "issuing", attempts: 1, nextAttemptAt: T0 }) }),
    )
    world.state.orders.set(
      "ord_2",
      aConfirmedOrder("ord_2", {
        invoice: anInvoice({ status: "issuing", attempts: 1, nextAttemptAt: at(SECOND) }),
      }),
    )
    expect(Either.getOrThrow(await world.run(issueInvoices(options)))).toEqual({ ...none, issued: 1 })
    expect(world.order("ord_1").invoice).toMatchObject({ status: "issued", attempts: 2 })
    expect(world.order("ord_2").invoice.status).toBe("issuing")
  })
})

describe("retryInvoice", () => {
  const failedOrder = () =>
    aConfirmedOrder("ord_1", {
      invoice: anInvoice({
        status: "failed",
        attempts: 5,
        lastError: "down",
        nextAttemptAt: at(3_600 * SECOND),
      }),
    })

  it("makes a failed invoice due now, audits it, and issues it", async () => {
    const world = makeWorld(T0)
    world.state.orders.set("ord_1", failedOrder())
    const result = Either.getOrThrow(
      await world.run(retryInvoice("ord_1", "carol", "provider fixed", options)),
    )
    expect(result.result).toBe("issued")
    expect(world.order("ord_1").invoice).toMatchObject({ status: "issued", attempts: 6, lastError: null })
    expect(world.state.audit).toMatchObject([
      {
        action: "order.invoice_retry",
        actor: "carol",
        orderId: "ord_1",
        reason: "provider fixed",
        before: { status: "failed", nextAttemptAt: at(3_600 * SECOND) },
        after: { status: "failed", nextAttemptAt: T0 },
      },
    ])
  })

  it("leaves the invoice failed and due later when the provider still fails", async () => {
    const world = makeWorld(T0)
    world.state.orders.set("ord_1", failedOrder())
    world.state.invoiceBehavior = "fail"
    const result = Either.getOrThrow(await world.run(retryInvoice("ord_1", "carol", "try again", options)))
    expect(result.result).toBe("failed")
    expect(world.order("ord_1").invoice).toMatchObject({ status: "failed", attempts: 6 })
    expect(world.order("ord_1").invoice.nextAttemptAt?.getTime()).toBeGreaterThan(T0.getTime())
  })

  it("refuses an invoice that has not failed", async () => {
    const world = setup("ord_1")
    const result = await world.run(Effect.flip(retryInvoice("ord_1", "carol", "why not", options)))
    expect(Either.getOrThrow(result)).toMatchObject({ _tag: "IllegalTransition", from: "invoice.pending" })
    expect(world.state.audit).toHaveLength(0)
  })

  it("names a missing reason and an unknown order", async () => {
    const world = makeWorld(T0)
    world.state.orders.set("ord_1", failedOrder())
    const noReason = await world.run(Effect.flip(retryInvoice("ord_1", "carol", " ")))
    expect(Either.getOrThrow(noReason)).toMatchObject({ _tag: "InvalidInput", field: "reason" })
    const unknown = await world.run(Effect.flip(retryInvoice("ord_x", "carol", "because")))
    expect(Either.getOrThrow(unknown)).toMatchObject({ _tag: "OrderNotFound", key: "ord_x" })
    expect(world.state.audit).toHaveLength(0)
  })
})
