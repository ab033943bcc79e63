import { Chunk, Effect, Option, Ref, Schema, Stream } from "effect"
import {
  InvalidInput,
  MediaStorageError,
  MediaTooLarge,
  MediaTypeUnsupported,
  type StoreError,
} from "../errors.js"
import { ActorField } from "../model/AdminInput.js"
import type { MediaAsset } from "../model/MediaAsset.js"
import type { AuditLog } from "../ports/AuditLog.js"
import { Clock } from "../ports/Clock.js"
import { IdGenerator } from "../ports/IdGenerator.js"
import { MediaAssetRepository } from "../ports/MediaAssetRepository.js"
import { MediaStorage } from "../ports/MediaStorage.js"
import { recordAudit } from "./audit.js"
import { decodeInput } from "./decodeInput.js"

/** The image types an admin may upload, as declared in the upload's Content-Type. */
export const ACCEPTED_IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"] as const
export type AcceptedImageType = (typeof ACCEPTED_IMAGE_TYPES)[number]

/** What the edge hands over: the file as it streams in, with whatever error its source can fail with. */
export interface MediaUploadRequest<E> {
  readonly filename: string
  /** The declared Content-Type of the file (not of the request). */
  readonly contentType: string
  readonly content: Stream.Stream<Uint8Array, E>
  /** Bytes; one more and the upload is refused. */
  readonly maxBytes: number
}

export type MediaUploadServices = MediaStorage | MediaAssetRepository | AuditLog | IdGenerator | Clock

export type MediaUploadError<E> =
  | E
  | InvalidInput
  | MediaTypeUnsupported
  | MediaTooLarge
  | MediaStorageError
  | StoreError

/** Enough bytes to tell the four types apart: WebP's `RIFF····WEBP` is the longest signature. */
const SNIFF_BYTES = 12

const startsWith = (bytes: Uint8Array, signature: ReadonlyArray<number | null>, at = 0): boolean =>
  signature.every((byte, i) => byte === null || bytes[at + i] === byte)

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0))

/** The image type the magic bytes show, whatever the client declared. */
export const sniffImageType = (head: Uint8Array): AcceptedImageType | null => {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg"
  if (startsWith(head, [0x89, ...ascii("PNG\r\n"), 0x1a, 0x0a])) return "image/png"
  if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) return "image/gif"
  if (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WEBP"), 8)) return "image/webp"
  return null
}

/** `Image/PNG; charset=binary` → `image/png`. */
const essence = (contentType: string): string => (contentType.split(";")[0] ?? "").trim().toLowerCase()

const isAccepted = (type: string): type is AcceptedImageType =>
  (ACCEPTED_IMAGE_TYPES as ReadonlyArray<string>).includes(type)

const Filename = Schema.Struct({
  filename: Schema.String.pipe(
    Schema.maxLength(255, { message: () => "the file name must be at most 255 characters" }),
    // Control characters end up in provider headers and logs, where they only do harm.
    Schema.pattern(/^[^\p{Cc}]*$/u, { message: () => "the file name must not contain control characters" }),
  ),
})

const concat = (head: Uint8Array, chunk: Uint8Array): Uint8Array => {
  const joined = new Uint8Array(head.length + chunk.length)
  joined.set(head)
  joined.set(chunk, head.length)
  return joined
}

type Pull<E> = Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<E>>

/** The next chunks, or None once the stream has ended. */
const nextChunks = <E>(pull: Pull<E>): Effect.Effect<Option.Option<Chunk.Chunk<Uint8Array>>, E> =>
  Effect.catchAll(
    Effect.map(pull, Option.some),
    Option.match({ onNone: () => Effect.succeedNone, onSome: Effect.fail }),
  )

/** Pulls whole chunks until at least SNIFF_BYTES are in hand; `ended` when the file was shorter. */
const readHead = <E>(
  pull: Pull<E>,
  head: Uint8Array,
): Effect.Effect<{ readonly head: Uint8Array; readonly ended: boolean }, E> =>
  head.length >= SNIFF_BYTES
    ? Effect.succeed({ head, ended: false })
    : Effect.flatMap(
        nextChunks(pull),
        Option.match({
          onNone: () => Effect.succeed({ head, ended: true }),
          onSome: (chunks) => readHead(pull, Chunk.reduce(chunks, head, concat)),
        }),
      )

