import { Effect, ParseResult, Schema } from "effect"
import { InvalidInput } from "../errors.js"

/** How much of the input a message may quote: a 200 KB name must not come back whole. */
export const MAX_QUOTED_CHARS = 200

/** `text` cut to MAX_QUOTED_CHARS characters, an ellipsis saying it was cut. */
export const capQuoted = (text: string, max: number = MAX_QUOTED_CHARS): string =>
  text.length <= max ? text : `${text.slice(0, max)}…`

/** What a 400 says when the input cannot even be described (nested beyond what formatting can walk). */
const unreadable = new InvalidInput({ field: "(root)", message: "the input could not be read" })

const firstIssue = (error: ParseResult.ParseError): InvalidInput => {
  const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
  return new InvalidInput({
    field: capQuoted(first === undefined || first.path.length === 0 ? "(root)" : first.path.join(".")),
    message: capQuoted(first?.message ?? "invalid input"),
  })
}

/**
 * Decode untrusted input; the first failing path becomes the error's `field`, so a 400 can name it.
 * Messages quote at most MAX_QUOTED_CHARS of the input, and input so deep that decoding or describing
 * it overflows the stack is still a 400, never a defect.
 */
export const decodeInput =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (input: unknown): Effect.Effect<A, InvalidInput> =>
    Schema.decodeUnknown(schema, { onExcessProperty: "error" })(input).pipe(
      Effect.catchAllDefect(() => Effect.fail(unreadable)),
      Effect.mapError((error) => {
        if (error instanceof InvalidInput) return error
        try {
          return firstIssue(error)
        } catch {
          return unreadable
        }
      }),
    )
