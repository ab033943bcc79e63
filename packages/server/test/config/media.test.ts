import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { mediaPlan } from "../../src/bootstrap/media.js"
import { load, problemsOf, production } from "./support.js"

const CLOUDINARY = {
  CLOUDINARY_CLOUD_NAME: "settle-shop",
  CLOUDINARY_API_KEY: "123456789012345",
  CLOUDINARY_API_SECRET: "AbCdEfGhIjKlMnOpQrStUvWxYz0",
}

const variables = (env: Record<string, string>) => problemsOf(env).map((problem) => problem.variable)

describe("media configuration", () => {
  it("uploads to Cloudinary with every setting given", () => {
    const config = load({
      ...CLOUDINARY,
      CLOUDINARY_FOLDER: "shop/products",
      CLOUDINARY_API_BASE_URL: "http://127.0.0.1:4010/",
      MEDIA_MAX_BYTES: "2097152",
    })
    expect(config.media.maxBytes).toBe(2 * 1024 * 1024)
    expect(config.media.store).toMatchObject({
      _tag: "Cloudinary",
      cloudName: "settle-shop",
      folder: "shop/products",
      apiBaseUrl: "http://127.0.0.1:4010",
    })
    // The plan the layer takes is the only place the secret leaves its wrapper.
    expect(JSON.stringify(config.media)).not.toContain(CLOUDINARY.CLOUDINARY_API_SECRET)
    expect(mediaPlan(config).store).toEqual({
      _tag: "Cloudinary",
      cloudName: "settle-shop",
      apiKey: "123456789012345",
      apiSecret: "AbCdEfGhIjKlMnOpQrStUvWxYz0",
      folder: "shop/products",
      apiBaseUrl: "http://127.0.0.1:4010",
    })
    if (config.media.store._tag === "Cloudinary") {
      expect(Redacted.value(config.media.store.apiSecret)).toBe(CLOUDINARY.CLOUDINARY_API_SECRET)
    }
  })

  it("keeps images on local disk in MEDIA_DIR without Cloudinary", () => {
    expect(load({ MEDIA_DIR: "/var/lib/settle/media" }).media.store).toEqual({
      _tag: "LocalDisk",
      directory: "/var/lib/settle/media",
    })
  })

  it("says nothing about local disk in the embedded default, and warns a deployment", () => {
    expect(load({}).notices.join("\n")).not.toMatch(/uploaded images/)
    expect(load(production).notices.join("\n")).toMatch(/uploaded images are kept on this machine's disk/)
    expect(load({ ...production, ...CLOUDINARY }).notices).toEqual([])
  })

  it.each([
    ["a size below 1 KiB", { MEDIA_MAX_BYTES: "1023" }, "MEDIA_MAX_BYTES"],
    ["a size above 100 MiB", { MEDIA_MAX_BYTES: String(100 * 1024 * 1024 + 1) }, "MEDIA_MAX_BYTES"],
    ["a size in words", { MEDIA_MAX_BYTES: "10MB" }, "MEDIA_MAX_BYTES"],
    ["a folder with a space", { ...CLOUDINARY, CLOUDINARY_FOLDER: "shop products" }, "CLOUDINARY_FOLDER"],
    ["a folder with a leading slash", { ...CLOUDINARY, CLOUDINARY_FOLDER: "/shop" }, "CLOUDINARY_FOLDER"],
    [
      "a folder with an ampersand",
      { ...CLOUDINARY, CLOUDINARY_FOLDER: "a&timestamp=1" },
      "CLOUDINARY_FOLDER",
    ],
    [
      "an API base URL that is no URL",
      { ...CLOUDINARY, CLOUDINARY_API_BASE_URL: "api.cloudinary" },
      "CLOUDINARY_API_BASE_URL",
    ],
    ["a folder without credentials", { CLOUDINARY_FOLDER: "shop" }, "CLOUDINARY_FOLDER"],
    [
      "an API base URL without credentials",
      { CLOUDINARY_API_BASE_URL: "http://127.0.0.1:4010" },
      "CLOUDINARY_API_BASE_URL",
    ],
    [
      "a media directory that Cloudinary would leave unused",
      { ...CLOUDINARY, MEDIA_DIR: "/srv/media" },
      "MEDIA_DIR",
    ],
  ])("refuses %s", (_name, env, variable) => {
    expect(variables(env)).toEqual([variable])
  })

  it("points a swapped API key at where to copy the right one", () => {
    const [problem] = problemsOf({ ...CLOUDINARY, CLOUDINARY_API_KEY: CLOUDINARY.CLOUDINARY_API_SECRET })
    expect(problem?.message).toBe(
      'CLOUDINARY_API_KEY must be digits only; copy "API Key" (not the secret or cloud name) from Cloudinary Dashboard → Settings → API Keys',
    )
  })
})
