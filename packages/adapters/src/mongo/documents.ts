import { StoreError } from "@settle/domain"
import { Effect, ParseResult, Schema } from "effect"
import type { Document } from "mongodb"

/** A stored document: the entity with its `id` kept as Mongo's `_id`. */
export const toDocument = <A extends { readonly id: string }>(entity: A): Document => {
  const { id, ...rest } = entity
  return { _id: id, ...rest }
}

/**
 * Decode a document read from `collection` with the domain's schema; a malformed one is a StoreError
 * naming the collection and `_id`, never a crash further in.
 */
export const fromDocument =
  <A, I>(schema: Schema.Schema<A, I>, collection: string, idField: "id" | null = "id") =>
  (doc: Document): Effect.Effect<A, StoreError> => {
    const { _id, ...rest } = doc
    const input = idField === null ? rest : { ...rest, [idField]: _id }
    return Schema.decodeUnknown(schema)(input).pipe(
      Effect.mapError(
        (error) =>
          new StoreError({
            message: `[db] malformed document in ${collection} _id=${String(_id)}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
            // A retry reads the same document: only a repair cures it.
            kind: "refused",
          }),
      ),
    )
  }
