import {
  type InvoiceModeChange,
  InvoiceModeRequest,
  InvoiceModeSetting,
  InvoiceProvider,
  switchInvoiceMode,
} from "@settle/domain"
import { Effect, Option, Schema } from "effect"
import { defineRoute } from "../contract/route.js"
import { respond } from "../respond.js"
import { nonBlankText } from "../schemas/common.js"
import { InvoiceModeAnswer, type InvoiceModeJson, InvoiceModeSwitchAnswer } from "../schemas/settings.js"
import { actorOf } from "./adminGuard.js"

/**
 * Runtime settings. The invoice mode is runbook scenario 2's "switch to manual or none temporarily":
 * stored, so every replica follows it from its next invoice on, without a redeploy. GET and PUT answer
 * the same `invoiceMode` object; PUT's also names the mode it replaced, `previous`.
 */

/** The mode in force and where it comes from: an operator's switch, or the deployment's INVOICE_MODE. */
const invoiceModeView = (change: Option.Option<InvoiceModeChange>, mode: InvoiceModeJson["mode"]) =>
  Option.match(change, {
    onNone: (): InvoiceModeJson => ({
      mode,
      source: "deployment",
      changedBy: null,
      changedAt: null,
      reason: null,
    }),
    onSome: (last): InvoiceModeJson => ({
      mode,
      source: "switch",
      changedBy: last.actor,
      changedAt: last.at.toISOString(),
      reason: last.reason,
    }),
  })

const invoiceModeNow = Effect.gen(function* () {
  const mode = yield* (yield* InvoiceProvider).mode
  return invoiceModeView(yield* (yield* InvoiceModeSetting).current, mode)
})

/** InvoiceModeRequest as the document states it: the reason is a non-blank text. */
const InvoiceModeBody = Schema.Struct({
  ...InvoiceModeRequest.fields,
  reason: InvoiceModeRequest.fields.reason.annotations(nonBlankText(2000)),
})

const path = "/api/v1/admin/settings/invoice-mode"
const tags = ["admin: settings"]

export const getInvoiceModeRoute = defineRoute({
  method: "get",
  path,
  operationId: "adminGetInvoiceMode",
  summary: "The invoice mode in force and where it comes from",
  tags,
  auth: "admin",
  responses: {
    200: {
      description: "`source` is `deployment` (INVOICE_MODE; the change fields null) or `switch`",
      schema: InvoiceModeAnswer,
    },
  },
  handler: (ctx, deps) => respond(ctx, deps.runtime, invoiceModeNow, 200, (invoiceMode) => ({ invoiceMode })),
})

export const switchInvoiceModeRoute = defineRoute({
  method: "put",
  path,
  operationId: "adminSwitchInvoiceMode",
  summary: "Switch the invoice mode for every replica, without a redeploy",
  description: "Stored and audited (`settings.invoice_mode`); wins over INVOICE_MODE from then on.",
  tags,
  auth: "admin",
  idempotent: true,
  request: { body: { kind: "json", schema: InvoiceModeBody } },
  responses: {
    200: {
      description: "The mode now in force, and the one it replaced as `previous`",
      schema: InvoiceModeSwitchAnswer,
    },
  },
  handler: (ctx, deps, { body }) =>
    respond(ctx, deps.runtime, switchInvoiceMode(body, actorOf(ctx.state)), 200, (switched) => ({
      invoiceMode: { ...invoiceModeView(Option.some(switched), switched.mode), previous: switched.previous },
    })),
})

export const adminSettingsRoutes = [getInvoiceModeRoute, switchInvoiceModeRoute]
