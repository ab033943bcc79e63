import { InvalidInput } from "@settle/domain"
import type { Context } from "koa"
import { PayloadTooLarge, RequestAborted, UnsupportedMediaType } from "./rejections.js"

/**
 * Bodies are read here and nowhere else: JSON only, never more than `limit` bytes held in memory.
 * The webhook keeps the raw bytes, since Stripe signs them and a re-serialized body would not verify.
 */

const requireJson = (ctx: Context): void => {
  // `is` answers null for a request without a body: that is not JSON either.
  if (!ctx.is("application/json")) {
    throw new UnsupportedMediaType({ contentType: ctx.get("Content-Type") || "(none)" })
  }
}

/** Reads the request stream, refusing early on Content-Length and again on the bytes actually seen. */
const readLimited = (ctx: Context, limit: number): Promise<Buffer> => {
  const declared = Number(ctx.get("Content-Length") || Number.NaN)
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new PayloadTooLarge({ limit }))
  const req = ctx.req
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const cleanup = () => {
      req.off("data", onData)
      req.off("end", onEnd)
      req.off("error", onError)
      req.off("aborted", onAborted)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        // Stop buffering; the 413 closes the connection, so the rest is never read.
        req.pause()
        reject(new PayloadTooLarge({ limit }))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks, size))
    }
    const onError = () => {
      cleanup()
      reject(new RequestAborted())
    }
    const onAborted = onError
    req.on("data", onData)
    req.on("end", onEnd)
    req.on("error", onError)
    req.on("aborted", onAborted)
  })
}

/** The exact bytes of a JSON body (the Stripe webhook verifies its signature over them). */
export const readRawJson = async (ctx: Context, limit: number): Promise<Buffer> => {
  requireJson(ctx)
  return readLimited(ctx, limit)
}

/** No request body Settle takes nests anywhere near this; deeper ones only probe the parser and its error paths. */
export const MAX_JSON_DEPTH = 64

const OPEN_OBJECT = 0x7b
const OPEN_ARRAY = 0x5b
const CLOSE_OBJECT = 0x7d
const CLOSE_ARRAY = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Whether `raw` nests objects and arrays deeper than `max`, by one pass over the bytes (brackets
 * inside strings do not count). No recursion, so no input can overflow the stack here; malformed JSON
 * is left to JSON.parse.
 */
export const nestsDeeperThan = (raw: Uint8Array, max: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]
    if (inString) {
      if (byte === BACKSLASH) i++
      else if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) inString = true
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++
      if (depth > max) return true
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--
  }
  return false
}

/** A parsed JSON body, still `unknown`: the use-case decodes it with its Schema. */
export const readJson = async (ctx: Context, limit: number): Promise<unknown> => {
  const raw = await readRawJson(ctx, limit)
  if (raw.length === 0) throw new InvalidInput({ field: "body", message: "the body must be a JSON document" })
  if (nestsDeeperThan(raw, MAX_JSON_DEPTH))
    throw new InvalidInput({ field: "body", message: `the body nests deeper than ${MAX_JSON_DEPTH} levels` })
  try {
    return JSON.parse(raw.toString("utf8")) as unknown
  } catch {
    throw new InvalidInput({ field: "body", message: "the body is not valid JSON" })
  }
}
