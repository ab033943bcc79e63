import { Schema } from "effect"
import { NullableDateTime } from "./common.js"

const ModeName = Schema.Literal("stripe", "manual", "none")

/**
 * The invoice mode in force and where it comes from: the deployment's INVOICE_MODE (`changedBy`,
 * `changedAt` and `reason` null), or an operator's switch.
 */
export const InvoiceModeJson = Schema.Struct({
  mode: ModeName,
  source: Schema.Literal("deployment", "switch"),
  changedBy: Schema.NullOr(Schema.String),
  changedAt: NullableDateTime,
  reason: Schema.NullOr(Schema.String),
}).annotations({ identifier: "InvoiceMode" })
export type InvoiceModeJson = typeof InvoiceModeJson.Type

/** `GET /api/v1/admin/settings/invoice-mode`. */
export const InvoiceModeAnswer = Schema.Struct({ invoiceMode: InvoiceModeJson })

/** `PUT /api/v1/admin/settings/invoice-mode`: the same object, with the mode it replaced as `previous`. */
export const InvoiceModeSwitchAnswer = Schema.Struct({
  invoiceMode: Schema.Struct({ ...InvoiceModeJson.fields, previous: ModeName }).annotations({
    identifier: "InvoiceModeSwitch",
  }),
})
