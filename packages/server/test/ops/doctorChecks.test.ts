import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { cloudinaryShapes, pingCloudinary, shapeOf } from "../../src/ops/doctor/cloudinary.js"
import { configChecks } from "../../src/ops/doctor/configChecks.js"
import { json, opsHere } from "./support/cli.js"

const SECRET = "Xk3vQ9pLm2ZrT7wYb4NcHs8dJfA"
const API_KEY = "614839271958243"

const checkOf = (env: Record<string, string>, name: string) =>
  configChecks(env).filter((result) => result.check === name)

describe("doctor: Stripe key shapes", () => {
  it("says test or live, and what a restricted key needs", () => {
    expect(checkOf({ STRIPE_SECRET_KEY: "sk_test_abc123" }, "STRIPE_SECRET_KEY")).toEqual([
      {
        check: "STRIPE_SECRET_KEY",
        status: "ok",
        message: "secret key (sk_…), test mode: no real money moves",
      },
    ])
    expect(checkOf({ STRIPE_SECRET_KEY: "rk_live_abc123" }, "STRIPE_SECRET_KEY")).toEqual([
      expect.objectContaining({
        status: "ok",
        message: expect.stringMatching(/^restricted key \(rk_…\).*Refunds, live mode: real money moves$/),
      }),
    ])
  })

  it("warns when a live key would go to STRIPE_API_BASE_URL instead of Stripe", () => {
    expect(
      checkOf(
        { STRIPE_SECRET_KEY: "sk_live_abc123", STRIPE_API_BASE_URL: "http://127.0.0.1:12111" },
        "STRIPE_SECRET_KEY",
      ),
    ).toEqual([
      expect.objectContaining({ status: "warn", fix: expect.stringContaining("unset STRIPE_API_BASE_URL") }),
    ])
  })

  it("warns that payments are simulated without a key, and fails a webhook secret that is not whsec_", () => {
    expect(checkOf({}, "STRIPE_SECRET_KEY")).toEqual([expect.objectContaining({ status: "warn" })])
    expect(
      checkOf({ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "secret" }, "STRIPE_WEBHOOK_SECRET"),
    ).toEqual([
      expect.objectContaining({ status: "fail", message: expect.stringContaining("must start with whsec_") }),
    ])
  })
})

describe("doctor: Cloudinary values in the wrong variable", () => {
  it("tells a cloud name, an API key and an API secret apart by shape", () => {
    expect([shapeOf("settle-shop"), shapeOf("dq1abcxyz"), shapeOf(API_KEY), shapeOf(SECRET)]).toEqual([
      "cloud name",
      "cloud name",
      "API key",
      "API secret",
    ])
    expect(shapeOf("Not A Shape!")).toBeNull()
  })

  it("passes the right values, names a secret pasted as the cloud name, and leaves flawed values to the config checks", () => {
    const right = {
      CLOUDINARY_CLOUD_NAME: "settle-shop",
      CLOUDINARY_API_KEY: API_KEY,
      CLOUDINARY_API_SECRET: SECRET,
    }
    expect(cloudinaryShapes(right).map((r) => r.status)).toEqual(["ok", "ok", "ok"])
    const secretAsName = cloudinaryShapes({ ...right, CLOUDINARY_CLOUD_NAME: SECRET })
    expect(secretAsName[0]).toMatchObject({
      status: "fail",
      message:
        "CLOUDINARY_CLOUD_NAME looks like the API secret (about 27 letters, digits, - and _), not the cloud name (a short lower-case name)",
    })
    expect(secretAsName[0]?.fix).not.toContain("swapped")
    expect(cloudinaryShapes({ ...right, CLOUDINARY_API_SECRET: `${SECRET}\n` }).map((r) => r.check)).toEqual([
      "CLOUDINARY_CLOUD_NAME",
      "CLOUDINARY_API_KEY",
    ])
    expect(cloudinaryShapes({})).toEqual([expect.objectContaining({ status: "skip" })])
  })
})

describe("doctor --online: Cloudinary's ping", () => {
  let server: Server | undefined
  afterEach(
    () => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))),
  )

  /** Cloudinary's Admin API ping on loopback: 200 for the account's key and secret, 401 otherwise. */
  const fakeCloudinary = async () => {
    const expected = `Basic ${Buffer.from(`${API_KEY}:${SECRET}`).toString("base64")}`
    server = createServer((request, response) => {
      const known = request.url === "/v1_1/settle-shop/ping"
      const status = !known ? 404 : request.headers.authorization === expected ? 200 : 401
      response.writeHead(status, { "Content-Type": "application/json" })
      response.end(
        JSON.stringify(
          status === 200 ? { status: "ok" } : { error: { message: "Invalid api_key or api_secret" } },
        ),
      )
    })
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  it("passes when Cloudinary accepts the key and secret, and fails with its message when it does not", async () => {
    const baseUrl = await fakeCloudinary()
    const account = { cloudName: "settle-shop", apiKey: API_KEY, apiSecret: SECRET }
    expect(await pingCloudinary(account, { baseUrl })).toMatchObject({
      check: "cloudinary.api",
      status: "ok",
    })
    expect(await pingCloudinary({ ...account, apiSecret: `${SECRET.slice(1)}x` }, { baseUrl })).toMatchObject(
      {
        status: "fail",
        message: "Cloudinary answered 401: Invalid api_key or api_secret",
        fix: expect.stringContaining("runbook scenario 7"),
      },
    )
  })

  it("is what `doctor --online` asks, at CLOUDINARY_API_BASE_URL when set", async () => {
    const env = {
      CLOUDINARY_CLOUD_NAME: "settle-shop",
      CLOUDINARY_API_KEY: API_KEY,
      CLOUDINARY_API_SECRET: SECRET,
      CLOUDINARY_API_BASE_URL: await fakeCloudinary(),
    }
    const cloudinaryApi = async (args: ReadonlyArray<string>, extra: Record<string, string> = {}) =>
      (
        json(await opsHere(["doctor", "--json", ...args], { ...env, ...extra })).checks as ReadonlyArray<{
          check: string
          status: string
        }>
      ).find((result) => result.check === "cloudinary.api")
    expect(await cloudinaryApi(["--online"])).toMatchObject({ status: "ok" })
    expect(await cloudinaryApi([])).toMatchObject({ status: "skip" })
    expect(await cloudinaryApi(["--online"], { CLOUDINARY_API_SECRET: `${SECRET.slice(1)}x` })).toMatchObject(
      {
        status: "fail",
      },
    )
  })

  it("fails saying where it could not reach", async () => {
    const result = await pingCloudinary(
      { cloudName: "settle-shop", apiKey: API_KEY, apiSecret: SECRET },
      { baseUrl: "http://127.0.0.1:9", timeoutMs: 2_000 },
    )
    expect(result).toMatchObject({
      status: "fail",
      message: expect.stringContaining("cannot reach Cloudinary"),
    })
  })
})
