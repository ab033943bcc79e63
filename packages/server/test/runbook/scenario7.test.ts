import { createHash } from "node:crypto"
import { LoopbackCloudinary } from "@settle/testkit"
import { Either } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { mediaPlan } from "../../src/bootstrap/media.js"
import { bootstrapFailure, loadConfig } from "../../src/config/index.js"
import { json, opsHere } from "../ops/support/cli.js"
import { PNG_MAGIC } from "../support/multipartUpload.js"
import { ADMIN_SECRET, adminToken, call, errorOf, PinoLoggerFor, startTestServer } from "../support/server.js"

const api = await LoopbackCloudinary.start()
afterAll(() => api.close())

const { cloudName, apiKey, apiSecret } = api.account
const UPLOAD = "/api/v1/admin/media/upload"
/** What the deployment's environment holds: the dashboard's values, the secret pasted with a line break. */
const deployedEnv = (secret: string) => ({
  CLOUDINARY_CLOUD_NAME: cloudName,
  CLOUDINARY_API_KEY: apiKey,
  CLOUDINARY_API_SECRET: secret,
  CLOUDINARY_API_BASE_URL: api.url,
  ADMIN_JWT_SECRET: ADMIN_SECRET,
})

const upload = async (baseUrl: string) => {
  const bytes = Buffer.alloc(2048, 0x2a)
  PNG_MAGIC.copy(bytes)
  const form = new FormData()
  form.append("file", new Blob([bytes], { type: "image/png" }), "logo.png")
  return call(`${baseUrl}${UPLOAD}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${await adminToken()}` },
    body: form,
  })
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex")

describe('runbook scenario 7: Cloudinary "Invalid Signature"', () => {
  it("a secret pasted with a line break is named by `pnpm ops doctor` and refused at start, without printing it", async () => {
    const env = deployedEnv(`${apiSecret}\n`)
    const doctor = await opsHere(["doctor", "--json"], env)
    expect(doctor.code).toBe(1)
    expect(json(doctor)).toMatchObject({
      checks: expect.arrayContaining([
        expect.objectContaining({
          check: "CLOUDINARY_API_SECRET",
          status: "fail",
          message: "CLOUDINARY_API_SECRET has trailing whitespace or a line break; remove it",
          fix: expect.stringContaining("Cloudinary Dashboard → Settings → API Keys"),
        }),
      ]),
    })
    // What `pnpm start` prints before it exits 1 (src/main.ts; the process path: e2e/bootstrap.test.ts).
    const refused = loadConfig(env)
    expect(Either.isLeft(refused)).toBe(true)
    const printed = bootstrapFailure(Either.isLeft(refused) ? refused.left : null)
    expect(printed).toBe(
      "Bootstrap failed: invalid configuration (1 problem):\n  - CLOUDINARY_API_SECRET has trailing whitespace or a line break; remove it",
    )
    expect(`${doctor.stdout}${printed}`).not.toContain(apiSecret)
  })

  it("a secret that is not Cloudinary's answers 502 CLOUDINARY_ERROR; the string to sign shows which side is wrong", async () => {
    // A secret the config cannot tell from a good one: rotated in the dashboard, or from another key's row.
    const rotated = "Qm7ZpR2xVt9LkW4sYb8NcJd3hFa"
    const lines: Array<string> = []
    const server = await startTestServer({
      logger: PinoLoggerFor(lines),
      media: {
        maxBytes: 64 * 1024,
        store: {
          _tag: "Cloudinary",
          cloudName,
          apiKey,
          apiSecret: rotated,
          folder: "settle",
          apiBaseUrl: api.url,
        },
      },
    })
    const answer = await upload(server.url)
    expect(answer.status).toBe(502)
    const { code, message } = errorOf(answer)
    expect(code).toBe("CLOUDINARY_ERROR")
    const said =
      /^Invalid Signature ([0-9a-f]{40})\. String to sign - '(folder=settle&timestamp=\d+)'\.$/.exec(message)
    expect(said, message).not.toBeNull()
    const [, signature = "", stringToSign = ""] = said ?? []
    // The runbook's check: the dashboard's secret signs differently, so the deployment's secret is the wrong one.
    expect(sha1(`${stringToSign}${apiSecret}`)).not.toBe(signature)
    expect(sha1(`${stringToSign}${rotated}`)).toBe(signature)
    expect(lines.some((line) => line.includes("[media] upload failed: Invalid Signature"))).toBe(true)
  })

  it("with the dashboard's exact secret in the environment the service starts and the upload answers 201", async () => {
    // The environment decoded as `pnpm start` decodes it, and its media plan, on an in-process server.
    const config = Either.getOrThrow(loadConfig(deployedEnv(apiSecret)))
    expect(config.media.store._tag).toBe("Cloudinary")
    const server = await startTestServer({ media: mediaPlan(config) })
    const before = api.uploads().length
    const answer = await upload(server.url)
    expect(answer.status).toBe(201)
    expect(answer.body).toMatchObject({
      asset: {
        provider: "cloudinary",
        providerId: expect.stringMatching(/^settle\//),
        url: expect.stringMatching(new RegExp(`^https://res\\.cloudinary\\.com/${cloudName}/image/upload/`)),
      },
    })
    expect(api.uploads().slice(before)).toEqual([expect.objectContaining({ folder: "settle" })])
  })
})
