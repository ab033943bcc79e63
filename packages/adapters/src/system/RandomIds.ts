import { randomBytes, randomUUID } from "node:crypto"
import { IdGenerator } from "@settle/domain"
import { Effect, Layer } from "effect"

/**
 * Ids unique across processes and restarts (`ord_<uuid without dashes>`), and access tokens with 256
 * bits of randomness, url-safe.
 */
export const layer: Layer.Layer<IdGenerator> = Layer.succeed(IdGenerator, {
  next: (prefix) => Effect.sync(() => `${prefix}_${randomUUID().replaceAll("-", "")}`),
  secret: Effect.sync(() => randomBytes(32).toString("base64url")),
})
