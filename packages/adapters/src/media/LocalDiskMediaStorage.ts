import { createHash, randomBytes } from "node:crypto"
import { type FileHandle, mkdir, open, rename, rm, stat } from "node:fs/promises"
import { join } from "node:path"
import { MediaStorage, MediaStorageError, type MediaUpload, type StoredMedia } from "@settle/domain"
import { Context, Effect, Layer, Option, Stream } from "effect"

/**
 * The embedded default's media store: files in a directory on this machine, served by the server
 * itself at `<public URL>/media/<name>`. Fine for a demo or a single instance with a persistent disk;
 * replicas or an ephemeral disk (Render's) need Cloudinary.
 */

export interface LocalDiskConfig {
  readonly directory: string
  /** Where clients reach the server; read per upload, since PORT=0 is known only once listening. */
  readonly publicUrl: () => string
}

export interface MediaFile {
  readonly path: string
  readonly bytes: number
  readonly contentType: string
}

/** The stored files, for the route that serves them. */
export interface LocalMediaFiles {
  /** The file stored as `name`; None for a name this store never gives out, or one no longer on disk. */
  readonly find: (name: string) => Effect.Effect<Option.Option<MediaFile>, MediaStorageError>
}

export const LocalMediaFiles = Context.GenericTag<LocalMediaFiles>("@settle/adapters/LocalMediaFiles")

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
}
const CONTENT_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EXTENSIONS).map(([type, extension]) => [extension, type]),
)

/**
 * `<sha256 of the bytes>-<nonce>.<ext>`: never a client's file name, so nothing a client sends can
 * point outside the directory, and the name proves the content. The nonce gives each upload a file of
 * its own, so removing one asset can never take away another's identical bytes.
 */
const NAME = /^[0-9a-f]{64}-[0-9a-f]{12}\.(jpg|png|gif|webp)$/

const diskFailure = (action: string) => (cause: unknown) =>
  new MediaStorageError({
    message: `local media storage could not ${action}: ${(cause as { code?: unknown }).code ?? String(cause)}`,
    providerAnswered: false,
    cause,
  })

/** FileHandle.write may write less than asked; a file must not silently lose the rest. */
const writeAll = async (handle: FileHandle, chunk: Uint8Array): Promise<void> => {
  let offset = 0
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset)
    offset += bytesWritten
  }
}

export const make = (
  config: LocalDiskConfig,
): Effect.Effect<Context.Context<MediaStorage | LocalMediaFiles>, MediaStorageError> =>
  Effect.gen(function* () {
    const { directory } = config
    yield* Effect.tryPromise({
      try: () => mkdir(directory, { recursive: true }),
      catch: diskFailure(`create the directory ${directory}`),
    })

    const store = (file: MediaUpload, extension: string, incoming: string) =>
      Effect.acquireUseRelease(
        Effect.tryPromise({ try: () => open(incoming, "wx"), catch: diskFailure("open a new file") }),
        (handle) =>
          Effect.gen(function* () {
            const hash = createHash("sha256")
            let bytes = 0
            yield* Stream.runForEach(file.content, (chunk) =>
              Effect.tryPromise({ try: () => writeAll(handle, chunk), catch: diskFailure("write") }).pipe(
                Effect.tap(() => {
                  hash.update(chunk)
                  bytes += chunk.length
                }),
              ),
            )
            yield* Effect.tryPromise({ try: () => handle.sync(), catch: diskFailure("flush") })
            const name = `${hash.digest("hex")}-${randomBytes(6).toString("hex")}.${extension}`
            // Only complete files get a servable name: a crash or a failed stream leaves a `.incoming-` file.
            yield* Effect.tryPromise({
              try: () => rename(incoming, join(directory, name)),
              catch: diskFailure("store"),
            })
            const stored: StoredMedia = {
              provider: "local",
              providerId: name,
              url: `${config.publicUrl()}/media/${name}`,
              bytes,
              format: extension,
            }
            return stored
          }),
        (handle) =>
          Effect.promise(async () => {
            await handle.close().catch(() => undefined)
            await rm(incoming, { force: true }).catch(() => undefined)
          }),
      )

    const upload = (file: MediaUpload): Effect.Effect<StoredMedia, MediaStorageError> => {
      const extension = EXTENSIONS[file.contentType]
      if (extension === undefined) {
        return Effect.fail(
          new MediaStorageError({
            message: `local media storage keeps JPEG, PNG, GIF and WebP images, not ${file.contentType}`,
            providerAnswered: true,
          }),
        )
      }
      return store(file, extension, join(directory, `.incoming-${randomBytes(8).toString("hex")}`))
    }

    const find = (name: string): Effect.Effect<Option.Option<MediaFile>, MediaStorageError> => {
      const extension = NAME.exec(name)?.[1]
      const contentType = extension === undefined ? undefined : CONTENT_TYPES[extension]
      if (contentType === undefined) return Effect.succeedNone
      const path = join(directory, name)
      return Effect.tryPromise({ try: () => stat(path), catch: (cause) => cause }).pipe(
        Effect.map((stats) => Option.some({ path, bytes: stats.size, contentType })),
        Effect.catchAll((cause) =>
          (cause as { code?: unknown }).code === "ENOENT"
            ? Effect.succeedNone
            : Effect.fail(diskFailure("read")(cause)),
        ),
      )
    }

    return Context.make(MediaStorage, MediaStorage.of({ upload })).pipe(
      Context.add(LocalMediaFiles, LocalMediaFiles.of({ find })),
    )
  })

/** Files under `config.directory` (created if missing), and their lookup for the serving route. */
export const layer = (
  config: LocalDiskConfig,
): Layer.Layer<MediaStorage | LocalMediaFiles, MediaStorageError> => Layer.effectContext(make(config))
