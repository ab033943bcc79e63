import { Effect } from "effect"
import { MongoClient, MongoNetworkError, MongoServerError } from "mongodb"
import { describe, expect, it } from "vitest"
import { isRefusal, mongoCall } from "../src/mongo/mongoCall.js"
import { freePort } from "./support/freePort.js"

const serverError = (code: number, labels: ReadonlyArray<string> = []) => {
  const error = new MongoServerError({ message: `server error ${code}`, code, errorLabels: [...labels] })
  return error
}

const failureOf = (cause: unknown) =>
  Effect.runPromise(Effect.flip(mongoCall("orders", "insert", () => Promise.reject(cause))))

describe("mongoCall: a store failure says whether a retry may pass", () => {
  it("a server refusal no retry cures (size, validation, a bad value) is StoreError refused", async () => {
    for (const code of [2, 10334, 121, 14]) {
      expect(isRefusal(serverError(code)), `code ${code}`).toBe(true)
      expect(await failureOf(serverError(code))).toMatchObject({ _tag: "StoreError", kind: "refused" })
    }
    const bson = Object.assign(new Error("Document is larger than the maximum size 16777216"), {
      name: "BSONError",
    })
    expect(await failureOf(bson)).toMatchObject({ _tag: "StoreError", kind: "refused" })
  })

  it("network errors, server selection, a stepping-down primary and retryable labels are unavailable", async () => {
    const causes = [
      new MongoNetworkError("connection reset"),
      serverError(91),
      serverError(10107),
      serverError(50),
      serverError(2, ["RetryableWriteError"]),
      new Error("socket hang up"),
    ]
    for (const cause of causes) {
      expect(await failureOf(cause)).toMatchObject({ _tag: "StoreError", kind: "unavailable" })
    }
  })

  it("a store nobody answers (server selection times out) is unavailable", async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${await freePort()}/settle`, {
      serverSelectionTimeoutMS: 200,
    })
    try {
      const failed = await Effect.runPromise(
        Effect.flip(
          mongoCall("orders", "insert", () => client.db().collection("orders").insertOne({ a: 1 })),
        ),
      )
      expect(failed).toMatchObject({ _tag: "StoreError", kind: "unavailable" })
    } finally {
      await client.close()
    }
  })

  it("a unique-key violation stays DuplicateKey", async () => {
    expect((await failureOf(serverError(11000)))._tag).toBe("DuplicateKey")
  })
})
