import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import { FakeSkytells } from "../src/index.js"

export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly body: any
}

export interface CallOptions {
  readonly body?: unknown
  /** Sent as is, with `contentType` (default none). */
  readonly raw?: string
  readonly contentType?: string
  /** `null`: no key at all. Default: the fake's key. */
  readonly key?: string | null
  readonly headers?: Record<string, string>
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** One request to the fake through the plain `HttpClient`, answered in full. */
export const call = (method: "GET" | "POST" | "DELETE", path: string, options: CallOptions = {}) =>
  Effect.gen(function*() {
    const fake = yield* FakeSkytells.FakeSkytells
    const client = yield* HttpClient.HttpClient
    let request = HttpClientRequest.make(method)(path.startsWith("http") ? path : `${fake.baseUrl}${path}`)
    const key = options.key === undefined ? fake.apiKey : options.key
    if (key !== null) request = HttpClientRequest.setHeader(request, "x-api-key", key)
    if (options.headers) request = HttpClientRequest.setHeaders(request, options.headers)
    if (options.raw !== undefined) {
      request = HttpClientRequest.bodyText(request, options.raw, options.contentType ?? "text/plain")
    } else if (options.body !== undefined) {
      request = HttpClientRequest.bodyUnsafeJson(request, options.body)
    }
    const response = yield* client.execute(request)
    const text = yield* response.text
    return { status: response.status, headers: response.headers, text, body: parse(text) } as Reply
  }).pipe(Effect.scoped)

export const create = (input: Record<string, unknown>, extra: Record<string, unknown> = {}, model = "truefusion") =>
  call("POST", "/predictions", { body: { model, input, ...extra } })
