import * as http from "node:http"
import * as https from "node:https"
import type { Writable } from "node:stream"
import { MediaStorage, MediaStorageError, type MediaUpload, type StoredMedia } from "@settle/domain"
import { v2 as cloudinary, type UploadApiOptions } from "cloudinary"
import { Deferred, Effect, Layer, ParseResult, Schema, Stream } from "effect"

export interface CloudinaryConfig {
  readonly cloudName: string
  readonly apiKey: string
  readonly apiSecret: string
  /** The media library folder uploads land in; it is one of the signed parameters. */
  readonly folder: string
  /** Cloudinary's API origin, the SDK's `upload_prefix`; tests point it at a loopback fake. */
  readonly apiBaseUrl?: string | undefined
  /** How long the API may stay silent before the upload counts as unreachable. */
  readonly timeoutMs?: number | undefined
}

const DEFAULT_API = "https://api.cloudinary.com"
const DEFAULT_TIMEOUT_MS = 60_000

/** The part of Cloudinary's upload answer that becomes the asset; the rest stays with Cloudinary. */
const UploadResult = Schema.Struct({
  public_id: Schema.String,
  secure_url: Schema.String,
  bytes: Schema.Int.pipe(Schema.nonNegative()),
  format: Schema.String,
})

/** What the SDK hands its callback on failure: Cloudinary's `{ message, http_code }`, or a socket error. */
interface SdkFailure {
  readonly message?: unknown
  readonly http_code?: unknown
  readonly code?: unknown
}

/**
 * 4xx is Cloudinary answering (a bad signature, an unknown key, an image it refuses): its message is
 * what the operator needs, verbatim (runbook scenario 7). No status, 499 (the SDK's own timeout) and
 * 5xx mean Cloudinary could not be reached or could not cope: worth a retry.
 */
const failureOf = (failure: SdkFailure): MediaStorageError => {
  const status = typeof failure.http_code === "number" ? failure.http_code : null
  const message = typeof failure.message === "string" && failure.message !== "" ? failure.message : null
  if (status !== null && status >= 400 && status < 499) {
    return new MediaStorageError({
      message: message ?? `Cloudinary refused the upload (HTTP ${status})`,
      providerAnswered: true,
      cause: failure,
    })
  }
  const detail = message ?? (typeof failure.code === "string" ? failure.code : `HTTP ${status}`)
  return new MediaStorageError({
    message: `Cloudinary is unreachable: ${detail}`,
    providerAnswered: false,
    cause: failure,
  })
}

const decodeResult = (result: unknown): Effect.Effect<StoredMedia, MediaStorageError> =>
  Schema.decodeUnknown(UploadResult)(result).pipe(
    Effect.mapError(
      (error) =>
        new MediaStorageError({
          message: `Cloudinary answered an upload result Settle cannot read: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
          providerAnswered: true,
        }),
    ),
    Effect.map((stored) => ({
      provider: "cloudinary",
      providerId: stored.public_id,
      url: stored.secure_url,
      bytes: stored.bytes,
      format: stored.format,
    })),
  )

/** The SDK writes the name unescaped into a multipart header: keep it to characters that cannot break out. */
const safeFilename = (filename: string): string =>
  filename.replace(/[^\w.-]+/g, "_").slice(0, 100) || "upload"

/** Waits for `drain` when the request's buffer is full, so a slow Cloudinary slows the client down. */
const write = (sink: Writable, chunk: Uint8Array): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (sink.write(chunk)) return resume(Effect.void)
    const drained = () => resume(Effect.void)
    sink.once("drain", drained)
    return Effect.sync(() => sink.off("drain", drained))
  })

export const make = (config: CloudinaryConfig): MediaStorage => {
  const base = config.apiBaseUrl ?? DEFAULT_API
  const plainHttp = new URL(base).protocol === "http:"

  /**
   * Everything goes in the call's options, never into the SDK's process-wide `cloudinary.config()`, so two
   * layers (or an app that also uses the SDK) cannot see each other's credentials.
   */
  const options = (agent: http.Agent, filename: string): UploadApiOptions => ({
    cloud_name: config.cloudName,
    api_key: config.apiKey,
    api_secret: config.apiSecret,
    folder: config.folder,
    resource_type: "image",
    upload_prefix: base,
    filename: safeFilename(filename),
    timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    agent,
    // Answers arrive through the callback; no promise is made that nobody awaits.
    disable_promises: true,
  })

  const upload = (file: MediaUpload): Effect.Effect<StoredMedia, MediaStorageError> =>
    Effect.acquireUseRelease(
      // One agent per upload: destroying it is the only handle the SDK leaves to abort its request, so
      // a client that goes away mid-upload leaves Cloudinary with an incomplete body and nothing stored.
      // The SDK picks http or https when it is loaded; the agent's protocol is what lets loopback be http.
      Effect.sync(() => (plainHttp ? new http.Agent() : new https.Agent())),
      (agent) =>
        Effect.gen(function* () {
          const answer = yield* Deferred.make<unknown, MediaStorageError>()
          const sink = yield* Effect.try({
            try: () =>
              cloudinary.uploader.upload_stream(options(agent, file.filename), (error, result) => {
                Deferred.unsafeDone(
                  answer,
                  error === undefined ? Effect.succeed(result) : Effect.fail(failureOf(error)),
                )
              }),
            catch: (cause) =>
              new MediaStorageError({
                message: `the Cloudinary upload could not start: ${String(cause)}`,
                providerAnswered: false,
                cause,
              }),
          })
          sink.on("error", (cause) => Deferred.unsafeDone(answer, Effect.fail(failureOf(cause))))
          const feed = Stream.runForEach(file.content, (chunk) => write(sink, chunk)).pipe(
            Effect.zipRight(Effect.sync(() => sink.end())),
          )
          // Cloudinary may refuse before the body is complete (or the socket may die): stop feeding then.
          const refusedEarly = Effect.zipRight(Deferred.await(answer), Effect.never)
          const result = yield* Effect.raceFirst(Effect.zipRight(feed, Deferred.await(answer)), refusedEarly)
          return yield* decodeResult(result)
        }),
      (agent) => Effect.sync(() => agent.destroy()),
    )

  return MediaStorage.of({ upload })
}

/** Signed uploads into `config.folder` of `config.cloudName`. */
export const layer = (config: CloudinaryConfig): Layer.Layer<MediaStorage> =>
  Layer.sync(MediaStorage, () => make(config))
