import { IdempotencyKeys } from "@settle/domain"
import { IdempotencyKeysSuite } from "@settle/testkit/suites"
import { Effect } from "effect"
import { expect, it } from "vitest"
import { MemoryIdempotencyKeys } from "../../src/memory/index.js"

IdempotencyKeysSuite.suite("MemoryIdempotencyKeys", MemoryIdempotencyKeys.layer)

const T0 = new Date("2030-01-01T00:00:00.000Z")
const at = (ms: number) => new Date(T0.getTime() + ms)

it("MemoryIdempotencyKeys forgets expired keys as time passes, without waiting for their own key's next claim", () =>
  Effect.runPromise(
    Effect.gen(function* () {
      const keys = yield* IdempotencyKeys
      const claim = (key: string, now: Date) =>
        keys.claim({
          scope: "s",
          key,
          fingerprint: "f",
          owner: `o-${key}`,
          now,
          leaseMs: 1_000,
          ttlMs: 10_000,
        })
      for (let i = 0; i < 100; i++) yield* claim(`old-${i}`, at(i))
      yield* claim("fresh", at(9_999))
      expect(yield* keys.find("s", "old-0")).not.toBeNull()
      // One claim of another key after the expiry sweeps every expired key, the fresh one stays.
      yield* claim("later", at(10_100))
      expect(yield* keys.find("s", "old-0")).toBeNull()
      expect(yield* keys.find("s", "old-99")).toBeNull()
      expect(yield* keys.find("s", "fresh")).not.toBeNull()
    }).pipe(Effect.provide(MemoryIdempotencyKeys.layer)),
  ))
