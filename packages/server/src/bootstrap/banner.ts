import type { PaymentsPlan, StoragePlan } from "./layers.js"

export interface BannerFacts {
  /** The bound address, e.g. http://127.0.0.1:3000. */
  readonly url: string
  readonly publicUrl: string
  readonly storage: StoragePlan
  readonly payments: PaymentsPlan & { readonly livemode?: boolean }
  /** A short-lived admin token when the embedded default generated the signing secret. */
  readonly demoAdminToken: string | null
  /** What config defaulted or generated that an operator must hear about. */
  readonly notices: ReadonlyArray<string>
  /** Risks accepted by an opt-in (a store whose writes race): said first and in capitals. */
  readonly warnings: ReadonlyArray<string>
}

const rule = "=".repeat(78)

const storageLine = (storage: StoragePlan): string =>
  storage._tag === "Memory"
    ? "IN-MEMORY stores (seeded demo shop; everything is lost when the process stops)"
    : `MongoDB (database ${storage.dbName ?? "from the URI"})`

const paymentsLine = (payments: BannerFacts["payments"]): string =>
  payments._tag === "Sandbox"
    ? "SANDBOX gateway (offline; signs and delivers real Stripe webhooks to this server)"
    : `Stripe${payments.livemode === true ? " LIVE MODE: real money moves" : " (test mode)"}${
        payments.apiBaseUrl === undefined ? "" : ` at ${payments.apiBaseUrl}`
      }`

/**
 * A walk-through that works pasted into a POSIX shell as it is: node (already on the machine) pulls
 * the ids out of the JSON, so no jq is needed.
 */
const walkThrough = (url: string, sandbox: boolean): ReadonlyArray<string> => {
  const body =
    '{"items":[{"sku":"BEANS-1KG","quantity":2}],"currency":"EUR","email":"you@example.com","couponCode":"WELCOME10"}'
  const pick = (path: string) => `node -p "JSON.parse(process.argv[1]).${path}" "$CHECKOUT"`
  return [
    "# 1. check out (201: the order, its access token and where to pay)",
    `CHECKOUT=$(curl -s -X POST ${url}/api/v1/checkout -H 'Content-Type: application/json' -d '${body}'); echo "$CHECKOUT"`,
    `ORDER=$(${pick("order.id")}); TOKEN=$(${pick("accessToken")}); PAY=$(${pick("paymentUrl")})`,
    ...(sandbox
      ? [
          "# 2. pay in the sandbox (or open $PAY in a browser): a signed checkout.session.completed is POSTed to the webhook",
          `curl -s -X POST "$PAY/pay"; echo`,
        ]
      : ["# 2. open $PAY in a browser and pay with Stripe's test card 4242 4242 4242 4242", 'echo "$PAY"']),
    "# 3. read the order back with its token: status confirmed",
    `curl -s ${url}/api/v1/orders/$ORDER -H "X-Order-Token: $TOKEN"; echo`,
  ]
}

/**
 * What starts, said loudly: which stores and gateway are in use, and how to try it. A deployment on
 * MongoDB and Stripe gets only the first part: its logs are no place for a tutorial.
 */
export const banner = (facts: BannerFacts): string => {
  const lines = [
    rule,
    ` Settle reference server on ${facts.url}${facts.publicUrl === facts.url ? "" : ` (public URL ${facts.publicUrl})`}`,
    `   stores:   ${storageLine(facts.storage)}`,
    `   payments: ${paymentsLine(facts.payments)}`,
    ...facts.warnings.map((warning) => `   WARNING:  ${warning}`),
    ...facts.notices.map((notice) => `   note:     ${notice}`),
    rule,
  ]
  if (facts.storage._tag === "Mongo" && facts.payments._tag === "Stripe") return lines.join("\n")
  if (facts.storage._tag === "Mongo") {
    lines.push("", "Try it (the products must exist: create BEANS-1KG through the admin API first):")
  } else {
    lines.push("", "Try it (copy and paste into a shell):")
  }
  lines.push(...walkThrough(facts.url, facts.payments._tag === "Sandbox"))
  lines.push("", `Probes: ${facts.url}/healthz  ${facts.url}/readyz  ${facts.url}/metrics`)
  if (facts.demoAdminToken !== null) {
    lines.push(
      "",
      "Demo admin token (signed with this run's generated secret; expires in 1 hour):",
      `ADMIN_TOKEN=${facts.demoAdminToken}`,
      `curl -s ${facts.url}/api/v1/admin/products -H "Authorization: Bearer $ADMIN_TOKEN"; echo`,
    )
  }
  lines.push(rule)
  return lines.join("\n")
}
