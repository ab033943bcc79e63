import { Stream } from "effect"

/** A real 1×1 PNG: the loopback Cloudinary inspects what it stores, as Cloudinary does. */
export const PNG = Uint8Array.from(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  ),
)

/** `size` bytes that start like a PNG: enough for a provider that only reads the signature. */
export const pngOfSize = (size: number): Uint8Array => {
  const bytes = new Uint8Array(size).fill(0x2a)
  bytes.set(PNG.subarray(0, Math.min(size, 16)))
  return bytes
}

/** `bytes` in `size`-byte chunks, as a multipart parser streams a file. */
export const chunked = (bytes: Uint8Array, size = 64 * 1024) =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
      bytes.subarray(i * size, (i + 1) * size),
    ),
  )
