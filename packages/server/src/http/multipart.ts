import type { IncomingMessage } from "node:http"
import type { Readable } from "node:stream"
import { InvalidInput, MediaTooLarge } from "@settle/domain"
import busboy from "busboy"
import { Effect, Stream } from "effect"
import { RequestAborted } from "./rejections.js"

/**
 * Multipart uploads, streamed: the file part is handed on as it arrives, never buffered whole. The
 * stream ends only after the rest of the body has been read and found to hold nothing else, so a
 * second file or a stray field fails the upload before the provider has a complete file to keep.
 */

/** Room for the multipart envelope around the file: the boundaries and the part's headers. */
const ENVELOPE_BYTES = 16 * 1024

export type MultipartRejection = InvalidInput | RequestAborted

export interface ReceivedFile {
  readonly filename: string
  /** The part's declared Content-Type. */
  readonly contentType: string
  readonly content: Stream.Stream<Uint8Array, MultipartRejection>
  /** Stop reading the request; the answer then closes the connection instead of draining the rest. */
  readonly release: () => void
}

export interface FileOptions {
  /** The one part that may carry the file. */
  readonly field: string
  readonly maxBytes: number
}

const rejectionOf = (error: unknown): MultipartRejection =>
  error instanceof RequestAborted
    ? error
    : new InvalidInput({
        field: "body",
        message: `malformed multipart body: ${error instanceof Error ? error.message : String(error)}`,
      })

/**
 * Resolves as soon as the file part starts; rejects with InvalidInput naming the field (not multipart,
 * no file, another part first), MediaTooLarge when Content-Length alone is over the limit, or
 * RequestAborted. Once resolved, the caller must `release` when done.
 */
export const receiveFile = (req: IncomingMessage, options: FileOptions): Promise<ReceivedFile> =>
  new Promise((resolve, reject) => {
    const { field, maxBytes } = options
    if (!/^multipart\/form-data\s*;/i.test(req.headers["content-type"] ?? "")) {
      const message = `the upload must be multipart/form-data with the image in a part named "${field}"`
      return reject(new InvalidInput({ field: "body", message }))
    }
    const declared = Number(req.headers["content-length"] ?? Number.NaN)
    if (Number.isFinite(declared) && declared > maxBytes + ENVELOPE_BYTES) {
      return reject(new MediaTooLarge({ field, limit: maxBytes }))
    }
    let parser: busboy.Busboy
    try {
      parser = busboy({
        headers: req.headers,
        // Enough to see and name what does not belong; the file's size is the use-case's to count.
        limits: { files: 1, fields: 4, parts: 5, fieldSize: 1024, headerPairs: 16 },
      })
    } catch (error) {
      return reject(rejectionOf(error))
    }

    let started = false
    let problem: MultipartRejection | null = null
    let settle: (problem: MultipartRejection | null) => void = () => undefined
    const finished = new Promise<MultipartRejection | null>((done) => {
      settle = done
    })
    const release = () => {
      req.unpipe(parser)
      parser.destroy()
    }
    const refuse = (rejection: MultipartRejection) => {
      problem ??= rejection
      // Before the file there is nothing to stream: answer now. After it, the file's stream fails.
      if (!started) {
        release()
        reject(problem)
      }
    }
    const abort = () => {
      if (!req.complete) parser.destroy(new RequestAborted())
    }

    parser.on("file", (name: string, stream: Readable, info: busboy.FileInfo) => {
      // Errors reach the consumer through the iterator; once it has stopped reading (a refused upload),
      // the parser's teardown still destroys the stream with one, and nobody is left to hear it.
      stream.on("error", () => undefined)
      if (name !== field) {
        stream.resume()
        return refuse(
          new InvalidInput({
            field: name,
            message: `unexpected file part "${name}"; send the image as "${field}"`,
          }),
        )
      }
      started = true
      const rest = Effect.flatMap(
        Effect.promise(() => finished),
        (after) => (after === null ? Effect.void : Effect.fail(after)),
      )
      resolve({
        filename: info.filename ?? "",
        contentType: info.mimeType,
        content: Stream.concat(
          Stream.fromAsyncIterable(stream as AsyncIterable<Uint8Array>, rejectionOf),
          Stream.execute(rest),
        ),
        release,
      })
    })
    parser.on("field", (name: string) =>
      refuse(
        new InvalidInput({
          field: name,
          message:
            name === field
              ? `"${field}" must be a file part, with a filename`
              : `unexpected field "${name}"; send only the image, as "${field}"`,
        }),
      ),
    )
    parser.on("filesLimit", () => refuse(new InvalidInput({ field, message: "send exactly one file" })))
    const tooManyParts = () =>
      refuse(new InvalidInput({ field: "body", message: `send only one part, the image as "${field}"` }))
    parser.on("fieldsLimit", tooManyParts)
    parser.on("partsLimit", tooManyParts)
    parser.on("error", (error: unknown) => refuse(rejectionOf(error)))
    parser.on("close", () => {
      if (!started && problem === null) {
        refuse(new InvalidInput({ field, message: `no file: send the image as a part named "${field}"` }))
      }
      settle(problem)
    })
    req.on("error", abort)
    req.on("close", abort)
    req.pipe(parser)
  })