/**
 * Store an admin's image and record it. The type is judged twice, on the declared Content-Type and on
 * the file's first bytes, before the provider sees anything; the size is counted as the bytes stream,
 * so an oversized upload stops at the limit instead of after it. The asset and its audit record
 * (`media.upload`) are written only once the provider has the whole file.
 */
export const uploadMedia = <E>(
  request: MediaUploadRequest<E>,
  actor: string,
): Effect.Effect<MediaAsset, MediaUploadError<E>, MediaUploadServices> =>
  Effect.gen(function* () {
    const { actor: by } = yield* decodeInput(ActorField)({ actor })
    const { filename } = yield* decodeInput(Filename)({ filename: request.filename })
    const declared = essence(request.contentType)
    const tooLarge = new MediaTooLarge({ field: "file", limit: request.maxBytes })
    const counted = Stream.mapAccumEffect(request.content, 0, (total, chunk: Uint8Array) => {
      const next = total + chunk.length
      return next > request.maxBytes ? Effect.fail(tooLarge) : Effect.succeed([next, chunk] as const)
    })
    // Why the stream given to the provider failed; the port only carries MediaStorageError, and the
    // admin must hear "too large" or "aborted", not "provider unavailable".
    const cut = yield* Ref.make(Option.none<E | MediaTooLarge>())

    const stored = yield* Effect.scoped(
      Effect.gen(function* () {
        // Judged on pulled bytes before the provider is called, so a refused file never reaches it.
        const pull = yield* Stream.toPull(counted)
        const { head, ended } = yield* readHead(pull, new Uint8Array(0))
        const rest = ended ? Stream.empty : Stream.repeatEffectChunkOption(pull)
        if (head.length === 0) return yield* new InvalidInput({ field: "file", message: "the file is empty" })
        const detected = sniffImageType(head)
        if (!isAccepted(declared) || detected !== declared) {
          return yield* new MediaTypeUnsupported({ field: "file", declared: request.contentType, detected })
        }
        const content = Stream.concat(Stream.succeed(head), rest).pipe(
          Stream.tapError((error) => Ref.set(cut, Option.some(error))),
          Stream.mapError(
            (cause) =>
              new MediaStorageError({
                message: "the upload stream ended early",
                providerAnswered: false,
                cause,
              }),
          ),
        )
        const upload = (yield* MediaStorage).upload({ filename, contentType: declared, content })
        return yield* Effect.catchAll(upload, (error) =>
          Effect.flatMap(
            Ref.get(cut),
            (reason): Effect.Effect<never, E | MediaTooLarge | MediaStorageError> =>
              Option.isSome(reason)
                ? Effect.fail(reason.value)
                : // The provider's own failure: operators need its message (runbook scenario 7).
                  Effect.logWarning(`[media] upload failed: ${error.message}`).pipe(
                    Effect.annotateLogs({ providerAnswered: error.providerAnswered }),
                    Effect.zipRight(Effect.fail(error)),
                  ),
          ),
        )
      }),
    )

    const asset: MediaAsset = {
      id: yield* (yield* IdGenerator).next("med"),
      provider: stored.provider,
      providerId: stored.providerId,
      url: stored.url,
      bytes: stored.bytes,
      format: stored.format,
      uploadedBy: by,
      createdAt: yield* (yield* Clock).now,
    }
    // A store failure here leaves the file at the provider with no record: an orphan that costs storage,
    // never a record pointing at nothing.
    yield* (yield* MediaAssetRepository).insert(asset)
    yield* recordAudit({
      actor: by,
      action: "media.upload",
      orderId: null,
      reason: null,
      before: null,
      after: { ...asset, filename },
    })
    yield* Effect.logInfo(`[media] uploaded ${asset.format}, ${asset.bytes} bytes`).pipe(
      Effect.annotateLogs({ assetId: asset.id, provider: asset.provider, providerId: asset.providerId }),
    )
    return asset
  })
