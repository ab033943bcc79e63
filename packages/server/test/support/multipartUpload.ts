import { type IncomingHttpHeaders, request } from "node:http"

/** Multipart bodies written by hand, for what FormData cannot do: send slowly, stream without a length. */

export const BOUNDARY = "settle-test-boundary-7MA4YWxkTrZu0gW"

export const PNG_MAGIC = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex")

/** The part header of the file part, as a browser writes it. */
export const filePartHead = (name = "file", filename = "big.png", type = "image/png") =>
  Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
  )

const TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`)

export interface SlowUpload {
  /** Bytes of the file to send, PNG-signed, after the part header. */
  readonly fileBytes: number
  readonly headers?: Record<string, string>
  /** Without Content-Length, as a proxy or a streaming client sends it. */
  readonly chunked?: boolean
  readonly chunkBytes?: number
  readonly delayMs?: number
}

export interface SlowAnswer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: { readonly error?: { readonly code: string; readonly details: Record<string, unknown> } }
  /** How much of the file the client had written when the answer arrived. */
  readonly fileBytesSent: number
}

/**
 * Sends the file a chunk at a time, pausing between chunks, and stops as soon as an answer arrives:
 * `fileBytesSent < fileBytes` proves the server answered before the upload was complete.
 */
export const slowUpload = (url: string, upload: SlowUpload): Promise<SlowAnswer> =>
  new Promise((resolve, reject) => {
    const head = filePartHead()
    // Small chunks, each taken by the socket at once: a write still queued when the server closes the
    // connection after its refusal would fail (EPIPE) before the answer is read.
    const { fileBytes, chunkBytes = 8 * 1024, delayMs = 20 } = upload
    const length = head.length + fileBytes + TAIL.length
    const req = request(url, {
      method: "POST",
      headers: {
        "Content-Type": `multipart/form-data; boundary=${BOUNDARY}`,
        ...(upload.chunked === true ? {} : { "Content-Length": String(length) }),
        ...upload.headers,
      },
    })
    let sent = 0
    let answered = false
    req.on("response", (res) => {
      answered = true
      const at = sent
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
          fileBytesSent: at,
        }),
      )
    })
    // The server closes the connection after refusing: writes still under way then fail, as expected.
    req.on("error", (error) => {
      if (!answered) reject(error)
    })
    const pump = () => {
      if (answered || req.destroyed) return
      if (sent >= fileBytes) {
        req.end(TAIL)
        return
      }
      const size = Math.min(chunkBytes, fileBytes - sent)
      const chunk = Buffer.alloc(size, 0x2a)
      if (sent === 0) PNG_MAGIC.copy(chunk)
      req.write(chunk)
      sent += size
      setTimeout(pump, delayMs)
    }
    req.write(head)
    pump()
  })
