/**
 * Turns the platform's transport failures into `TransportError`, deciding from the error codes that
 * undici, fetch and Node attach (anywhere in the cause chain) whether the server may have seen the
 * request.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import { TransportError } from "../SkytellsError.js"

type Reason = TransportError["reason"]

/** Codes meaning the request never left this machine or never reached a server. */
const notSent: Record<string, Reason> = {
  ECONNREFUSED: "ConnectionRefused",
  ENOTFOUND: "DnsLookup",
  EAI_AGAIN: "DnsLookup",
  EHOSTUNREACH: "ConnectionRefused",
  ENETUNREACH: "ConnectionRefused",
  EADDRNOTAVAIL: "ConnectionRefused",
  UND_ERR_CONNECT_TIMEOUT: "ConnectionRefused",
  ERR_INVALID_URL: "InvalidUrl",
  ERR_TLS_CERT_ALTNAME_INVALID: "ConnectionRefused",
  CERT_HAS_EXPIRED: "ConnectionRefused",
  DEPTH_ZERO_SELF_SIGNED_CERT: "ConnectionRefused",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "ConnectionRefused"
}

/** Codes meaning the connection broke while the request or answer was on the wire. */
const cut: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_ABORTED",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "ERR_STREAM_PREMATURE_CLOSE"
])

/** Codes found in the cause chain (`cause`, AggregateError `errors`), bounded in depth and breadth. */
const codes = (u: unknown, depth = 0, out: Array<string> = []): Array<string> => {
  if (depth > 6 || typeof u !== "object" || u === null || out.length > 16) return out
  const o = u as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof o.code === "string") out.push(o.code)
  codes(o.cause, depth + 1, out)
  if (Array.isArray(o.errors)) { for (const e of o.errors.slice(0, 8)) codes(e, depth + 1, out) }
  return out
}

const describe = (u: unknown): string => {
  if (u instanceof Error) {
    const inner = u.cause instanceof Error ? `: ${u.cause.message}` : ""
    return `${u.message}${inner}`.slice(0, 300)
  }
  return typeof u === "string" ? u.slice(0, 300) : "unknown transport failure"
}

/** @internal */
export const fromHttpClientError = (error: HttpClientError.HttpClientError): TransportError => {
  const { method, url } = error.request
  if (error._tag === "ResponseError") return bodyFailed(method, url, error.response.status, error.cause)
  if (error.reason === "Encode" || error.reason === "InvalidUrl") {
    return new TransportError({
      reason: error.reason,
      mayHaveReachedServer: false,
      method,
      url,
      description: error.description ?? describe(error.cause)
    })
  }
  return fromCause(method, url, error.cause)
}

/**
 * Headers arrived, then reading the body failed: the server certainly saw the request.
 *
 * @internal
 */
export const bodyFailed = (method: string, url: string, status: number, cause: unknown): TransportError =>
  new TransportError({
    reason: "ConnectionReset",
    mayHaveReachedServer: true,
    method,
    url,
    description: `the response body could not be read (HTTP ${status}): ${describe(cause)}`
  })

/**
 * A failure before any answer arrived, from the codes in its cause chain.
 *
 * @internal
 */
export const fromCause = (method: string, url: string, cause: unknown): TransportError => {
  const found = codes(cause)
  for (const code of found) {
    const reason = notSent[code]
    if (reason !== undefined) {
      return new TransportError({
        reason,
        mayHaveReachedServer: false,
        method,
        url,
        description: `${code}: ${describe(cause)}`
      })
    }
  }
  const resetCode = found.find((code) => cut.has(code))
  return new TransportError({
    reason: resetCode !== undefined ? "ConnectionReset" : "Other",
    // Without a code that proves otherwise, assume the server may have acted (the safe side for creates).
    mayHaveReachedServer: true,
    method,
    url,
    description: `${resetCode ?? found[0] ?? "no error code"}: ${describe(cause)}`
  })
}
