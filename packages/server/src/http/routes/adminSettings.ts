import type Router from "@koa/router"
import {
  type InvoiceModeChange,
  InvoiceModeSetting,
  InvoiceProvider,
  switchInvoiceMode,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { readJson } from "../body.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import type { InvoiceModeJson } from "../schemas/settings.js"
import { actorOf, requireAdmin } from "./adminGuard.js"

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

/**
 * Runtime settings. The invoice mode is runbook scenario 2's "switch to manual or none temporarily":
 * stored, so every replica follows it from its next invoice on, without a redeploy. GET and PUT answer
 * the same `invoiceMode` object; PUT's also names the mode it replaced, `previous`.
 */
export const adminSettingsRoutes = (router: Router, deps: RouteDeps): void => {
  const admin = requireAdmin(deps)
  const path = "/api/v1/admin/settings/invoice-mode"

  router.get(path, admin, (ctx) =>
    respond(ctx, deps.runtime, invoiceModeNow, 200, (invoiceMode) => ({ invoiceMode })),
  )

  router.put(path, admin, async (ctx) => {
    const input = await readJson(ctx, deps.bodyLimitBytes)
    await respond(ctx, deps.runtime, switchInvoiceMode(input, actorOf(ctx.state)), 200, (switched) => ({
      invoiceMode: { ...invoiceModeView(Option.some(switched), switched.mode), previous: switched.previous },
    }))
  })
}
