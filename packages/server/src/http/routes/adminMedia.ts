import { type MediaAsset, uploadMedia } from "@settle/domain"
import { Schema } from "effect"
import { defineRoute } from "../contract/route.js"
import { receiveFile } from "../multipart.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import { type MediaAssetJson, MediaUploadAnswer } from "../schemas/media.js"
import { actorOf } from "./adminGuard.js"

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

/** The multipart body, for the document: exactly one part, `file`. */
const UploadForm = Schema.Struct({
  file: Schema.String.annotations({
    jsonSchema: { type: "string", contentMediaType: "application/octet-stream", minLength: 1 },
    description: "A JPEG, PNG, WebP or GIF image of at most MEDIA_MAX_BYTES",
  }),
})

/**
 * `POST /api/v1/admin/media/upload`: one image in the multipart part `file`. The guard answers 401/403
 * before a byte of the body is read (runbook scenario 6); the file then streams through the use-case to
 * the provider, whose own refusal comes back as 502 CLOUDINARY_ERROR with its message (scenario 7).
 */
export const uploadMediaRoute = defineRoute<MediaRouteDeps>({
  method: "post",
  path: "/api/v1/admin/media/upload",
  operationId: "adminUploadMedia",
  summary: "Upload one image to the media provider",
  description:
    "The file streams through and is never buffered, so an `Idempotency-Key` is matched on the path alone: send a key again only to retry the same file.",
  tags: ["admin: media"],
  auth: "admin",
  idempotent: true,
  request: { body: { kind: "multipart", schema: UploadForm } },
  responses: { 201: { description: "The stored asset, audited `media.upload`", schema: MediaUploadAnswer } },
  errors: {
    400: {
      description: "No file, an empty file, two files, another field, or not multipart (`details.field`)",
      codes: ["INVALID_INPUT", "REQUEST_ABORTED"],
    },
    413: {
      description: "The file exceeds MEDIA_MAX_BYTES",
      codes: ["PAYLOAD_TOO_LARGE"],
      headers: { Connection: { description: "`close`: the rest of the body is not read" } },
    },
    415: {
      description: "Not an accepted image, by its declared type or its first bytes (`details.accepted`)",
      codes: ["UNSUPPORTED_MEDIA_TYPE"],
    },
    502: {
      description: "The media provider answered with an error (its message verbatim)",
      codes: ["CLOUDINARY_ERROR"],
    },
    503: {
      description: "The media provider is unreachable or silent past the timeout; retry",
      codes: ["MEDIA_PROVIDER_UNAVAILABLE"],
      headers: { "Retry-After": { description: "Seconds to wait before retrying" } },
    },
  },
  handler: async (ctx, deps) => {
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
  },
})

export const adminMediaRoutes = [uploadMediaRoute]
