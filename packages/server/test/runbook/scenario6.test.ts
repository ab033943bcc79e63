import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SignJWT } from "jose"
import { afterAll, describe, expect, it } from "vitest"
import { PNG_MAGIC, slowUpload } from "../support/multipartUpload.js"
import { ADMIN_SECRET, adminToken, call, errorOf, metric, startTestServer } from "../support/server.js"

const root = mkdtempSync(join(tmpdir(), "settle-runbook-media-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const MAX_BYTES = 256 * 1024
const UPLOAD = "/api/v1/admin/media/upload"

/** A token the admin signed in with an hour ago: `exp` has passed. */
const expiredToken = () =>
  new SignJWT({ role: "admin" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("ops@example.com")
    .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 1800)
    .sign(new TextEncoder().encode(ADMIN_SECRET))

const pngForm = (size: number) => {
  const bytes = Buffer.alloc(size, 0x2a)
  PNG_MAGIC.copy(bytes)
  const form = new FormData()
  form.append("file", new Blob([bytes], { type: "image/png" }), "logo.png")
  return form
}

describe("runbook scenario 6: admin media upload 401 Unauthorized", () => {
  it("refuses an upload without the bearer token before its body is sent, and accepts it with one", async () => {
    const server = await startTestServer({
      media: { maxBytes: MAX_BYTES, store: { _tag: "LocalDisk", directory: join(root, "uploads") } },
    })
    const url = `${server.url}${UPLOAD}`

    // Detection: 401 before the body is sent (the client had written a fraction of the file).
    const bare = await slowUpload(url, { fileBytes: 200 * 1024 })
    expect(bare.status).toBe(401)
    expect(bare.fileBytesSent).toBeLessThan(200 * 1024)
    expect(bare.headers["www-authenticate"]).toMatch(/^Bearer /)
    expect(bare.body.error).toMatchObject({ code: "UNAUTHORIZED", details: { reason: "missing" } })

    // Recovery 3: an expired token says so; refresh it and retry.
    const stale = await slowUpload(url, {
      fileBytes: 200 * 1024,
      headers: { Authorization: `Bearer ${await expiredToken()}` },
    })
    expect(stale.status).toBe(401)
    expect(stale.body.error).toMatchObject({ code: "UNAUTHORIZED", details: { reason: "expired" } })
    expect(
      await metric(
        server,
        'http_request_duration_seconds_count{method="POST",route="/api/v1/admin/media/upload",status="401"}',
      ),
    ).toBe(2)

    // Verification: with the same bearer token as other admin calls, 201 with the asset…
    const authorization = { Authorization: `Bearer ${await adminToken()}` }
    const uploaded = await call(url, { method: "POST", headers: authorization, body: pngForm(4096) })
    expect(uploaded.status).toBe(201)
    expect(uploaded.body).toMatchObject({
      asset: { id: expect.stringMatching(/^med_/), provider: "local", bytes: 4096, format: "png" },
    })
    // …or, past the guard, another answer than 401: a file over MEDIA_MAX_BYTES is 413.
    const tooLarge = await call(url, { method: "POST", headers: authorization, body: pngForm(MAX_BYTES + 1) })
    expect(tooLarge.status).toBe(413)
    expect(errorOf(tooLarge).code).toBe("PAYLOAD_TOO_LARGE")
  })
})
