/**
 * The request as it goes on the wire: URL under the base URL only, query, JSON body, and headers
 * (the key, the user agent, `accept`, and the fiber's extra headers, checked for HTTP validity).
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Redacted from "effect/Redacted"
import type { Request } from "../SkytellsClient.js"
import * as SkytellsError from "../SkytellsError.js"
import type * as Exchange from "./exchange.js"
import * as Paths from "./paths.js"

const USER_AGENT = "effect-skytells/0.1.0"

/**
 * Extra headers for the requests of the current fiber (`SkytellsClient.withHeaders`).
 *
 * @internal
 */
export const currentHeaders: FiberRef.FiberRef<Readonly<Record<string, string>> | undefined> = globalValue(
  "@effect-skytells/client/currentHeaders",
  () => FiberRef.unsafeMake<Readonly<Record<string, string>> | undefined>(undefined)
)

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Tab, visible ASCII and obs-text: what HTTP allows in a field value (no line breaks, no NUL).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/** The name of the first header that cannot go on the wire (its value is never quoted). */
const invalidHeader = (headers: Readonly<Record<string, string>>): string | undefined => {
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) return JSON.stringify(name.slice(0, 60))
    if (typeof value !== "string" || !FIELD_VALUE.test(value)) return name
  }
  return undefined
}

/** @internal */
export interface Context {
  readonly base: URL
  readonly baseUrl: string
  readonly basePath: string
  readonly apiKey: Redacted.Redacted<string>
  readonly apiUrl: (url: string) => string | undefined
  readonly headers: Readonly<Record<string, string>> | undefined
}

/**
 * The function that builds a call's outgoing request, or refuses it (a URL off the API's origin, a
 * header or body that cannot be sent) before anything goes on the wire.
 *
 * @internal
 */
export const make = ({ apiKey, apiUrl, base, basePath, baseUrl, headers: extraStatic }: Context) => {
  const staticHeaders = { ...extraStatic, "user-agent": USER_AGENT }
  const headerRecords = new Map<string, Record<string, string>>()
  const headersFor = (accept: string) => {
    let h = headerRecords.get(accept)
    if (h === undefined) {
      h = { ...staticHeaders, accept, "x-api-key": Redacted.value(apiKey) }
      if (headerRecords.size < 16) headerRecords.set(accept, h)
    }
    return h
  }

  /**
   * The request as it goes on the wire. Absolute URLs are followed only under the base URL: the
   * key is never sent anywhere else.
   */
  return (
    request: Omit<Request<unknown>, "schema">,
    accept: string,
    extra: Readonly<Record<string, string>> | undefined
  ): Either.Either<Exchange.Outgoing, SkytellsError.TransportError> => {
    const absolute = /^[a-z][a-z0-9+.-]*:/i.test(request.path)
    const relative = `${request.path.startsWith("/") ? "" : "/"}${request.path}`
    const path = absolute ? apiUrl(request.path) : `${baseUrl}${relative}`
    const refuse = (reason: "InvalidUrl" | "Encode", description: string) =>
      Either.left(
        new SkytellsError.TransportError({
          reason,
          mayHaveReachedServer: false,
          method: request.method,
          url: Paths.withoutSecrets(request.path),
          description
        })
      )
    if (path === undefined) return refuse("InvalidUrl", `refusing to send the API key outside ${baseUrl}`)
    const badHeader = extra === undefined ? undefined : invalidHeader(extra)
    if (badHeader !== undefined) return refuse("Encode", `the header ${badHeader} cannot be sent in HTTP`)
    // The origin and the path + query, for transports that take them apart (parsed only for a URL
    // taken from a response).
    const parsed = absolute ? new URL(path) : undefined
    const origin = parsed === undefined ? base.origin : parsed.origin
    let target = parsed === undefined ? `${basePath}${relative}` : `${parsed.pathname}${parsed.search}`
    let url = path
    if (request.urlParams !== undefined) {
      const query = new URLSearchParams()
      for (const [key, value] of Object.entries(request.urlParams)) {
        if (value !== undefined) query.append(key, String(value))
      }
      const text = query.toString()
      if (text !== "") {
        url = `${url}${url.includes("?") ? "&" : "?"}${text}`
        target = `${target}${target.includes("?") ? "&" : "?"}${text}`
      }
    }
    let body: string | undefined = undefined
    if (request.body !== undefined) {
      try {
        body = JSON.stringify(request.body)
      } catch (cause) {
        return refuse("Encode", `the request body is not JSON: ${cause instanceof Error ? cause.message : "?"}`)
      }
    }
    // The client's own headers (the key, accept) win over the extra ones.
    const headers = extra === undefined ? headersFor(accept) : { ...extra, ...headersFor(accept) }
    return Either.right({ method: request.method, url, origin, target, headers, body })
  }
}

/**
 * The outgoing request of the current fiber's call, with its extra headers (`withHeaders`).
 *
 * @internal
 */
export const current = (
  outgoingOf: ReturnType<typeof make>,
  request: Omit<Request<unknown>, "schema">,
  accept: string
): Effect.Effect<Exchange.Outgoing, SkytellsError.TransportError> =>
  FiberRef.getWith(currentHeaders, (extra) => outgoingOf(request, accept, extra))
