import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { byText, compoundKey, makeCollection, newestFirst, oldestFirst } from "../../src/memory/Collection.js"

interface Doc {
  readonly id: string
  readonly status: string
  readonly session: string | null
  readonly at: Date
  readonly tags: Array<string>
}

const doc = (id: string, changes: Partial<Doc> = {}): Doc => ({
  id,
  status: "open",
  session: `cs_${id}`,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, Number(id.replace(/\D/g, "")))),
  tags: [],
  ...changes,
})

const makeDocs = () =>
  makeCollection<Doc, "status" | "session">({
    indexes: { status: (d) => d.status, session: (d) => d.session },
    order: newestFirst((d) => d.at),
  })

const ids = (docs: ReadonlyArray<Doc>) => docs.map((d) => d.id)

describe("Collection indexes", () => {
  it("refiles a document whose key an update changes, and leaves it out of the old key", () => {
    const docs = makeDocs()
    docs.put("d1", doc("d1"))
    docs.put("d2", doc("d2"))
    docs.put("d1", doc("d1", { status: "paid" }))

    expect(docs.count("status", ["open"])).toBe(1)
    expect(docs.count("status", ["paid"])).toBe(1)
    expect(
      ids(
        docs.select(
          "status",
          ["open"],
          undefined,
          byText((d) => d.id),
        ),
      ),
    ).toEqual(["d2"])
    expect(
      ids(
        docs.select(
          "status",
          ["paid"],
          undefined,
          byText((d) => d.id),
        ),
      ),
    ).toEqual(["d1"])
    expect(docs.some("status", "open", (d) => d.id === "d1")).toBe(false)
  })

  it("drops a document from an index once its key becomes null, and files it again when it comes back", () => {
    const docs = makeDocs()
    docs.put("d1", doc("d1", { session: "cs_a" }))
    docs.put("d1", doc("d1", { session: null }))

    expect(docs.some("session", "cs_a")).toBe(false)
    expect(Option.isNone(docs.findFirst("session", "cs_a"))).toBe(true)
    expect(docs.count("session", ["cs_a"])).toBe(0)

    docs.put("d1", doc("d1", { session: "cs_b" }))
    expect(Option.map(docs.findFirst("session", "cs_b"), (d) => d.id)).toEqual(Option.some("d1"))
  })

  it("answers a uniqueness check by key, excluding the document being written", () => {
    const docs = makeDocs()
    docs.put("d1", doc("d1", { session: "cs_x" }))
    const clash = (candidate: Doc) =>
      candidate.session !== null &&
      docs.some("session", candidate.session, (other) => other.id !== candidate.id)

    expect(clash(doc("d1", { session: "cs_x" }))).toBe(false)
    expect(clash(doc("d2", { session: "cs_x" }))).toBe(true)
    expect(clash(doc("d2", { session: "cs_y" }))).toBe(false)
    expect(clash(doc("d2", { session: null }))).toBe(false)
  })

  it("finds the first inserted of several documents filed under one key, as a scan would", () => {
    const docs = makeDocs()
    docs.put("d2", doc("d2", { status: "paid" }))
    docs.put("d1", doc("d1", { status: "open" }))
    docs.put("d3", doc("d3", { status: "paid" }))
    docs.put("d1", doc("d1", { status: "paid" }))

    expect(Option.map(docs.findFirst("status", "paid"), (d) => d.id)).toEqual(Option.some("d2"))
    expect(
      Option.map(
        docs.findFirst("status", "paid", (d) => d.id !== "d2"),
        (d) => d.id,
      ),
    ).toEqual(Option.some("d1"))
  })

  it("selects over several keys once each, sorted with ties in insertion order, up to the limit", () => {
    const docs = makeDocs()
    const same = new Date(Date.UTC(2026, 0, 1))
    docs.put("b", doc("b", { status: "paid", at: same }))
    docs.put("a", doc("a", { status: "open", at: same }))
    docs.put("c", doc("c", { status: "open", at: new Date(Date.UTC(2025, 0, 1)) }))
    docs.put("d", doc("d", { status: "gone" }))
    // Refiling "b" under another key must not move it behind "a" among equals.
    docs.put("b", doc("b", { status: "open", at: same }))

    const oldest = oldestFirst((d: Doc) => d.at)
    expect(ids(docs.select("status", ["open", "paid", "open"], undefined, oldest))).toEqual(["c", "b", "a"])
    expect(ids(docs.select("status", ["open"], undefined, oldest, 2))).toEqual(["c", "b"])
    expect(ids(docs.select("status", ["open"], (d) => d.id !== "c", oldest, 2.9))).toEqual(["b", "a"])
    expect(docs.select("status", ["open"], undefined, oldest, -1)).toEqual([])
    expect(docs.count("status", ["open", "paid"], (d) => d.id !== "c")).toBe(2)
  })
})

