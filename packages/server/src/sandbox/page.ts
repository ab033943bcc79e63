import type { SandboxPaymentGateway } from "@settle/adapters"
import type { Money } from "@settle/domain"

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const format = (money: Money): string => `${(money.amount / 100).toFixed(2)} ${money.currency}`

export interface PageState {
  readonly session: SandboxPaymentGateway.SandboxSession
  /** The order as the server sees it now, once the webhook has run. */
  readonly orderStatus: string | null
  /** What the last button press did, shown once after the redirect. */
  readonly notice: string | null
}

const layout = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
.box{border:1px solid #ccc;border-radius:8px;padding:1.25rem}
.banner{background:#fff3cd;border:1px solid #e0c46c;border-radius:6px;padding:.5rem .75rem;font-size:.9rem}
.notice{background:#e7f5ea;border:1px solid #7cbf8a;border-radius:6px;padding:.5rem .75rem}
button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem;cursor:pointer}
dt{font-weight:600}dd{margin:0 0 .5rem 0}
</style></head><body>
<p class="banner">Settle sandbox payment page: no money moves, no Stripe account involved.</p>
${body}
</body></html>`

/** The pay page a sandbox checkout's paymentUrl points at: Pay or Cancel, then what the webhook did. */
export const payPage = ({ session, orderStatus, notice }: PageState): string => {
  const base = `/sandbox/checkout/${encodeURIComponent(session.sessionId)}`
  const open = session.status === "open"
  const actions = open
    ? `<form method="post" action="${base}/pay" style="display:inline"><button type="submit">Pay ${escapeHtml(format(session.amount))}</button></form>
<form method="post" action="${base}/expire" style="display:inline"><button type="submit">Cancel</button></form>`
    : `<p>This session is <strong>${escapeHtml(session.status)}</strong>; nothing left to do here.</p>`
  return layout(
    `Pay ${format(session.amount)}`,
    `${notice === null ? "" : `<p class="notice">${escapeHtml(notice)}</p>`}
<div class="box">
<h1>${escapeHtml(format(session.amount))}</h1>
<dl>
<dt>Order</dt><dd>${escapeHtml(session.orderId)}${orderStatus === null ? "" : ` (${escapeHtml(orderStatus)})`}</dd>
<dt>Session</dt><dd>${escapeHtml(session.sessionId)} (${escapeHtml(session.status)}/${escapeHtml(session.paymentStatus)})</dd>
<dt>Expires</dt><dd>${escapeHtml(session.expiresAt.toISOString())}</dd>
</dl>
${actions}
</div>`,
  )
}

export const notFoundPage = (sessionId: string): string =>
  layout("Unknown session", `<p>No sandbox checkout session <code>${escapeHtml(sessionId)}</code>.</p>`)
