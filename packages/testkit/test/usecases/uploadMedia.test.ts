import { MediaAssetRepository, type MediaUploadRequest, sniffImageType, uploadMedia } from "@settle/domain"
import { Data, Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { MediaControl } from "../../src/fakes/MemoryMediaStorage.js"
import { auditTrail, run, T0 } from "./support.js"

const bytes = (...parts: ReadonlyArray<string | ReadonlyArray<number>>): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === "string" ? Array.from(Buffer.from(part)) : part)))

// The smallest heads each sniffer needs, followed by filler so every file has a body.
const IMAGES = {
  "image/png": bytes([0x89], "PNG\r\n", [0x1a, 0x0a], "IHDR....pixels"),
  "image/jpeg": bytes([0xff, 0xd8, 0xff, 0xe0], "JFIF....pixels"),
  "image/gif": bytes("GIF89a", "....pixels"),
  "image/webp": bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 pixels"),
} as const
const PNG = IMAGES["image/png"]

/** The file split into `size`-byte chunks, as a multipart parser hands it over. */
const chunks = (file: Uint8Array, size = 5) =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(file.length / size) }, (_, i) => file.slice(i * size, (i + 1) * size)),
  )

const request = <E = never>(overrides: Partial<MediaUploadRequest<E>> = {}): MediaUploadRequest<E> => ({
  filename: "pixel.png",
  contentType: "image/png",
  content: chunks(PNG),
  maxBytes: 1024,
  ...overrides,
})

class ClientGone extends Data.TaggedError("ClientGone") {}

const assets = Effect.flatMap(MediaAssetRepository, (repo) => repo.recent(100))
const providerUploads = Effect.flatMap(MediaControl, (control) => control.uploads)

/** The failure's tag and fields, after checking that neither the provider nor the store kept anything. */
const refused = <E>(
  upload: Effect.Effect<unknown, E, Effect.Effect.Context<ReturnType<typeof uploadMedia>>>,
) =>
  Effect.gen(function* () {
    const failure = yield* Effect.flip(upload)
    expect(yield* assets).toEqual([])
    expect(yield* auditTrail).toEqual([])
    return failure
  })

