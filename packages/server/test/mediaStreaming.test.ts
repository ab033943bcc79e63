import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MediaAssetRepository } from "@settle/domain"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import type { MediaPlan } from "../src/bootstrap/media.js"
import { BOUNDARY, filePartHead, PNG_MAGIC, slowUpload } from "./support/multipartUpload.js"
import { adminToken, startTestServer } from "./support/server.js"

// What happens while an upload is still on the wire: refusals must not wait for the rest of it.

const root = mkdtempSync(join(tmpdir(), "settle-media-stream-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const MAX_BYTES = 64 * 1024
const directory = (name: string) => join(root, name)
const localDisk = (dir: string): MediaPlan => ({
  maxBytes: MAX_BYTES,
  store: { _tag: "LocalDisk", directory: dir },
})

const uploadUrl = (server: { readonly url: string }) => `${server.url}/api/v1/admin/media/upload`

describe("admin media upload on the wire", () => {
  it("answers 401 to a tokenless upload before its body is sent, closing the connection (runbook scenario 6)", async () => {
    const server = await startTestServer({ media: localDisk(directory("unauthorized")) })
    const fileBytes = 1024 * 1024
    const answer = await slowUpload(uploadUrl(server), { fileBytes })
    expect(answer.status).toBe(401)
    expect(answer.body.error?.code).toBe("UNAUTHORIZED")
    expect(answer.headers.connection).toBe("close")
    expect(answer.fileBytesSent).toBeLessThan(fileBytes)
  })

  it("answers 413 on Content-Length alone, before reading the file", async () => {
    const server = await startTestServer({ media: localDisk(directory("declared")) })
    const fileBytes = 1024 * 1024
    const answer = await slowUpload(uploadUrl(server), {
      fileBytes,
      headers: { Authorization: `Bearer ${await adminToken()}` },
    })
    expect(answer.status).toBe(413)
    expect(answer.body.error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { field: "file", limit: MAX_BYTES },
    })
    expect(answer.headers.connection).toBe("close")
    expect(answer.fileBytesSent).toBeLessThan(fileBytes)
  })

  it("answers 413 as soon as a streamed upload without Content-Length passes the limit, keeping nothing", async () => {
    const dir = directory("streamed")
    const server = await startTestServer({ media: localDisk(dir) })
    const fileBytes = 1024 * 1024
    const answer = await slowUpload(uploadUrl(server), {
      fileBytes,
      chunked: true,
      headers: { Authorization: `Bearer ${await adminToken()}` },
    })
    expect(answer.status).toBe(413)
    expect(answer.headers.connection).toBe("close")
    expect(answer.fileBytesSent).toBeLessThan(fileBytes)
    expect(readdirSync(dir)).toEqual([])
    expect(
      await server.runtime.runPromise(Effect.flatMap(MediaAssetRepository, (repo) => repo.recent(10))),
    ).toEqual([])
  })

  it("stores a streamed upload without Content-Length that stays within the limit", async () => {
    const server = await startTestServer({ media: localDisk(directory("within")) })
    const answer = await slowUpload(uploadUrl(server), {
      fileBytes: MAX_BYTES,
      chunked: true,
      delayMs: 1,
      headers: { Authorization: `Bearer ${await adminToken()}` },
    })
    expect(answer.status).toBe(201)
  })

  it("drops an upload whose client goes away mid-file, leaving no file and no asset", async () => {
    const dir = directory("aborted")
    const server = await startTestServer({ media: localDisk(dir) })
    const req = request(uploadUrl(server), {
      method: "POST",
      headers: {
        "Content-Type": `multipart/form-data; boundary=${BOUNDARY}`,
        Authorization: `Bearer ${await adminToken()}`,
      },
    })
    req.on("error", () => undefined)
    req.write(filePartHead())
    req.write(Buffer.concat([PNG_MAGIC, Buffer.alloc(16 * 1024, 0x2a)]))
    // The half-written file must show up on disk before the client vanishes, or nothing is tested.
    await expect.poll(() => readdirSync(dir).length, { timeout: 5_000 }).toBe(1)
    req.destroy()
    await expect.poll(() => readdirSync(dir), { timeout: 5_000 }).toEqual([])
    expect(
      await server.runtime.runPromise(Effect.flatMap(MediaAssetRepository, (repo) => repo.recent(10))),
    ).toEqual([])
  })
})
