import type { Schema } from "effect"

/**
 * A reader of a struct schema's fields from a stored document, the rest left behind: the schema names
 * what a read carries, as it names the Mongo adapters' projections (mongo/listingReads.ts), so a field
 * added to it reaches both stores.
 */
export const fieldsOf = <F extends Schema.Struct.Fields>(schema: { readonly fields: F }) => {
  const names = Object.keys(schema.fields)
  return (doc: Schema.Struct.Type<F>): Schema.Struct.Type<F> => {
    const stored = doc as Readonly<Record<string, unknown>>
    const read: Record<string, unknown> = {}
    for (const name of names) read[name] = stored[name]
    return read as Schema.Struct.Type<F>
  }
}
