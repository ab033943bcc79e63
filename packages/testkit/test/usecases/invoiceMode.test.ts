import { InvoiceControl } from "@settle/adapters"
import {
  AuditLog,
  InvoiceModeSetting,
  InvoiceProvider,
  OrderId,
  StoreError,
  switchInvoiceMode,
  withInvoiceModes,
} from "@settle/domain"
import { Effect, Option, Ref } from "effect"
import { describe, expect, it } from "vitest"
import { anOrder, T0 } from "../../src/fixtures.js"
import { run, typedFailure } from "./support.js"

/** The world's provider under the mode switch, over a setting the test can make fail. */
const switched = (initial: "stripe" | "manual" | "none", storeDown: Ref.Ref<boolean>) =>
  Effect.gen(function* () {
    const setting = yield* InvoiceModeSetting
    const flaky = InvoiceModeSetting.of({
      ...setting,
      current: Effect.flatMap(Ref.get(storeDown), (down) =>
        down ? Effect.fail(new StoreError({ message: "[db] settings.findOne failed" })) : setting.current,
      ),
    })
    return yield* withInvoiceModes(yield* InvoiceProvider, initial).pipe(
      Effect.provideService(InvoiceModeSetting, flaky),
    )
  })

const order = anOrder({ id: OrderId.make("ord_mode_1"), status: "confirmed" })

describe("switchInvoiceMode", () => {
  it("records the switch and audits it with the mode before and after", () =>
    run(
      Effect.gen(function* () {
        const result = yield* switchInvoiceMode(
          { mode: "manual", reason: " outage INC-9 " },
          "ops@example.com",
        )
        expect(result).toEqual({
          mode: "manual",
          previous: "stripe",
          actor: "ops@example.com",
          reason: "outage INC-9",
          at: T0,
        })
        expect(yield* (yield* InvoiceModeSetting).current).toEqual(
          Option.some({ mode: "manual", actor: "ops@example.com", reason: "outage INC-9", at: T0 }),
        )
        expect(yield* (yield* AuditLog).recent(10)).toMatchObject([
          { action: "settings.invoice_mode", before: { mode: "stripe" }, after: { mode: "manual" } },
        ])
      }),
    ))

  it("refuses bad input naming the field, and records nothing", async () => {
    for (const [input, actor, field] of [
      [{ mode: "email", reason: "x" }, "ops@example.com", "mode"],
      [{ mode: "none" }, "ops@example.com", "reason"],
      [{ mode: "none", reason: "x" }, " ", "actor"],
      ["none", "ops@example.com", "(root)"],
    ] as const) {
      const exit = await run(
        Effect.gen(function* () {
          const attempt = yield* Effect.exit(switchInvoiceMode(input, actor))
          expect(Option.isNone(yield* (yield* InvoiceModeSetting).current)).toBe(true)
          expect(yield* (yield* AuditLog).recent(10)).toEqual([])
          return attempt
        }),
      )
      expect(typedFailure(exit)).toMatchObject({ _tag: "InvalidInput", field })
    }
  })
})

describe("withInvoiceModes", () => {
  it("follows the stored switch on every call, and never calls the provider in manual or none", () =>
    run(
      Effect.gen(function* () {
        const provider = yield* switched("stripe", yield* Ref.make(false))
        const setting = yield* InvoiceModeSetting
        const control = yield* InvoiceControl
        expect((yield* provider.issue(order, `invoice:${order.id}`))._tag).toBe("Issued")
        yield* setting.record({ mode: "none", actor: "ops@example.com", reason: "outage", at: T0 })
        expect(yield* provider.mode).toBe("none")
        expect(yield* provider.issue(order, `invoice:${order.id}`)).toEqual({ _tag: "None" })
        expect(yield* control.calls).toBe(1)
      }),
    ))

  it("starts in the deployment's mode until the first switch", () =>
    run(
      Effect.gen(function* () {
        const provider = yield* switched("manual", yield* Ref.make(false))
        expect(yield* provider.mode).toBe("manual")
        expect(yield* provider.issue(order, `invoice:${order.id}`)).toEqual({ _tag: "Manual" })
      }),
    ))

  it("keeps the last mode it read while the store cannot be read", () =>
    run(
      Effect.gen(function* () {
        const down = yield* Ref.make(false)
        const provider = yield* switched("stripe", down)
        yield* (yield* InvoiceModeSetting).record({ mode: "manual", actor: "ops", reason: "outage", at: T0 })
        expect(yield* provider.mode).toBe("manual")
        yield* Ref.set(down, true)
        expect(yield* provider.mode).toBe("manual")
        expect(yield* provider.issue(order, `invoice:${order.id}`)).toEqual({ _tag: "Manual" })
        expect(yield* (yield* InvoiceControl).calls).toBe(0)
      }),
    ))
})