describe("Collection order", () => {
  it("walks in its order, moving a document whose sort key changes, and stops at the limit", () => {
    const docs = makeDocs()
    for (const id of ["d1", "d2", "d3", "d4"]) docs.put(id, doc(id))
    docs.put("d1", doc("d1", { at: new Date(Date.UTC(2027, 0, 1)) }))

    expect(ids(docs.walk())).toEqual(["d1", "d4", "d3", "d2"])
    expect(ids(docs.walk((d) => d.id !== "d4", 2))).toEqual(["d1", "d3"])
  })

  it("reads only the range its monotone bounds give", () => {
    const docs = makeDocs()
    for (const id of ["d1", "d2", "d3", "d4", "d5"]) docs.put(id, doc(id))
    const at = (id: string) => doc(id).at

    const range = { from: (d: Doc) => d.at < at("d5"), past: (d: Doc) => d.at < at("d2") }
    expect(ids(docs.walk(undefined, undefined, range))).toEqual(["d4", "d3", "d2"])
    expect(ids(docs.walk((d) => d.id !== "d4", 1, range))).toEqual(["d3"])
  })

  it("keeps insertion order without a declared order", () => {
    const docs = makeCollection<Doc>()
    for (const id of ["d3", "d1", "d2"]) docs.put(id, doc(id))
    docs.put("d3", doc("d3", { status: "paid" }))

    expect(ids(docs.walk())).toEqual(["d3", "d1", "d2"])
    expect(docs.size()).toBe(3)
  })
})

describe("Collection copies", () => {
  it("stores a copy: the caller's later changes reach neither the document nor its index keys", () => {
    const docs = makeDocs()
    const mutable = { ...doc("d1"), tags: ["x"] }
    docs.put("d1", mutable)
    mutable.tags.push("y")
    Object.assign(mutable, { status: "paid" })

    expect(docs.peek("d1")?.tags).toEqual(["x"])
    expect(docs.count("status", ["open"])).toBe(1)
    expect(docs.count("status", ["paid"])).toBe(0)
  })

  it("hands out copies that keep Dates, from every read", () => {
    const docs = makeDocs()
    docs.put("d1", doc("d1", { tags: ["x"] }))
    const reads = [
      Option.getOrThrow(docs.find("d1")),
      Option.getOrThrow(docs.findFirst("status", "open")),
      ...docs.select(
        "status",
        ["open"],
        undefined,
        byText((d) => d.id),
      ),
      ...docs.walk(),
    ]
    for (const read of reads) {
      expect(read.at).toBeInstanceOf(Date)
      read.tags.push("mutated")
    }

    expect(docs.peek("d1")?.tags).toEqual(["x"])
    expect(new Set(reads).size).toBe(reads.length)
  })

  it("shares what an update kept of the stored version, yet copies what the caller brought in", () => {
    const docs = makeCollection<{
      readonly n: number
      readonly meta: { readonly tag: string }
      readonly at: Date
    }>()
    docs.put("d1", { n: 1, meta: { tag: "x" }, at: new Date(0) })
    const before = docs.peek("d1") as NonNullable<ReturnType<typeof docs.peek>>
    const at = new Date(Date.UTC(2026, 1, 1))
    // As an adapter updates: a spread of the stored document, a field of its own and one from the caller.
    docs.put("d1", { ...before, n: 2, at })
    const after = docs.peek("d1") as NonNullable<ReturnType<typeof docs.peek>>
    at.setTime(0)

    expect(after.meta).toBe(before.meta)
    expect(after.at).not.toBe(at)
    expect(after.at.getTime()).toBe(Date.UTC(2026, 1, 1))
    const read = Option.getOrThrow(docs.find("d1"))
    expect(read.meta).not.toBe(after.meta)
    expect(Object.getPrototypeOf(read.meta)).toBe(Object.prototype)
    Object.assign(read.meta, { tag: "mutated" })
    expect(docs.peek("d1")?.meta.tag).toBe("x")
  })

  it("copies a read copy handed back in, which is no longer the store's", () => {
    const docs = makeDocs()
    docs.put("d1", doc("d1", { tags: ["x"] }))
    const read = Option.getOrThrow(docs.find("d1"))
    docs.put("d2", { ...read, id: "d2" })
    read.tags.push("mutated")

    expect(docs.peek("d2")?.tags).toEqual(["x"])
  })

  it("copies an own __proto__ key as a field, never as the copy's prototype", () => {
    const docs = makeCollection<Record<string, unknown>>()
    docs.put("p", JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>)
    const read = Option.getOrThrow(docs.find("p"))

    expect(Object.getPrototypeOf(read)).toBe(Object.prototype)
    expect(Object.keys(read)).toEqual(["__proto__", "a"])
    expect((read as { polluted?: boolean }).polluted).toBeUndefined()
  })

  it("files a compound key unambiguously", () => {
    expect(compoundKey("a/b", "c")).not.toBe(compoundKey("a", "b/c"))
    expect(compoundKey("a", "b")).toBe(compoundKey("a", "b"))
  })
})
