import { type InvoiceModeChange, InvoiceModeSetting } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { minute } from "../fixtures.js"
import { runInLayer } from "./runInLayer.js"

const aChange = (overrides: Partial<InvoiceModeChange> = {}): InvoiceModeChange => ({
  mode: "manual",
  actor: "ops@example.com",
  reason: "invoice provider outage, INC-42",
  at: minute(1),
  ...overrides,
})

/** The InvoiceModeSetting contract: the latest switch wins and reads back whole. */
export const suite = <E>(name: string, layer: Layer.Layer<InvoiceModeSetting, E>): void => {
  const run = runInLayer(layer)

  describe(name, () => {
    it("has no switch until one is recorded", () =>
      run(
        Effect.gen(function* () {
          expect(Option.isNone(yield* (yield* InvoiceModeSetting).current)).toBe(true)
        }),
      ))

    it("reads back the switch recorded, with who, why and when", () =>
      run(
        Effect.gen(function* () {
          const setting = yield* InvoiceModeSetting
          const change = aChange()
          yield* setting.record(change)
          expect(yield* setting.current).toEqual(Option.some(change))
        }),
      ))

    it("keeps only the latest switch", () =>
      run(
        Effect.gen(function* () {
          const setting = yield* InvoiceModeSetting
          yield* setting.record(aChange({ mode: "none", at: minute(1) }))
          const back = aChange({
            mode: "stripe",
            actor: "lead@example.com",
            reason: "provider back",
            at: minute(9),
          })
          yield* setting.record(back)
          expect(yield* setting.current).toEqual(Option.some(back))
        }),
      ))

    it("hands out copies: changing one does not change the setting", () =>
      run(
        Effect.gen(function* () {
          const setting = yield* InvoiceModeSetting
          const change = aChange()
          yield* setting.record(change)
          Object.assign(change, { mode: "none" })
          const read = Option.getOrThrow(yield* setting.current)
          read.at.setTime(0)
          expect(Option.getOrThrow(yield* setting.current)).toEqual(aChange())
        }),
      ))
  })
}
