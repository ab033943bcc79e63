/** Plain HTTP against a server, in-process or a separate process: nothing here reaches into its memory. */

export interface Answer {
  readonly status: number
  readonly headers: Headers
  /** The JSON body, or the text when it is not JSON. */
  readonly body: unknown
}

export const call = async (url: string, init: RequestInit = {}): Promise<Answer> => {
  const response = await fetch(url, init)
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body }
}

/** POSTs `body` as JSON; a string is sent as is (raw webhook payloads, broken JSON). */
export const postJson = (url: string, body: unknown, headers: Readonly<Record<string, string>> = {}) =>
  call(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })
