import { Option } from "effect"

/** A deep copy that keeps Dates as Dates, like a document read back from a database. */
export const copy = <A>(value: A): A => structuredClone(value)

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

/**
 * Documents keyed by their primary key. Only copies go in and come out, so neither a caller nor a
 * later write can reach a stored document through a shared reference.
 */
export interface Collection<A> {
  /** The stored document itself, for a read-check-write inside one synchronous step; never hand it out. */
  readonly peek: (key: string) => A | undefined
  readonly put: (key: string, doc: A) => void
  readonly some: (where: (doc: A) => boolean) => boolean
  readonly count: (where: (doc: A) => boolean) => number
  readonly find: (key: string) => Option.Option<A>
  readonly findFirst: (where: (doc: A) => boolean) => Option.Option<A>
  readonly select: (where: (doc: A) => boolean, sort: Sort<A>, limit?: number) => ReadonlyArray<A>
}

export const makeCollection = <A>(): Collection<A> => {
  const docs = new Map<string, A>()
  const matching = (where: (doc: A) => boolean): Array<A> => [...docs.values()].filter(where)
  return {
    peek: (key) => docs.get(key),
    put: (key, doc) => {
      docs.set(key, copy(doc))
    },
    some: (where) => matching(where).length > 0,
    count: (where) => matching(where).length,
    find: (key) => Option.map(Option.fromNullable(docs.get(key)), copy),
    findFirst: (where) => Option.map(Option.fromNullable(matching(where)[0]), copy),
    select: (where, sort, limit) => {
      const sorted = matching(where).sort(sort)
      return (limit === undefined ? sorted : sorted.slice(0, Math.max(0, limit))).map(copy)
    },
  }
}
