/**
 * Copies of stored documents, which are plain data (objects, arrays, Dates) like what a driver reads
 * back: what structuredClone gives, written out, which is several times faster for them; anything
 * else (a Map, a typed array) still goes through structuredClone.
 */

/**
 * The prototype of every plain object a collection holds, at any depth: how `keep` tells what is
 * already stored from what a caller brought in, without a lookup. It adds nothing to Object's, and
 * reads copy into plain objects, so no caller ever sees it.
 */
const STORED: object = Object.create(Object.prototype)

const isPlain = (prototype: unknown) =>
  prototype === Object.prototype || prototype === null || prototype === STORED

const copyFields = (
  value: object,
  fields: Record<string, unknown>,
  copyField: (field: unknown) => unknown,
): Record<string, unknown> => {
  for (const key in value) {
    const field = copyField((value as Record<string, unknown>)[key])
    // Assigned, an own `__proto__` (JSON.parse makes one) would set the copy's prototype instead.
    if (key === "__proto__")
      Object.defineProperty(fields, key, {
        value: field,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    else fields[key] = field
  }
  return fields
}

/** A plain array whatever `items` is (an Array subclass would make `map` build another of its kind). */
const copyItems = (items: ReadonlyArray<unknown>, copyItem: (item: unknown) => unknown): Array<unknown> => {
  const copied = new Array<unknown>(items.length)
  for (let i = 0; i < items.length; i++) copied[i] = copyItem(items[i])
  return copied
}

const copyValue = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) return copyItems(value, copyValue)
  if (value instanceof Date) return new Date(value.getTime())
  if (!isPlain(Object.getPrototypeOf(value))) return structuredClone(value)
  return copyFields(value, {}, copyValue)
}

const keepValue = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  // Arrays and Dates carry no mark: a new array of kept items, a new Date of the same time.
  if (Array.isArray(value)) return copyItems(value, keepValue)
  if (value instanceof Date) return new Date(value.getTime())
  const prototype = Object.getPrototypeOf(value)
  if (prototype === STORED) return value
  if (!isPlain(prototype)) return structuredClone(value)
  return copyFields(value, Object.create(STORED) as Record<string, unknown>, keepValue)
}

/** A deep copy that keeps Dates as Dates, like a document read back from a database. */
export const copy = <A>(value: A): A => copyValue(value) as A

/**
 * The document to store for `value`: a deep copy, except that the objects of it already stored (an
 * update built from a `peek` by spreading keeps most of the previous version) are shared, not copied.
 * Sharing them is safe because no stored object is ever changed in place or handed out: reads get a
 * `copy`, and what a caller passed in is never stored itself, so neither can reach what the store holds.
 */
export const keep = <A>(value: A): A => keepValue(value) as A
