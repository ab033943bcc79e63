import { Schema } from "effect"

/** The body of every refusal (`errors.ts`' `errorBody`): clients branch on `code`, never on `message`. */
export const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.String.annotations({ description: "SCREAMING_SNAKE, stable" }),
    message: Schema.String,
    details: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  }),
}).annotations({ identifier: "ErrorBody", description: "{ error: { code, message, details } }" })
