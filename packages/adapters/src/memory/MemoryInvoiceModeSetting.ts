import { type InvoiceModeChange, InvoiceModeSetting } from "@settle/domain"
import { Effect, Layer, Option } from "effect"
import { copy } from "./Collection.js"

export const make: Effect.Effect<InvoiceModeSetting> = Effect.sync(() => {
  let latest: InvoiceModeChange | null = null
  return InvoiceModeSetting.of({
    current: Effect.sync(() => Option.map(Option.fromNullable(latest), copy)),
    record: (change) =>
      Effect.sync(() => {
        latest = copy(change)
      }),
  })
})

export const layer: Layer.Layer<InvoiceModeSetting> = Layer.effect(InvoiceModeSetting, make)
