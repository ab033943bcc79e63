import type { Hold } from "@settle/domain"

/**
 * The holds of each counter document (a product's stock, a coupon), kept beside the document rather
 * than inside it: one Map per document, keyed by hold key, so taking, finding and dropping a hold
 * cost the same at ten open checkouts as at a hundred thousand (issue 13), and rewriting the
 * document's counters never copies its holds. A Map iterates in insertion order, which is hold order.
 * The adapter changes a document and its holds in the same synchronous step, so together they are one
 * atomic write, as the holds array inside a Mongo document is.
 */
export interface HoldBook {
  /** The hold of `key` on document `id`, as stored: read it, never hand it out. */
  readonly peek: (id: string, key: string) => Hold | undefined
  readonly add: (id: string, hold: Hold) => void
  readonly remove: (id: string, key: string) => void
  /** Copies of the holds of document `id`, in hold order. */
  readonly list: (id: string) => Array<Hold>
  /** Units held on document `id`: the repair job's recount. */
  readonly units: (id: string) => number
}

/** A hold nothing outside the book can reach: its own Date, whatever the caller does with theirs. */
const own = (hold: Hold): Hold => ({
  key: hold.key,
  orderId: hold.orderId,
  quantity: hold.quantity,
  at: new Date(hold.at.getTime()),
})

export const makeHoldBook = (): HoldBook => {
  const byDocument = new Map<string, Map<string, Hold>>()
  return {
    peek: (id, key) => byDocument.get(id)?.get(key),
    add: (id, hold) => {
      const holds = byDocument.get(id)
      if (holds === undefined) byDocument.set(id, new Map([[hold.key, own(hold)]]))
      else holds.set(hold.key, own(hold))
    },
    remove: (id, key) => {
      const holds = byDocument.get(id)
      holds?.delete(key)
      if (holds?.size === 0) byDocument.delete(id)
    },
    list: (id) => Array.from(byDocument.get(id)?.values() ?? [], own),
    units: (id) => {
      let units = 0
      for (const hold of byDocument.get(id)?.values() ?? []) units += hold.quantity
      return units
    },
  }
}
