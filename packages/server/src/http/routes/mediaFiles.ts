import { createReadStream } from "node:fs"
import { LocalDiskMediaStorage } from "@settle/adapters"
import { Effect, Option, Schema } from "effect"
import { RETRY_AFTER } from "../contract/commonErrors.js"
import { defineRoute } from "../contract/route.js"
import { RouteNotFound } from "../rejections.js"
import { run } from "../respond.js"

/**
 * `GET /media/{name}`: the files of the local-disk media store, at the URLs its assets carry. Names are
 * checked by the store against the form it gives out, so no path a client sends reaches the disk.
 * With Cloudinary there is no local store and every name is a 404.
 */
export const mediaFileRoute = defineRoute({
  method: "get",
  path: "/media/{name}",
  operationId: "getMediaFile",
  summary: "An uploaded image of the local-disk media store",
  tags: ["media"],
  auth: "none",
  request: { params: Schema.Struct({ name: Schema.String }) },
  responses: {
    200: {
      description: "The image bytes; immutable, cached for a year",
      content: "image/*",
      headers: { "Cache-Control": { description: "`public, max-age=31536000, immutable`" } },
    },
  },
  errors: {
    404: { description: "No file with this name (always, with Cloudinary)", codes: ["NOT_FOUND"] },
    503: {
      description: "The media store cannot be read right now; retry after `Retry-After`",
      codes: ["MEDIA_PROVIDER_UNAVAILABLE"],
      headers: RETRY_AFTER,
    },
  },
  handler: async (ctx, deps) => {
    const find = Effect.flatMap(
      Effect.serviceOption(LocalDiskMediaStorage.LocalMediaFiles),
      Option.match({
        onNone: () => Effect.succeedNone,
        onSome: (files) => files.find(ctx.params.name ?? ""),
      }),
    )
    const found = await run(ctx, deps.runtime, find)
    if (Option.isNone(found)) throw new RouteNotFound({ method: ctx.method, path: ctx.path })
    ctx.type = found.value.contentType
    ctx.length = found.value.bytes
    // A name is the hash of its bytes: the content behind it never changes.
    ctx.set("Cache-Control", "public, max-age=31536000, immutable")
    ctx.set("X-Content-Type-Options", "nosniff")
    ctx.set("Content-Security-Policy", "default-src 'none'; sandbox")
    ctx.body = createReadStream(found.value.path)
  },
})

export const mediaFileRoutes = [mediaFileRoute]