describe("uploadMedia", () => {
  it("stores the streamed image, records the asset and audits the upload", () =>
    run(
      Effect.gen(function* () {
        const asset = yield* uploadMedia(request(), "  alice@shop ")
        expect(asset).toEqual({
          id: "med_000001",
          provider: "memory",
          providerId: "media_000001",
          url: "https://media.sandbox.invalid/media_000001/pixel.png",
          bytes: PNG.length,
          format: "png",
          uploadedBy: "alice@shop",
          createdAt: T0,
        })
        expect(yield* assets).toEqual([asset])
        expect(yield* providerUploads).toHaveLength(1)
        const [record, ...more] = yield* auditTrail
        expect(more).toEqual([])
        expect(record).toMatchObject({
          actor: "alice@shop",
          action: "media.upload",
          orderId: null,
          before: null,
          after: { ...asset, filename: "pixel.png" },
        })
      }),
    ))

  it.each(Object.entries(IMAGES))("accepts %s", (type, file) =>
    run(
      Effect.gen(function* () {
        const asset = yield* uploadMedia(request({ contentType: type, content: chunks(file) }), "alice@shop")
        expect(asset.bytes).toBe(file.length)
        expect(sniffImageType(file)).toBe(type)
      }),
    ),
  )

  it("reads the type from its essence: case and parameters do not matter", () =>
    run(
      Effect.gen(function* () {
        const asset = yield* uploadMedia(request({ contentType: "Image/PNG; charset=binary" }), "alice@shop")
        expect(asset.format).toBe("png")
      }),
    ))

  it("sniffs a signature split across one-byte chunks", () =>
    run(
      Effect.gen(function* () {
        const asset = yield* uploadMedia(
          request({ content: chunks(IMAGES["image/webp"], 1), contentType: "image/webp" }),
          "a",
        )
        expect(asset.bytes).toBe(IMAGES["image/webp"].length)
      }),
    ))

  it.each([
    ["a declared type outside the four", "text/plain", PNG, "image/png"],
    [
      "an SVG, which can carry script",
      "image/svg+xml",
      bytes("<svg xmlns='http://www.w3.org/2000/svg'/>"),
      null,
    ],
    ["bytes that are no image at all", "image/png", bytes("#!/bin/sh\necho pwned\n"), null],
    ["bytes of another type than declared", "image/jpeg", PNG, "image/png"],
  ])("refuses %s before the provider sees it", (_name, contentType, file, detected) =>
    run(
      Effect.gen(function* () {
        const failure = yield* refused(
          uploadMedia(request({ contentType, content: chunks(file) }), "alice@shop"),
        )
        expect(failure).toMatchObject({
          _tag: "MediaTypeUnsupported",
          field: "file",
          declared: contentType,
          detected,
        })
        expect(yield* providerUploads).toEqual([])
      }),
    ),
  )

  it("accepts exactly the limit and refuses one byte more", () =>
    run(
      Effect.gen(function* () {
        const failure = yield* refused(uploadMedia(request({ maxBytes: PNG.length - 1 }), "alice@shop"))
        expect(failure).toMatchObject({ _tag: "MediaTooLarge", field: "file", limit: PNG.length - 1 })
        expect((yield* uploadMedia(request({ maxBytes: PNG.length }), "alice@shop")).bytes).toBe(PNG.length)
      }),
    ))

  it("stops reading at the limit instead of draining the rest", () =>
    run(
      Effect.gen(function* () {
        // A client that would go on sending forever: only stopping at the limit lets this test end.
        const endless = Stream.concat(chunks(PNG), Stream.never)
        const failure = yield* refused(uploadMedia(request({ content: endless, maxBytes: 8 }), "alice@shop"))
        expect(failure).toMatchObject({ _tag: "MediaTooLarge", limit: 8 })
      }),
    ))

  it("fails with the source's own error when the client goes away mid-upload", () =>
    run(
      Effect.gen(function* () {
        const content = Stream.concat(chunks(PNG), Stream.fail(new ClientGone()))
        const failure = yield* refused(uploadMedia(request<ClientGone>({ content }), "alice@shop"))
        expect(failure).toBeInstanceOf(ClientGone)
      }),
    ))

  it("passes an unreachable provider on as MediaStorageError", () =>
    run(
      Effect.gen(function* () {
        yield* (yield* MediaControl).setFailing(true)
        const failure = yield* refused(uploadMedia(request(), "alice@shop"))
        expect(failure).toMatchObject({ _tag: "MediaStorageError", providerAnswered: false })
      }),
    ))

  it("keeps the provider's own answer verbatim", () =>
    run(
      Effect.gen(function* () {
        const message = "Invalid Signature 0a1b. String to sign - 'folder=shop&timestamp=1700000000'."
        yield* (yield* MediaControl).setFailing({ message, providerAnswered: true })
        const failure = yield* refused(uploadMedia(request(), "alice@shop"))
        expect(failure).toMatchObject({ _tag: "MediaStorageError", providerAnswered: true, message })
      }),
    ))

  it.each([
    ["an empty file", { content: Stream.empty }, "file"],
    ["a control character in the file name", { filename: "evil\r\nname.png" }, "filename"],
    ["a file name past 255 characters", { filename: `${"a".repeat(252)}.png` }, "filename"],
  ])("refuses %s naming the field", (_name, overrides, field) =>
    run(
      Effect.gen(function* () {
        const failure = yield* refused(uploadMedia(request(overrides), "alice@shop"))
        expect(failure).toMatchObject({ _tag: "InvalidInput", field })
        expect(yield* providerUploads).toEqual([])
      }),
    ),
  )

  it("refuses a blank actor before anything is stored", () =>
    run(
      Effect.gen(function* () {
        expect(yield* refused(uploadMedia(request(), "   "))).toMatchObject({
          _tag: "InvalidInput",
          field: "actor",
        })
        expect(yield* providerUploads).toEqual([])
      }),
    ))
})
