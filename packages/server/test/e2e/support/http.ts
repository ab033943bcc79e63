/** Plain HTTP against a server process: nothing here reaches into the server's memory. */

import { type Answer, call } from "../../support/http.js"

export { type Answer, call, postJson } from "../../support/http.js"

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
