/**
 * Where a hold key lives: always the same bucket of its owner, so "a key holds at most once" stays a
 * condition on one document. FNV-1a (32 bits) is stable across processes and versions of Node, which
 * a key's bucket must be: the bucket count is part of the stored format and never changes for an owner.
 */
export const bucketOf = (key: string, bucketCount: number): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % bucketCount
}

/** A place capacity sits in: the owner's own document (its unallotted pool) or one of its buckets. */
export type Place = "root" | number

/** The place's name in the transfer bookkeeping (`sent.<name>`, `applied.<name>`, `transfers.to`). */
export const placeName = (place: Place): string => (place === "root" ? "root" : `b${place}`)

/** A bucket document's `_id`. */
export const bucketId = (owner: string, bucket: number): string => `${owner}#${bucket}`
