import { StoreError } from "@settle/domain"
import { Cause } from "effect"
import { describe, expect, it } from "vitest"
import { bootstrapFailure, ConfigError } from "../../src/config/index.js"

describe("bootstrapFailure", () => {
  it("lists a ConfigError's problems under the runbook's prefix", () => {
    const error = new ConfigError({
      problems: [
        {
          variable: "MONGO_URI",
          message: 'MONGO_URI must start with "mongodb://" or "mongodb+srv://" (got "postgres://")',
        },
      ],
    })
    expect(bootstrapFailure(error)).toBe(
      'Bootstrap failed: invalid configuration (1 problem):\n  - MONGO_URI must start with "mongodb://" or "mongodb+srv://" (got "postgres://")',
    )
  })

  it("adds the MONGO_URI hint to the driver's invalid-scheme error", () => {
    const driver = new Error(
      'Invalid scheme, expected connection string to start with "mongodb://" or "mongodb+srv://"',
    )
    expect(bootstrapFailure(driver)).toMatch(
      /^Bootstrap failed: Invalid scheme, expected connection string to start with "mongodb:\/\/" or "mongodb\+srv:\/\/"; check MONGO_URI/,
    )
  })

  it("reads tagged errors and causes, and hides credentials in quoted URIs", () => {
    const error = new StoreError({
      message:
        "[db] cannot connect: getaddrinfo ENOTFOUND in mongodb+srv://settle:Pa55w0rdXyz@cluster0.example.net/shop",
    })
    const text = bootstrapFailure(Cause.fail(error))
    expect(text).toBe(
      "Bootstrap failed: [db] cannot connect: getaddrinfo ENOTFOUND in mongodb+srv://***@cluster0.example.net/shop",
    )
    expect(bootstrapFailure("port in use")).toBe("Bootstrap failed: port in use")
  })
})
