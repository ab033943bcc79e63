import { PaymentGatewayError } from "@settle/domain"
import { Context, Effect, Either, Layer } from "effect"
import Stripe from "stripe"

export interface StripeClientConfig {
  /** `sk_live_…`, `sk_test_…` or a restricted `rk_…` key. */
  readonly secretKey: string
  /** Where the API lives when it is not api.stripe.com, e.g. `http://127.0.0.1:12111` for stripe-mock. */
  readonly apiBaseUrl?: string
  readonly timeoutMs?: number
  readonly maxNetworkRetries?: number
  /**
   * Put request bodies into the SDK's `request` events, so tests can assert on the parameters sent.
   * Off in production: the bodies carry customer emails.
   */
  readonly emitEventBodies?: boolean
}

/** The configured Stripe SDK instance shared by every Stripe adapter of a process. */
export class StripeClient extends Context.Tag("@settle/adapters/StripeClient")<StripeClient, Stripe>() {}

const invalid = (message: string) => Either.left(new PaymentGatewayError({ message }))

/** host/port/protocol for the SDK; it cannot take a URL and ignores any path, so one is refused. */
const endpoint = (apiBaseUrl: string): Either.Either<Stripe.StripeConfig, PaymentGatewayError> => {
  if (!URL.canParse(apiBaseUrl)) return invalid(`Stripe api base url is not a URL: ${apiBaseUrl}`)
  const url = new URL(apiBaseUrl)
  const protocol = url.protocol.slice(0, -1)
  if (protocol !== "http" && protocol !== "https") {
    return invalid(`Stripe api base url must be http or https: ${apiBaseUrl}`)
  }
  if (url.pathname !== "/" || url.search !== "" || url.username !== "") {
    return invalid(`Stripe api base url must be a bare origin (the SDK adds /v1/…): ${apiBaseUrl}`)
  }
  // The SDK's default port is 443 whatever the protocol, so an http origin without a port needs 80.
  const port = url.port !== "" ? Number(url.port) : protocol === "http" ? 80 : 443
  return Either.right({ host: url.hostname, port, protocol })
}

/** The SDK quietly replaces a non-integer timeout or retry count by its default: refuse it instead. */
const wholeNumbers = (config: StripeClientConfig): Either.Either<StripeClientConfig, PaymentGatewayError> => {
  for (const [name, value] of [
    ["timeoutMs", config.timeoutMs],
    ["maxNetworkRetries", config.maxNetworkRetries],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      return invalid(`Stripe client ${name} must be a whole number, got ${value}`)
    }
  }
  return Either.right(config)
}

/** The SDK options for `config`: API version pinned to the one this SDK release is typed for. */
export const sdkConfig = (
  config: StripeClientConfig,
): Either.Either<Stripe.StripeConfig, PaymentGatewayError> =>
  Either.map(
    Either.flatMap(wholeNumbers(config), () =>
      config.apiBaseUrl === undefined ? Either.right({}) : endpoint(config.apiBaseUrl),
    ),
    (address): Stripe.StripeConfig => ({
      ...address,
      apiVersion: Stripe.API_VERSION,
      telemetry: false,
      ...(config.timeoutMs === undefined ? {} : { timeout: config.timeoutMs }),
      ...(config.maxNetworkRetries === undefined ? {} : { maxNetworkRetries: config.maxNetworkRetries }),
      ...(config.emitEventBodies === true ? { emitEventBodies: true } : {}),
    }),
  )

export const make = (config: StripeClientConfig): Effect.Effect<Stripe, PaymentGatewayError> =>
  Effect.flatMap(sdkConfig(config), (options) =>
    Effect.try({
      // The constructor throws on an empty key.
      try: () => new Stripe(config.secretKey, options),
      catch: (cause) =>
        new PaymentGatewayError({ message: `Stripe client configuration refused: ${String(cause)}`, cause }),
    }),
  )

export const layer = (config: StripeClientConfig): Layer.Layer<StripeClient, PaymentGatewayError> =>
  Layer.effect(StripeClient, make(config))
