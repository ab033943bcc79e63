import { Either } from "effect"
import { expect } from "vitest"
import type { Config } from "../../src/config/index.js"
import { type ConfigProblem, loadConfig } from "../../src/config/index.js"

export type Env = Readonly<Record<string, string | undefined>>

/** Secrets shaped like real ones, built at run time so no scanner mistakes them for leaked keys. */
export const secrets = {
  stripeKey: ["sk", "test", "51HxYzAbCdEfGhIjKlMnOpQr"].join("_"),
  liveKey: ["sk", "live", "51HxYzAbCdEfGhIjKlMnOpQr"].join("_"),
  webhookSecret: `whsec_${"Zm9vYmFyYmF6cXV4cXV1eGNvcmdl"}`,
  jwtSecret: "s3cr3t-admin-signing-key-0123456789abcdef",
  mongoUri: "mongodb+srv://settle:Pa55w0rdXyz@cluster0.abcde.mongodb.net/shop?retryWrites=true&w=majority",
}

/** A complete production environment: Mongo, Stripe, shared-secret admin auth. */
export const production: Env = {
  MONGO_URI: secrets.mongoUri,
  STRIPE_SECRET_KEY: secrets.stripeKey,
  STRIPE_WEBHOOK_SECRET: secrets.webhookSecret,
  ADMIN_JWT_SECRET: secrets.jwtSecret,
}

const zeros = (size: number) => new Uint8Array(size)

export const load = (env: Env): Config => {
  const result = loadConfig(env, { randomBytes: zeros })
  if (Either.isLeft(result)) throw new Error(`expected a config, got:\n${result.left.message}`)
  return result.right
}

export const problemsOf = (env: Env): ReadonlyArray<ConfigProblem> => {
  const result = loadConfig(env, { randomBytes: zeros })
  if (Either.isRight(result)) throw new Error("expected a ConfigError, got a config")
  return result.left.problems
}

/** Every problem, and the error's message, must be free of the value itself. */
export const expectNoLeak = (env: Env, value: string): void => {
  const result = loadConfig(env, { randomBytes: zeros })
  if (Either.isRight(result)) throw new Error("expected a ConfigError, got a config")
  const secretPart = value.trim().replace(/^["'`]|["'`]$/g, "")
  expect(result.left.message).not.toContain(secretPart)
  for (const problem of result.left.problems) expect(problem.message).not.toContain(secretPart)
}
