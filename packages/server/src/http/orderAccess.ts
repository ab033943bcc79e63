import { createHash, timingSafeEqual } from "node:crypto"
import { OrderId, OrderNotFound, OrderRepository } from "@settle/domain"
import { Effect, Option, Schema } from "effect"

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest()

/** Constant time in the token's content; hashing first also hides its length. */
export const tokensMatch = (presented: string, expected: string): boolean =>
  timingSafeEqual(digest(presented), digest(expected))

const decodeOrderId = Schema.decodeUnknownOption(OrderId)

/**
 * The order `id` if `token` is its access token. A malformed id, an unknown id and a wrong token all
 * fail the same way, so a caller cannot probe which order ids exist.
 */
export const orderForToken = (id: string, token: string) =>
  Effect.gen(function* () {
    const notFound = new OrderNotFound({ key: "order" })
    const orderId = decodeOrderId(id)
    if (Option.isNone(orderId)) return yield* notFound
    const found = yield* (yield* OrderRepository).findById(orderId.value)
    if (Option.isNone(found) || !tokensMatch(token, found.value.accessToken)) return yield* notFound
    return found.value
  })
