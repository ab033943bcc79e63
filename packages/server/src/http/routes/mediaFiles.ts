import { createReadStream } from "node:fs"
import type Router from "@koa/router"
import { LocalDiskMediaStorage } from "@settle/adapters"
import { Effect, Option } from "effect"
import { RouteNotFound } from "../rejections.js"
import { run } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"

/**
 * `GET /media/:name`: the files of the local-disk media store, at the URLs its assets carry. Names are
 * checked by the store against the form it gives out, so no path a client sends reaches the disk.
 * With Cloudinary there is no local store and every name is a 404.
 */
export const mediaFileRoutes = (router: Router, deps: RouteDeps): void => {
  router.get("/media/:name", async (ctx) => {
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
  })
}
