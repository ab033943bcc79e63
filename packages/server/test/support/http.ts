/** Plain HTTP against a server, in-process or a separate process: nothing here reaches into its memory. */

import { checkAnswer } from "../contract/responseCheck.js"

export interface Answer {
  readonly status: number
  readonly headers: Headers
  /** The JSON body, or the text when it is not JSON. */
  readonly body: unknown
}

/** The answer as received, not checked against the OpenAPI document. */
export const callUnchecked = async (url: string, init: RequestInit = {}): Promise<Answer> => {
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

/**
 * The answer, after checking it against the OpenAPI document: a status its operation does not list,
 * or a body that breaks the documented schema, fails the test here.
 */
export const call = async (url: string, init: RequestInit = {}): Promise<Answer> => {
  const answer = await callUnchecked(url, init)
  checkAnswer(init.method ?? "GET", url, answer)
  return answer
}

/** POSTs `body` as JSON; a string is sent as is (raw webhook payloads, broken JSON). */
export const postJson = (url: string, body: unknown, headers: Readonly<Record<string, string>> = {}) =>
  call(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })
