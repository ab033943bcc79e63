import { Option } from "effect"
import { copy, keep } from "./documents.js"
import { makeSortedList } from "./SortedList.js"

export { copy } from "./documents.js"

export type Sort<A> = (a: A, b: A) => number

export const oldestFirst =
  <A>(instant: (doc: A) => Date): Sort<A> =>
  (a, b) =>
    instant(a).getTime() - instant(b).getTime()

export const newestFirst =
  <A>(instant: (doc: A) => Date): Sort<A> =>
  (a, b) =>
    instant(b).getTime() - instant(a).getTime()

export const byText =
  <A>(text: (doc: A) => string): Sort<A> =>
  (a, b) =>
    text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0

/** Where an index files a document; null or undefined leaves it out, like a sparse or partial index. */
export type IndexKey = string | null | undefined

/** One index key from several fields, unambiguous whatever characters the fields hold. */
export const compoundKey = (...parts: ReadonlyArray<string>): string => JSON.stringify(parts)

export interface CollectionOptions<A, I extends string> {
  /** Secondary indexes by name: each files a document under the key it returns. */
  readonly indexes?: { readonly [K in I]: (doc: A) => IndexKey }
  /** The order `walk` reads in, kept on every put (ties by first insertion); insertion order without it. */
  readonly order?: Sort<A>
}

/** A slice of the collection's order, found by binary search instead of read from the start. */
export interface Range<A> {
  /** False before the slice and true from its first document on, in the collection's order. */
  readonly from?: ((doc: A) => boolean) | undefined
  /** False inside the slice and true from the first document past its end. */
  readonly past?: ((doc: A) => boolean) | undefined
}

/**
 * Documents keyed by their primary key, with secondary indexes kept in the same synchronous step as
 * each write, so a read never sees an index that disagrees with the documents (as in MongoDB). Only
 * copies go in and come out (a write shares what it kept of the stored version, which nothing changes
 * in place: `keep`): neither a caller nor a later write can reach a stored document.
 * Reads by index return what a scan would, in the same order: ties of a sort fall to first insertion.
 */
export interface Collection<A, I extends string> {
  /** The stored document itself, for a read-check-write inside one synchronous step; never hand it out. */
  readonly peek: (key: string) => A | undefined
  readonly put: (key: string, doc: A) => void
  readonly size: () => number
  readonly find: (key: string) => Option.Option<A>
  /** Whether a document filed under `value` in `index` passes `where`. */
  readonly some: (index: I, value: string, where?: (doc: A) => boolean) => boolean
  /** How many documents filed under any of `values` pass `where`; without it the index alone answers. */
  readonly count: (index: I, values: ReadonlyArray<string>, where?: (doc: A) => boolean) => number
  /** The first inserted of the documents filed under `value` that pass `where`. */
  readonly findFirst: (index: I, value: string, where?: (doc: A) => boolean) => Option.Option<A>
  /** The documents filed under any of `values` that pass `where`, sorted, up to `limit`. */
  readonly select: (
    index: I,
    values: ReadonlyArray<string>,
    where: ((doc: A) => boolean) | undefined,
    sort: Sort<A>,
    limit?: number,
  ) => ReadonlyArray<A>
  /** The documents of `range` that pass `where`, in the collection's order; stops at `limit`. */
  readonly walk: (where?: (doc: A) => boolean, limit?: number, range?: Range<A>) => ReadonlyArray<A>
}

interface Entry<A> {
  /** First insertion, which breaks ties of every sort, as a stable sort over a scan would. */
  readonly seq: number
  doc: A
}

/**
 * What an index files under one key: the entry itself while it is the only one (most keys are unique:
 * a session, a payment intent, a ledger entry's external id), a Set once there are more. A Set per
 * unique key was an allocation on every insert and most of an index's memory.
 */
type Filed<A> = Entry<A> | Set<Entry<A>>

const NONE: ReadonlyArray<never> = []

const entriesOf = <A>(filed: Filed<A> | undefined): Iterable<Entry<A>> =>
  filed === undefined ? NONE : filed instanceof Set ? filed : [filed]

/** As Array.prototype.slice reads its end: fractions truncated, negative or NaN is nothing. */
const maxOf = (limit: number | undefined): number =>
  limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.trunc(limit) || 0)

