import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { AuditLog, MediaAssetRepository } from "@settle/domain"
import { LoopbackCloudinary } from "@settle/testkit"
import { Effect } from "effect"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import type { MediaPlan } from "../src/bootstrap/media.js"
import type { RunningServer } from "../src/bootstrap/start.js"
import { PNG_MAGIC } from "./support/multipartUpload.js"
import { adminToken, call, errorOf, startTestServer } from "./support/server.js"

const api = await LoopbackCloudinary.start()
const root = mkdtempSync(join(tmpdir(), "settle-media-test-"))
afterEach(() => api.setMode("healthy"))
afterAll(async () => {
  await api.close()
  rmSync(root, { recursive: true, force: true })
})

const MAX_BYTES = 64 * 1024
let dirs = 0

const localDisk = (): MediaPlan => ({
  maxBytes: MAX_BYTES,
  store: { _tag: "LocalDisk", directory: join(root, `server-${++dirs}`) },
})

const cloudinary = ({ apiSecret = api.account.apiSecret, timeoutMs = 5_000 } = {}): MediaPlan => ({
  maxBytes: MAX_BYTES,
  store: {
    _tag: "Cloudinary",
    cloudName: api.account.cloudName,
    apiKey: api.account.apiKey,
    apiSecret,
    folder: "settle-tests",
    apiBaseUrl: api.url,
    timeoutMs,
  },
})

/** A PNG-signed file of `size` bytes. */
const png = (size = 2048) => {
  const bytes = Buffer.alloc(size, 0x2a)
  PNG_MAGIC.copy(bytes)
  return bytes
}

type Part = readonly [name: string, value: string | { bytes: Buffer; type: string; filename: string }]

const form = (...parts: ReadonlyArray<Part>) => {
  const body = new FormData()
  for (const [name, value] of parts) {
    if (typeof value === "string") body.append(name, value)
    else body.append(name, new Blob([value.bytes], { type: value.type }), value.filename)
  }
  return body
}

const image = (bytes = png(), type = "image/png", filename = "pixel.png") => ({ bytes, type, filename })

const upload = async (server: RunningServer, body: FormData | string, headers: Record<string, string> = {}) =>
  call(`${server.url}/api/v1/admin/media/upload`, {
    method: "POST",
    headers: { Authorization: `Bearer ${await adminToken()}`, ...headers },
    body,
  })

const assetsOf = (server: RunningServer) =>
  server.runtime.runPromise(Effect.flatMap(MediaAssetRepository, (repo) => repo.recent(10)))

const uploadAudit = async (server: RunningServer) =>
  (await server.runtime.runPromise(Effect.flatMap(AuditLog, (log) => log.recent(100)))).filter(
    (record) => record.action === "media.upload",
  )

/** The upload left no trace: no asset, no audit record. */
const expectNothingRecorded = async (server: RunningServer) => {
  expect(await assetsOf(server)).toEqual([])
  expect(await uploadAudit(server)).toEqual([])
}

interface AssetBody {
  readonly asset: { readonly id: string; readonly url: string; readonly providerId: string } & Record<
    string,
    unknown
  >
}

