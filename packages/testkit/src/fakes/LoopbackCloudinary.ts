import { createHash, randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * Cloudinary's upload API on 127.0.0.1, for the adapter and server tests: the real SDK talks to it
 * through `upload_prefix`, it checks signed uploads exactly as Cloudinary documents them, and it
 * answers in Cloudinary's shapes, including runbook scenario 7's "Invalid Signature … String to sign".
 */

export interface CloudinaryAccount {
  readonly cloudName: string
  readonly apiKey: string
  readonly apiSecret: string
}

/** Healthy; `unreachable` resets every connection; `hang` reads the upload and never answers. */
export type LoopbackMode = "healthy" | "unreachable" | "hang"

export interface LoopbackUpload {
  readonly publicId: string
  readonly folder: string | null
  readonly bytes: number
  readonly format: string
  readonly originalFilename: string
}

export interface LoopbackCloudinary {
  /** The SDK's `upload_prefix`: `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly account: CloudinaryAccount
  /** Upload requests that reached the API, whatever their answer. */
  readonly requests: () => number
  /** Upload requests whose body is still arriving (an aborted one stops counting when its socket closes). */
  readonly receiving: () => number
  /** What was stored, in order. */
  readonly uploads: () => ReadonlyArray<LoopbackUpload>
  readonly setMode: (mode: LoopbackMode) => void
  readonly close: () => Promise<void>
}

/** Shaped like a real account: a numeric key, a 27-character secret. */
export const ACCOUNT: CloudinaryAccount = {
  cloudName: "settle-loopback",
  apiKey: "614839271958243",
  apiSecret: "Xk3vQ9pLm2ZrT7wYb4NcHs8dJfA",
}

/** Never signed: the file itself, and what names the endpoint or the key rather than the upload. */
const UNSIGNED = new Set(["file", "cloud_name", "resource_type", "api_key", "signature"])

/**
 * Cloudinary's documented string to sign: every other parameter, sorted by name, as `name=value`
 * joined with `&`. The signature is the hex SHA-1 of this string followed by the API secret.
 */
export const stringToSign = (params: ReadonlyMap<string, string>): string =>
  [...params]
    .filter(([name, value]) => !UNSIGNED.has(name) && value !== "")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&")

export const signatureOf = (params: ReadonlyMap<string, string>, apiSecret: string): string =>
  createHash("sha1")
    .update(stringToSign(params) + apiSecret)
    .digest("hex")

const FORMATS: ReadonlyArray<{ readonly format: string; readonly test: (b: Buffer) => boolean }> = [
  { format: "jpg", test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { format: "png", test: (b) => b.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex")) },
  { format: "gif", test: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString("latin1")) },
  {
    format: "webp",
    test: (b) =>
      b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP",
  },
]

class Refusal {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

const answer = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" })
  res.end(JSON.stringify(body))
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The multipart form as Cloudinary reads it: text fields, and the file part's bytes and name. */
const parseForm = async (req: IncomingMessage, body: Buffer) => {
  const type = req.headers["content-type"] ?? ""
  const form = await new Response(body, { headers: { "Content-Type": type } }).formData().catch(() => {
    throw new Refusal(400, "Invalid multipart request")
  })
  const params = new Map<string, string>()
  let file: { readonly bytes: Buffer; readonly name: string } | null = null
  for (const [name, value] of form) {
    if (typeof value === "string") params.set(name, value)
    else if (name === "file") file = { bytes: Buffer.from(await value.arrayBuffer()), name: value.name }
  }
  return { params, file }
}

export const start = async (account: CloudinaryAccount = ACCOUNT): Promise<LoopbackCloudinary> => {
  let mode: LoopbackMode = "healthy"
  let requests = 0
  let receiving = 0
  const uploads: Array<LoopbackUpload> = []

  const upload = async (req: IncomingMessage, cloud: string) => {
    const body = await readBody(req)
    if (cloud !== account.cloudName) throw new Refusal(401, `Invalid cloud_name ${cloud}`)
    const { params, file } = await parseForm(req, body)
    const apiKey = params.get("api_key")
    if (apiKey === undefined) throw new Refusal(401, "Must supply api_key")
    if (apiKey !== account.apiKey) throw new Refusal(401, `Unknown API key ${apiKey}`)
    const expected = signatureOf(params, account.apiSecret)
    if (params.get("signature") !== expected) {
      const given = params.get("signature") ?? ""
      throw new Refusal(401, `Invalid Signature ${given}. String to sign - '${stringToSign(params)}'.`)
    }
    if (file === null) throw new Refusal(400, "Missing required parameter - file")
    const format = FORMATS.find((candidate) => candidate.test(file.bytes))?.format
    if (format === undefined) throw new Refusal(400, "Invalid image file")
    const folder = params.get("folder") ?? null
    const id = randomBytes(10).toString("hex")
    const publicId = folder === null ? id : `${folder}/${id}`
    const version = Math.floor(Date.now() / 1000)
    const path = `${account.cloudName}/image/upload/v${version}/${publicId}.${format}`
    const originalFilename = file.name.replace(/\.[^.]*$/, "")
    uploads.push({ publicId, folder, bytes: file.bytes.length, format, originalFilename })
    return {
      asset_id: randomBytes(16).toString("hex"),
      public_id: publicId,
      version,
      version_id: randomBytes(16).toString("hex"),
      signature: createHash("sha1")
        .update(`public_id=${publicId}&version=${version}${account.apiSecret}`)
        .digest("hex"),
      format,
      resource_type: "image",
      created_at: new Date(version * 1000).toISOString(),
      tags: [],
      bytes: file.bytes.length,
      type: "upload",
      etag: createHash("md5").update(file.bytes).digest("hex"),
      placeholder: false,
      url: `http://res.cloudinary.com/${path}`,
      secure_url: `https://res.cloudinary.com/${path}`,
      asset_folder: folder ?? "",
      display_name: id,
      original_filename: originalFilename,
      api_key: account.apiKey,
    }
  }

  const server = createServer((req, res) => {
    const route = /^\/v1_1\/([^/]+)\/image\/upload$/.exec(req.url ?? "")
    if (req.method !== "POST" || route === null) {
      req.resume()
      return answer(res, 404, { error: { message: "Resource not found" } })
    }
    requests += 1
    receiving += 1
    req.once("close", () => {
      receiving -= 1
    })
    if (mode === "hang") {
      req.resume()
      return
    }
    upload(req, decodeURIComponent(route[1] ?? "")).then(
      (result) => answer(res, 200, result),
      (error: unknown) =>
        error instanceof Refusal
          ? answer(res, error.status, { error: { message: error.message } })
          : answer(res, 500, { error: { message: `General Error: ${String(error)}` } }),
    )
  })
  server.on("connection", (socket) => {
    if (mode === "unreachable") socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    account,
    requests: () => requests,
    receiving: () => receiving,
    uploads: () => [...uploads],
    setMode: (next) => {
      mode = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests would keep the server open forever.
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
