/** Plain HTTP against a server process: nothing here reaches into the server's memory. */

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

export interface ErrorShape {
  readonly code: string
  readonly message: string
  readonly details?: Readonly<Record<string, unknown>>
}

/** The `{ error: { code, message, details? } }` every refusal carries. */
export const errorOf = (answer: Answer): ErrorShape => (answer.body as { error: ErrorShape }).error

/** The value of one series in the /metrics text; 0 when the series is absent. */
export const metric = async (baseUrl: string, series: string): Promise<number> => {
  const text = (await call(`${baseUrl}/metrics`)).body
  if (typeof text !== "string") throw new Error("/metrics did not answer text")
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

export const webhookSeries = (status: string, type = "checkout.session.completed") =>
  `webhook_events_total{status="${status}",type="${type}"}`
