import { Effect, ParseResult, Schema } from "effect"
import { InvalidInput } from "../errors.js"

/** Decode untrusted input; the first failing path becomes the error's `field`, so a 400 can name it. */
export const decodeInput =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (input: unknown): Effect.Effect<A, InvalidInput> =>
    Schema.decodeUnknown(schema, { onExcessProperty: "error" })(input).pipe(
      Effect.mapError((error) => {
        const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
        return new InvalidInput({
          field: first === undefined || first.path.length === 0 ? "(root)" : first.path.join("."),
          message: first?.message ?? "invalid input",
        })
      }),
    )
