import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MediaStorage, MediaStorageError } from "@settle/domain"
import { MediaStorageSuite } from "@settle/testkit/suites"
import { Context, Effect, Exit, Option, Stream } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as LocalDiskMediaStorage from "../../src/media/LocalDiskMediaStorage.js"
import { chunked, PNG, pngOfSize } from "./images.js"

const root = mkdtempSync(join(tmpdir(), "settle-local-media-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let dirs = 0
/** A fresh directory per test, inside one temp root removed at the end. */
const freshDir = () => join(root, `store-${++dirs}`)
const PUBLIC_URL = "http://127.0.0.1:4321"

MediaStorageSuite.suite(
  "LocalDiskMediaStorage",
  LocalDiskMediaStorage.layer({ directory: freshDir(), publicUrl: () => PUBLIC_URL }),
)

/** A store in a fresh directory: its upload and find, and the directory to inspect. */
const storeIn = async (directory = freshDir()) => {
  const context = await Effect.runPromise(
    LocalDiskMediaStorage.make({ directory, publicUrl: () => PUBLIC_URL }),
  )
  const storage = Context.get(context, MediaStorage)
  const files = Context.get(context, LocalDiskMediaStorage.LocalMediaFiles)
  return {
    directory,
    upload: (content: Stream.Stream<Uint8Array, MediaStorageError>, contentType = "image/png") =>
      Effect.runPromiseExit(storage.upload({ filename: "x.png", contentType, content })),
    find: (name: string) => Effect.runPromise(files.find(name)),
  }
}

const succeeded = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success, got ${String(exit.cause)}`)
  return exit.value
}

describe("LocalDiskMediaStorage", () => {
  it("names the file after its SHA-256, keeps the bytes and serves them under the public URL", async () => {
    const store = await storeIn()
    const image = pngOfSize(300 * 1024)
    const stored = succeeded(await store.upload(chunked(image, 10_000)))
    const sha = createHash("sha256").update(image).digest("hex")
    expect(stored.providerId).toMatch(new RegExp(`^${sha}-[0-9a-f]{12}\\.png$`))
    expect(stored).toMatchObject({
      provider: "local",
      url: `${PUBLIC_URL}/media/${stored.providerId}`,
      bytes: image.length,
      format: "png",
    })
    const found = Option.getOrThrow(await store.find(stored.providerId))
    expect(found).toEqual({
      path: join(store.directory, stored.providerId),
      bytes: image.length,
      contentType: "image/png",
    })
    expect(Buffer.compare(readFileSync(found.path), image)).toBe(0)
    expect(readdirSync(store.directory)).toEqual([stored.providerId])
  })

  it("maps each accepted type to its extension", async () => {
    const store = await storeIn()
    for (const [type, format] of [
      ["image/jpeg", "jpg"],
      ["image/gif", "gif"],
      ["image/webp", "webp"],
    ]) {
      const stored = succeeded(await store.upload(chunked(PNG), type))
      expect(stored.format).toBe(format)
      expect(Option.getOrThrow(await store.find(stored.providerId)).contentType).toBe(type)
    }
  })

  it.each([
    ["a parent path", "../../etc/passwd"],
    ["an encoded parent path", "..%2F..%2Fetc%2Fpasswd"],
    ["a name it never gives out", "avatar.png"],
    ["a hash with a path inside", `${"a".repeat(64)}-/../${"b".repeat(7)}.png`],
    ["an unserved extension", `${"a".repeat(64)}-${"b".repeat(12)}.html`],
    ["a well-formed name not on disk", `${"a".repeat(64)}-${"b".repeat(12)}.png`],
  ])("finds nothing for %s", async (_name, name) => {
    const store = await storeIn()
    expect(await store.find(name)).toEqual(Option.none())
  })

  it("leaves no file behind when the stream fails", async () => {
    const store = await storeIn()
    const broken = Stream.concat(
      chunked(pngOfSize(100_000), 1000),
      Stream.fail(new MediaStorageError({ message: "client went away", providerAnswered: false })),
    )
    expect(await store.upload(broken)).toMatchObject({
      _tag: "Failure",
      cause: { error: { message: "client went away" } },
    })
    expect(readdirSync(store.directory)).toEqual([])
  })

  it("refuses a type it would not know how to serve", async () => {
    const store = await storeIn()
    const exit = await store.upload(chunked(PNG), "text/html")
    expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "MediaStorageError" } } })
    expect(readdirSync(store.directory)).toEqual([])
  })

  it("fails to build when the directory cannot be created", async () => {
    const blocker = join(root, "a-file")
    writeFileSync(blocker, "not a directory")
    const exit = await Effect.runPromiseExit(
      LocalDiskMediaStorage.make({ directory: join(blocker, "media"), publicUrl: () => PUBLIC_URL }),
    )
    expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "MediaStorageError" } } })
  })
})
