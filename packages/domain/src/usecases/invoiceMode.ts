import { Effect, Option, Ref, Schema } from "effect"
import type { InvalidInput, StoreError } from "../errors.js"
import { ActorField } from "../model/AdminInput.js"
import { type InvoiceModeChange, InvoiceModeName } from "../model/InvoiceModeChange.js"
import type { AuditLog } from "../ports/AuditLog.js"
import { Clock } from "../ports/Clock.js"
import type { IdGenerator } from "../ports/IdGenerator.js"
import { InvoiceModeSetting } from "../ports/InvoiceModeSetting.js"
import { type InvoiceMode, InvoiceProvider } from "../ports/InvoiceProvider.js"
import { recordAudit } from "./audit.js"
import { decodeInput } from "./decodeInput.js"

/** An operator's request to switch the invoice mode; the reason is required, as for every manual step. */
export const InvoiceModeRequest = Schema.Struct({
  mode: InvoiceModeName,
  reason: Schema.Trim.pipe(
    Schema.minLength(1, { message: () => "reason must not be empty" }),
    Schema.maxLength(2000, { message: () => "reason must be at most 2000 characters" }),
  ),
})

export interface InvoiceModeSwitched extends InvoiceModeChange {
  /** The mode in force before the switch. */
  readonly previous: InvoiceMode
}

/**
 * Runbook scenario 2, "if provider outage, switch to manual or none temporarily": persisted, so every
 * replica's invoice job follows it from its next invoice on, and audited with the operator's reason.
 */
export const switchInvoiceMode = (
  input: unknown,
  actor: string,
): Effect.Effect<
  InvoiceModeSwitched,
  InvalidInput | StoreError,
  InvoiceModeSetting | InvoiceProvider | AuditLog | IdGenerator | Clock
> =>
  Effect.gen(function* () {
    const by = (yield* decodeInput(ActorField)({ actor })).actor
    const request = yield* decodeInput(InvoiceModeRequest)(input)
    const previous = yield* (yield* InvoiceProvider).mode
    const change: InvoiceModeChange = {
      mode: request.mode,
      actor: by,
      reason: request.reason,
      at: yield* (yield* Clock).now,
    }
    yield* (yield* InvoiceModeSetting).record(change)
    yield* recordAudit({
      actor: by,
      action: "settings.invoice_mode",
      orderId: null,
      reason: request.reason,
      before: { mode: previous },
      after: { mode: request.mode },
    })
    yield* Effect.logInfo(`[invoice] mode switched from ${previous} to ${request.mode} by ${by}`)
    return { ...change, previous }
  })

/**
 * `issuer` (which only ever issues) under the mode operators set: in manual and none the provider is
 * never called, which is the point of switching during its outage. The mode is read from the store on
 * every call, so a switch on one replica reaches all; if the store cannot be read, the last mode read
 * stays in force rather than failing invoices for a reason that is not the provider's.
 */
export const withInvoiceModes = (
  issuer: InvoiceProvider,
  initial: InvoiceMode,
): Effect.Effect<InvoiceProvider, never, InvoiceModeSetting> =>
  Effect.gen(function* () {
    const setting = yield* InvoiceModeSetting
    const lastRead = yield* Ref.make(initial)
    const mode: Effect.Effect<InvoiceMode> = setting.current.pipe(
      Effect.map(Option.match({ onNone: () => initial, onSome: (change) => change.mode })),
      Effect.tap((read) => Ref.set(lastRead, read)),
      Effect.catchAll((error) =>
        Effect.zipRight(
          Effect.logWarning(`[invoice] cannot read the invoice mode, keeping the last one: ${error.message}`),
          Ref.get(lastRead),
        ),
      ),
    )
    return InvoiceProvider.of({
      mode,
      issue: (order, idempotencyKey) =>
        Effect.flatMap(mode, (current) => {
          if (current === "manual") return Effect.succeed({ _tag: "Manual" } as const)
          if (current === "none") return Effect.succeed({ _tag: "None" } as const)
          return issuer.issue(order, idempotencyKey)
        }),
    })
  })
