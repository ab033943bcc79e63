import { describe, expect, it } from "vitest"
import { makeSortedList } from "../../src/memory/SortedList.js"

interface Item {
  readonly id: number
  readonly rank: number
}

/** A total order, as the collection builds it: the rank, then the id for ties. */
const byRank = (a: Item, b: Item) => a.rank - b.rank || a.id - b.id

/** A small seeded PRNG (mulberry32): the same sequence of inserts and removals on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const ids = (items: Iterable<Item>) => [...items].map((item) => item.id)

describe("SortedList", () => {
  it("stays in order through thousands of inserts and removals, across its chunks", () => {
    const random = seeded(7)
    const list = makeSortedList(byRank)
    const reference: Array<Item> = []
    for (let id = 0; id < 5_000; id++) {
      // Mostly new items that sort first (as new orders do, newest first), some anywhere.
      const item = { id, rank: random() < 0.7 ? -id : Math.floor(random() * 1_000) }
      list.insert(item)
      reference.push(item)
      if (random() < 0.3) {
        const [removed] = reference.splice(Math.floor(random() * reference.length), 1)
        if (removed !== undefined) list.remove(removed)
      }
    }
    reference.sort(byRank)

    expect(ids(list.range())).toEqual(ids(reference))
  })

  it("reads the range its monotone bounds give, found by binary search", () => {
    const list = makeSortedList(byRank)
    const items = Array.from({ length: 2_000 }, (_, id) => ({ id, rank: id % 700 }))
    for (const item of items) list.insert(item)
    const sorted = [...items].sort(byRank)

    const inRange = (low: number, high: number) =>
      ids(
        list.range(
          (item) => item.rank >= low,
          (item) => item.rank >= high,
        ),
      )
    expect(inRange(100, 300)).toEqual(ids(sorted.filter((i) => i.rank >= 100 && i.rank < 300)))
    expect(inRange(699, 1_000)).toEqual(ids(sorted.filter((i) => i.rank >= 699)))
    expect(inRange(300, 100)).toEqual([])
    expect(inRange(1_000, 2_000)).toEqual([])
    expect(ids(list.range(undefined, (item) => item.rank >= 1))).toEqual(
      ids(sorted.filter((i) => i.rank < 1)),
    )
  })

  it("moves an entry whose sort key changes when it is removed and inserted again", () => {
    const list = makeSortedList(byRank)
    const entries = [1, 2, 3].map((id) => ({ id, rank: id }))
    for (const entry of entries) list.insert(entry)
    const first = entries[0] as Item
    list.remove(first)
    list.insert({ ...first, rank: 10 })

    expect(ids(list.range())).toEqual([2, 3, 1])
  })

  it("finds an entry to remove by identity when the comparator cannot place it", () => {
    const list = makeSortedList((a: Item, b: Item) => a.rank - b.rank)
    const lost = { id: 1, rank: Number.NaN }
    for (const item of [{ id: 0, rank: 0 }, lost, { id: 2, rank: 2 }]) list.insert(item)
    list.remove(lost)

    expect(ids(list.range())).toEqual([0, 2])
  })
})
