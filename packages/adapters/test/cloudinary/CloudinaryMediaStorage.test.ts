import { MediaStorageError } from "@settle/domain"
import { LoopbackCloudinary } from "@settle/testkit"
import { MediaStorageSuite } from "@settle/testkit/suites"
import { v2 as cloudinary } from "cloudinary"
import { Effect, Stream } from "effect"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import * as CloudinaryMediaStorage from "../../src/cloudinary/CloudinaryMediaStorage.js"
import { chunked, PNG, pngOfSize } from "../media/images.js"

const api = await LoopbackCloudinary.start()
afterAll(() => api.close())
afterEach(() => api.setMode("healthy"))

const FOLDER = "settle-tests/products"

const config = (overrides: Partial<CloudinaryMediaStorage.CloudinaryConfig> = {}) => ({
  cloudName: api.account.cloudName,
  apiKey: api.account.apiKey,
  apiSecret: api.account.apiSecret,
  folder: FOLDER,
  apiBaseUrl: api.url,
  ...overrides,
})

MediaStorageSuite.suite(
  "CloudinaryMediaStorage on the loopback Cloudinary API",
  CloudinaryMediaStorage.layer(config()),
)

const upload = (
  overrides: Partial<CloudinaryMediaStorage.CloudinaryConfig> = {},
  content: Stream.Stream<Uint8Array, MediaStorageError> = chunked(PNG, 16),
  filename = "pixel.png",
) =>
  Effect.runPromise(
    Effect.either(
      CloudinaryMediaStorage.make(config(overrides)).upload({ filename, contentType: "image/png", content }),
    ),
  )

/** The upload's failure, after checking the provider stored nothing. */
const refusal = async (...args: Parameters<typeof upload>) => {
  const before = api.uploads().length
  const result = await upload(...args)
  if (result._tag === "Right") throw new Error(`expected a refusal, got ${JSON.stringify(result.right)}`)
  expect(api.uploads()).toHaveLength(before)
  return result.left
}

describe("CloudinaryMediaStorage", () => {
  it("signs the upload into the configured folder and describes what Cloudinary stored", async () => {
    const result = await upload()
    if (result._tag === "Left") throw result.left
    const stored = api.uploads().at(-1)
    expect(stored).toMatchObject({
      folder: FOLDER,
      bytes: PNG.length,
      format: "png",
      originalFilename: "pixel",
    })
    expect(result.right).toEqual({
      provider: "cloudinary",
      providerId: stored?.publicId,
      url: expect.stringMatching(
        new RegExp(
          `^https://res\\.cloudinary\\.com/${api.account.cloudName}/image/upload/v\\d+/${stored?.publicId}\\.png$`,
        ),
      ),
      bytes: PNG.length,
      format: "png",
    })
  })

  it("streams a large file through with backpressure, every byte counted", async () => {
    const big = pngOfSize(3 * 1024 * 1024 + 7)
    const result = await upload({}, chunked(big))
    expect(result).toMatchObject({ _tag: "Right", right: { bytes: big.length } })
  })

  it("keeps Settle's credentials out of the SDK's process-wide config", async () => {
    await upload()
    expect(cloudinary.config().api_secret).toBeUndefined()
    expect(cloudinary.config().cloud_name).toBeUndefined()
  })

  it("sends a file name that could break the multipart header as a harmless one", async () => {
    const result = await upload({}, chunked(PNG), 'x".png\r\nContent-Type: text/html')
    expect(result._tag).toBe("Right")
    expect(api.uploads().at(-1)?.originalFilename).toBe("x_")
  })

  it.each([
    ["a trailing space", `${api.account.apiSecret} `],
    ["a trailing line break", `${api.account.apiSecret}\n`],
    ["a rotated secret", "Zz9vQ9pLm2ZrT7wYb4NcHs8dJfA"],
  ])(
    "passes Cloudinary's Invalid Signature on verbatim for a secret with %s (runbook scenario 7)",
    async (_name, apiSecret) => {
      const failure = await refusal({ apiSecret })
      expect(failure).toBeInstanceOf(MediaStorageError)
      expect(failure.providerAnswered).toBe(true)
      expect(failure.message).toMatch(
        new RegExp(
          `^Invalid Signature [0-9a-f]{40}\\. String to sign - 'folder=${FOLDER}&timestamp=\\d+'\\.$`,
        ),
      )
    },
  )

  it.each([
    [
      "the API key in the cloud name",
      { cloudName: api.account.apiKey },
      `Invalid cloud_name ${api.account.apiKey}`,
    ],
    [
      "the secret in the API key",
      { apiKey: api.account.apiSecret },
      `Unknown API key ${api.account.apiSecret}`,
    ],
  ])("passes on what Cloudinary says about %s", async (_name, overrides, message) => {
    expect(await refusal(overrides)).toMatchObject({ providerAnswered: true, message })
  })

  it("passes on Cloudinary's refusal of a file that is no image", async () => {
    const notAnImage = Stream.make(new TextEncoder().encode("GIF? no: plain text"))
    expect(await refusal({}, notAnImage)).toMatchObject({
      providerAnswered: true,
      message: "Invalid image file",
    })
  })

  it("reports a Cloudinary that resets connections as unreachable", async () => {
    api.setMode("unreachable")
    expect(await refusal()).toMatchObject({ providerAnswered: false, message: /^Cloudinary is unreachable/ })
  })

  it("gives up on a Cloudinary that never answers after the timeout, as unreachable", async () => {
    api.setMode("hang")
    expect(await refusal({ timeoutMs: 200 })).toMatchObject({ providerAnswered: false })
  })

  it("aborts the request under way when the file stream fails, leaving nothing stored", async () => {
    const requestsBefore = api.requests()
    // Fail only once Cloudinary is reading the body, so there is a request under way to abort.
    const reading = Effect.promise(async () => {
      while (api.receiving() === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    })
    const broken = Stream.concat(
      chunked(pngOfSize(256 * 1024), 16 * 1024),
      Stream.concat(
        Stream.execute(reading),
        Stream.fail(new MediaStorageError({ message: "client went away", providerAnswered: false })),
      ),
    )
    expect(await refusal({}, broken)).toMatchObject({ message: "client went away" })
    expect(api.requests()).toBe(requestsBefore + 1)
    // Without the abort the half-sent request would sit at Cloudinary until the SDK's 60 s timeout.
    await expect.poll(() => api.receiving(), { timeout: 2_000 }).toBe(0)
  })
})