describe("POST /api/v1/admin/media/upload", () => {
  // docs/api.md: the upload matches an Idempotency-Key on its path only.
  it("with one Idempotency-Key, a second upload gets the first answer whatever file it carries", async () => {
    const server = await startTestServer({ media: localDisk() })
    const key = { "Idempotency-Key": "upload-once" }
    const first = await upload(server, form(["file", image(png(3000))]), key)
    expect(first.status).toBe(201)
    const again = await upload(server, form(["file", image(png(4000), "image/png", "other.png")]), key)
    expect(again.status).toBe(201)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(again.body).toEqual(first.body)
    expect(await assetsOf(server)).toHaveLength(1)
  })

  it("stores an image on local disk, answers 201 with the asset, audits it, and serves the file", async () => {
    const server = await startTestServer({ media: localDisk() })
    const file = png(5000)
    const answer = await upload(server, form(["file", image(file)]))
    expect(answer.status).toBe(201)
    const { asset } = answer.body as AssetBody
    expect(asset).toEqual({
      id: expect.stringMatching(/^med_/),
      provider: "local",
      providerId: expect.stringMatching(/^[0-9a-f]{64}-[0-9a-f]{12}\.png$/),
      url: `${server.publicUrl}/media/${asset.providerId}`,
      bytes: 5000,
      format: "png",
      uploadedBy: "ops@example.com",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    const [stored] = await assetsOf(server)
    expect(stored?.id).toBe(asset.id)
    expect(await uploadAudit(server)).toMatchObject([
      { actor: "ops@example.com", after: { id: asset.id, filename: "pixel.png" } },
    ])

    const served = await fetch(asset.url)
    expect(served.status).toBe(200)
    expect(served.headers.get("content-type")).toBe("image/png")
    expect(served.headers.get("x-content-type-options")).toBe("nosniff")
    expect(Buffer.compare(Buffer.from(await served.arrayBuffer()), file)).toBe(0)
  })

  it("uploads to Cloudinary, signed into the configured folder", async () => {
    const server = await startTestServer({ media: cloudinary() })
    const answer = await upload(server, form(["file", image(png(3000), "image/png", "hero.png")]))
    expect(answer.status).toBe(201)
    const stored = api.uploads().at(-1)
    expect(stored).toMatchObject({ folder: "settle-tests", bytes: 3000, originalFilename: "hero" })
    expect((answer.body as AssetBody).asset).toMatchObject({
      provider: "cloudinary",
      providerId: stored?.publicId,
      url: expect.stringMatching(/^https:\/\/res\.cloudinary\.com\/settle-loopback\/image\/upload\//),
      bytes: 3000,
      format: "png",
    })
  })

  it("answers 401 and 403 before anything is stored", async () => {
    const server = await startTestServer({ media: localDisk() })
    const url = `${server.url}/api/v1/admin/media/upload`
    const none = await call(url, { method: "POST", body: form(["file", image()]) })
    expect(none.status).toBe(401)
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /)
    const viewer = await upload(server, form(["file", image()]), {
      Authorization: `Bearer ${await adminToken({ role: "viewer" })}`,
    })
    expect(viewer.status).toBe(403)
    expect(errorOf(viewer).code).toBe("FORBIDDEN")
    await expectNothingRecorded(server)
  })

  it.each([
    ["a declared type that is no image", image(png(), "text/plain", "notes.txt"), "text/plain", "image/png"],
    [
      "an SVG",
      image(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), "image/svg+xml", "x.svg"),
      "image/svg+xml",
      null,
    ],
    [
      "a script declared as PNG",
      image(Buffer.from("#!/bin/sh\nrm -rf /\n"), "image/png", "x.png"),
      "image/png",
      null,
    ],
    ["a PNG declared as JPEG", image(png(), "image/jpeg", "x.jpg"), "image/jpeg", "image/png"],
  ])("answers 415 for %s, without contacting the provider", async (_name, file, declared, detected) => {
    const server = await startTestServer({ media: cloudinary() })
    const requests = api.requests()
    const answer = await upload(server, form(["file", file]))
    expect(answer.status).toBe(415)
    expect(errorOf(answer)).toMatchObject({
      code: "UNSUPPORTED_MEDIA_TYPE",
      details: {
        field: "file",
        declared,
        detected,
        accepted: ["image/jpeg", "image/png", "image/webp", "image/gif"],
      },
    })
    expect(api.requests()).toBe(requests)
    await expectNothingRecorded(server)
  })

  it("answers 413 for a file one byte over MEDIA_MAX_BYTES and 201 at the limit", async () => {
    const server = await startTestServer({ media: localDisk() })
    const over = await upload(server, form(["file", image(png(MAX_BYTES + 1))]))
    expect(over.status).toBe(413)
    expect(errorOf(over)).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { field: "file", limit: MAX_BYTES },
    })
    await expectNothingRecorded(server)
    expect((await upload(server, form(["file", image(png(MAX_BYTES))]))).status).toBe(201)
  })

  it.each([
    ["no file", form(), "file"],
    ["an empty file", form(["file", image(Buffer.alloc(0))]), "file"],
    ["two files", form(["file", image()], ["file", image()]), "file"],
    ["a field before the file", form(["alt", "a mug"], ["file", image()]), "alt"],
    ["a field after the file", form(["file", image()], ["alt", "a mug"]), "alt"],
    ["the file under another name", form(["image", image()]), "image"],
    ["the file as a plain field", form(["file", "not a file"]), "file"],
  ])("answers 400 naming the field for %s, storing nothing at the provider", async (_name, body, field) => {
    const server = await startTestServer({ media: cloudinary() })
    const stored = api.uploads().length
    const answer = await upload(server, body)
    expect(answer.status).toBe(400)
    expect(errorOf(answer)).toMatchObject({ code: "INVALID_INPUT", details: { field } })
    expect(api.uploads()).toHaveLength(stored)
    await expectNothingRecorded(server)
  })

  it("answers 400 naming the body for a request that is not multipart", async () => {
    const server = await startTestServer({ media: localDisk() })
    const answer = await upload(server, JSON.stringify({ file: "x" }), { "Content-Type": "application/json" })
    expect(answer.status).toBe(400)
    expect(errorOf(answer)).toMatchObject({ code: "INVALID_INPUT", details: { field: "body" } })
  })

  it.each([
    ["a trailing line break", `${api.account.apiSecret}\n`],
    ["a trailing space", `${api.account.apiSecret} `],
  ])(
    "answers 502 CLOUDINARY_ERROR with Cloudinary's own message for a secret with %s (runbook scenario 7)",
    async (_name, secret) => {
      const server = await startTestServer({ media: cloudinary({ apiSecret: secret }) })
      const answer = await upload(server, form(["file", image()]))
      expect(answer.status).toBe(502)
      expect(errorOf(answer).code).toBe("CLOUDINARY_ERROR")
      expect(errorOf(answer).message).toMatch(
        /^Invalid Signature [0-9a-f]{40}\. String to sign - 'folder=settle-tests&timestamp=\d+'\.$/,
      )
      await expectNothingRecorded(server)
    },
  )

  it.each(["unreachable", "hang"] as const)(
    "answers 503 MEDIA_PROVIDER_UNAVAILABLE when Cloudinary is %s",
    async (mode) => {
      const server = await startTestServer({ media: cloudinary({ timeoutMs: 300 }) })
      api.setMode(mode)
      const answer = await upload(server, form(["file", image()]))
      expect(answer.status).toBe(503)
      expect(answer.headers.get("retry-after")).toBe("1")
      expect(errorOf(answer).code).toBe("MEDIA_PROVIDER_UNAVAILABLE")
      await expectNothingRecorded(server)
    },
  )
})

describe("GET /media/:name", () => {
  it.each([
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2fpackage.json",
    `${"a".repeat(64)}-${"b".repeat(12)}.png`,
    "index.html",
  ])("answers 404 for %s", async (name) => {
    const server = await startTestServer({ media: localDisk() })
    expect((await call(`${server.url}/media/${name}`)).status).toBe(404)
  })

  it("answers 404 when the media store is Cloudinary", async () => {
    const server = await startTestServer({ media: cloudinary() })
    expect((await call(`${server.url}/media/${"a".repeat(64)}-${"b".repeat(12)}.png`)).status).toBe(404)
  })

  it("keeps failed uploads off the disk", async () => {
    const media = localDisk()
    const server = await startTestServer({ media })
    await upload(server, form(["file", image(png(MAX_BYTES + 1))]))
    await upload(server, form(["file", image()], ["file", image()]))
    expect(media.store._tag === "LocalDisk" && readdirSync(media.store.directory)).toEqual([])
  })
})
