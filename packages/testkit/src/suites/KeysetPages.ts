import { Effect } from "effect"
import { describe, expect, it } from "vitest"

/** How a port's page read is driven: insert an item under a key, read a page past `after`, change one. */
export interface KeysetListing<R> {
  readonly run: <A, E>(program: Effect.Effect<A, E, R>) => Promise<A>
  /** Insert a fresh item whose unique sort key is `key`. */
  readonly insert: (key: string) => Effect.Effect<void, unknown, R>
  /** Change something other than the key of the item with `key` (a write between two page reads). */
  readonly touch: (key: string) => Effect.Effect<void, unknown, R>
  /** The port's page read: keys of up to `limit` items past `after`, in key order. */
  readonly page: (
    after: string | undefined,
    limit: number,
  ) => Effect.Effect<ReadonlyArray<string>, unknown, R>
}

/** Every page in turn, each going on from the last key of the one before, until a short page. */
const allPages = <R>(
  listing: KeysetListing<R>,
  limit: number,
  between?: (pageNo: number) => Effect.Effect<void, unknown, R>,
) =>
  Effect.gen(function* () {
    const pages: Array<ReadonlyArray<string>> = []
    let after: string | undefined
    for (;;) {
      const page = yield* listing.page(after, limit)
      pages.push(page)
      if (page.length < limit || pages.length > 50) return pages
      after = page.at(-1)
      if (between !== undefined) yield* between(pages.length)
    }
  })

/** The page contract shared by the listings ordered by a unique, unchanging key (products, coupons). */
export const keysetPages = <R>(listing: KeysetListing<R>, keys: ReadonlyArray<string>): void => {
  const sorted = [...keys].sort()
  const insertAll = (some: ReadonlyArray<string>) => Effect.forEach(some, listing.insert, { discard: true })

  describe("listPage", () => {
    it("pages cover every item exactly once, in key order, the last one short", () =>
      listing.run(
        Effect.gen(function* () {
          yield* insertAll(keys)
          const pages = yield* allPages(listing, 3)
          expect(pages.flat()).toEqual(sorted)
          expect(pages.map((page) => page.length)).toEqual([
            ...Array.from({ length: Math.floor(keys.length / 3) }, () => 3),
            keys.length % 3,
          ])
        }),
      ))

    it("serves at most limit items: 1, exactly all, more than all", () =>
      listing.run(
        Effect.gen(function* () {
          yield* insertAll(keys)
          expect(yield* listing.page(undefined, 1)).toEqual(sorted.slice(0, 1))
          expect(yield* listing.page(undefined, keys.length)).toEqual(sorted)
          expect(yield* listing.page(undefined, keys.length + 1)).toEqual(sorted)
          expect(yield* listing.page(sorted[0], keys.length)).toEqual(sorted.slice(1))
        }),
      ))

    it("goes on past a key no item has, and is empty past the last key or on an empty store", () =>
      listing.run(
        Effect.gen(function* () {
          expect(yield* listing.page(undefined, 5)).toEqual([])
          yield* insertAll(keys)
          const gap = `${sorted[1]}-0`
          expect(yield* listing.page(gap, 2)).toEqual(sorted.filter((key) => key > gap).slice(0, 2))
          expect(yield* listing.page(sorted.at(-1), 5)).toEqual([])
        }),
      ))

    it("keeps its order under inserts and writes between pages: nothing twice, nothing served skipped", () =>
      listing.run(
        Effect.gen(function* () {
          yield* insertAll(keys)
          const early = `${sorted[0]}-0`
          const late = `${sorted.at(-1)}-0`
          const pages = yield* allPages(listing, 2, (pageNo) =>
            pageNo === 1
              ? Effect.andThen(insertAll([early, late]), listing.touch(sorted[3] as string))
              : Effect.void,
          )
          const seen = pages.flat()
          // `early` sorts before the first page's cursor, so only a later listing shows it; `late` is ahead.
          expect(seen).toEqual([...sorted, late])
          expect(new Set(seen).size).toBe(seen.length)
        }),
      ))
  })
}
