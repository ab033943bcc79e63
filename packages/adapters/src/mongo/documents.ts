import { StoreError } from "@settle/domain"
import { Effect, Either, ParseResult, Schema } from "effect"
import type { Document } from "mongodb"

/** A stored document: the entity with its `id` kept as Mongo's `_id`. */
export const toDocument = <A extends { readonly id: string }>(entity: A): Document => {
  const { id, ...rest } = entity
  return { _id: id, ...rest }
}

/**
 * Decode a document read from `collection` with the domain's schema; a malformed one is a StoreError
 * naming the collection and `_id`, never a crash further in.
 *
 * Every read goes through here, so it is built once per schema and runs synchronously (the domain's
 * schemas have no asynchronous parts): no fiber per document. `_id` is left in the input, which the
 * struct's decoding drops as an excess property, so the document is copied once, not twice.
 */
export const fromDocument = <A, I>(
  schema: Schema.Schema<A, I>,
  collection: string,
  idField: "id" | null = "id",
) => {
  const parse = Schema.decodeUnknownEither(schema)
  return (doc: Document): Effect.Effect<A, StoreError> => {
    const decoded = parse(idField === null ? doc : { ...doc, [idField]: doc._id })
    return Either.isRight(decoded)
      ? Effect.succeed(decoded.right)
      : Effect.fail(
          new StoreError({
            message: `[db] malformed document in ${collection} _id=${String(doc._id)}: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}`,
            // A retry reads the same document: only a repair cures it.
            kind: "refused",
          }),
        )
  }
}