export const makeCollection = <A, I extends string = never>(
  options: CollectionOptions<A, I> = {},
): Collection<A, I> => {
  const docs = new Map<string, Entry<A>>()
  const order = options.order ?? (() => 0)
  const before = (a: Entry<A>, b: Entry<A>): number => order(a.doc, b.doc) || a.seq - b.seq
  // Every entry, in `order`: what listings walk, so they stop at their limit instead of sorting all.
  const ordered = makeSortedList(before)
  // With no indexes declared, I is never and the empty object is exactly the record of them.
  const keyFns = options.indexes ?? ({} as { readonly [K in I]: (doc: A) => IndexKey })
  const names = Object.keys(keyFns) as Array<I>
  const filedBy = {} as Record<I, Map<string, Filed<A>>>
  for (const name of names) filedBy[name] = new Map()
  let inserted = 0

  const file = (filed: Map<string, Filed<A>>, value: IndexKey, entry: Entry<A>) => {
    if (value === null || value === undefined) return
    const entries = filed.get(value)
    if (entries === undefined) filed.set(value, entry)
    else if (entries instanceof Set) entries.add(entry)
    else if (entries !== entry) filed.set(value, new Set([entries, entry]))
  }

  const unfile = (filed: Map<string, Filed<A>>, value: IndexKey, entry: Entry<A>) => {
    if (value === null || value === undefined) return
    const entries = filed.get(value)
    if (entries instanceof Set) {
      entries.delete(entry)
      if (entries.size === 0) filed.delete(value)
    } else if (entries === entry) filed.delete(value)
  }

  const filedUnder = (index: I, values: ReadonlyArray<string>): Array<Entry<A>> => {
    const filed = filedBy[index]
    if (values.length === 1) return [...entriesOf(filed.get(values[0] as string))]
    // A document filed under two of the values (never, for one key per document) still counts once.
    const unique = new Set<Entry<A>>()
    for (const value of new Set(values)) for (const entry of entriesOf(filed.get(value))) unique.add(entry)
    return [...unique]
  }

  const matching = (index: I, values: ReadonlyArray<string>, where?: (doc: A) => boolean) => {
    const entries = filedUnder(index, values)
    return where === undefined ? entries : entries.filter((entry) => where(entry.doc))
  }

  return {
    peek: (key) => docs.get(key)?.doc,
    put: (key, doc) => {
      const next = keep(doc)
      const entry = docs.get(key)
      if (entry === undefined) {
        inserted += 1
        const created: Entry<A> = { seq: inserted, doc: next }
        docs.set(key, created)
        ordered.insert(created)
        for (const name of names) file(filedBy[name], keyFns[name](next), created)
        return
      }
      const previous = entry.doc
      for (const name of names) {
        const was = keyFns[name](previous)
        const is = keyFns[name](next)
        if (was === is) continue
        unfile(filedBy[name], was, entry)
        file(filedBy[name], is, entry)
      }
      if (order(previous, next) === 0) {
        entry.doc = next
        return
      }
      // Removed while it still holds the old document, the order it was placed by; then placed anew.
      ordered.remove(entry)
      entry.doc = next
      ordered.insert(entry)
    },
    size: () => docs.size,
    find: (key) => Option.map(Option.fromNullable(docs.get(key)?.doc), copy),
    some: (index, value, where) => {
      const filed = filedBy[index].get(value)
      // The common answer, a unique key, without an iterator.
      if (filed !== undefined && !(filed instanceof Set)) return where === undefined || where(filed.doc)
      for (const entry of entriesOf(filed)) if (where === undefined || where(entry.doc)) return true
      return false
    },
    count: (index, values, where) => {
      if (where !== undefined || values.length !== 1) return matching(index, values, where).length
      const filed = filedBy[index].get(values[0] as string)
      return filed === undefined ? 0 : filed instanceof Set ? filed.size : 1
    },
    findFirst: (index, value, where) => {
      const first = matching(index, [value], where).reduce<Entry<A> | undefined>(
        (earliest, entry) => (earliest === undefined || entry.seq < earliest.seq ? entry : earliest),
        undefined,
      )
      return Option.map(Option.fromNullable(first?.doc), copy)
    },
    select: (index, values, where, sort, limit) =>
      matching(index, values, where)
        .sort((a, b) => sort(a.doc, b.doc) || a.seq - b.seq)
        .slice(0, maxOf(limit))
        .map((entry) => copy(entry.doc)),
    walk: (where, limit, range) => {
      const max = maxOf(limit)
      const { from, past } = range ?? {}
      const found: Array<A> = []
      if (max === 0) return found
      const entries = ordered.range(
        from === undefined ? undefined : (entry) => from(entry.doc),
        past === undefined ? undefined : (entry) => past(entry.doc),
      )
      for (const { doc } of entries) {
        if (where !== undefined && !where(doc)) continue
        found.push(copy(doc))
        if (found.length >= max) break
      }
      return found
    },
  }
}
