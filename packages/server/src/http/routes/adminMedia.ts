import type Router from "@koa/router"
import { type MediaAsset, uploadMedia } from "@settle/domain"
import { receiveFile } from "../multipart.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import type { MediaAssetJson } from "../schemas/media.js"
import { actorOf, requireAdmin } from "./adminGuard.js"

export interface MediaRouteDeps extends RouteDeps {
  /** MEDIA_MAX_BYTES: a file one byte larger is refused with 413. */
  readonly mediaMaxBytes: number
}

/** What an admin client gets back for an upload. */
export const mediaAssetView = (asset: MediaAsset): MediaAssetJson => ({
  id: asset.id,
  provider: asset.provider,
  providerId: asset.providerId,
  url: asset.url,
  bytes: asset.bytes,
  format: asset.format,
  uploadedBy: asset.uploadedBy,
  createdAt: asset.createdAt.toISOString(),
})

/**
 * `POST /api/v1/admin/media/upload`: one image in the multipart part `file`. The guard answers 401/403
 * before a byte of the body is read (runbook scenario 6); the file then streams through the use-case to
 * the provider, whose own refusal comes back as 502 CLOUDINARY_ERROR with its message (scenario 7).
 */
export const adminMediaRoutes = (router: Router, deps: MediaRouteDeps): void => {
  router.post("/api/v1/admin/media/upload", requireAdmin(deps), async (ctx) => {
    const maxBytes = deps.mediaMaxBytes
    const file = await receiveFile(ctx.req, { field: "file", maxBytes })
    try {
      const request = {
        filename: file.filename,
        contentType: file.contentType,
        content: file.content,
        maxBytes,
      }
      await respond(ctx, deps.runtime, uploadMedia(request, actorOf(ctx.state)), 201, (asset) => ({
        asset: mediaAssetView(asset),
      }))
    } finally {
      file.release()
    }
  })
}
