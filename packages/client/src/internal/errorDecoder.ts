/**
 * The pure part of error decoding: from (status, headers, body bytes) to a description of the error
 * to build. Total by construction: every access is guarded, JSON.parse is caught, strings are bounded.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import { type ApiTag, catalogue, tagById } from "./catalogue.js"
import { header, type Headers, requestIdHeader, retryAfter, shouldRetry } from "./headers.js"

/** @internal */
export interface ApiFields {
  readonly errorId: string
  readonly message: string
  readonly httpStatus?: number
  readonly requestId?: string
  readonly param?: string
  readonly details?: unknown
  readonly type?: string
  readonly code?: string
  readonly predictionId?: string
  readonly retryAfter?: Duration.Duration
  readonly shouldRetry?: boolean
}

/** @internal */
export type Parsed =
  | { readonly _tag: "Known"; readonly tag: ApiTag; readonly fields: ApiFields }
  | {
    readonly _tag: "Unknown"
    readonly fields: {
      readonly errorId?: string
      readonly message: string
      readonly httpStatus: number
      readonly requestId?: string
      readonly body: unknown
      readonly retryAfter?: Duration.Duration
      readonly shouldRetry?: boolean
    }
  }
  | {
    readonly _tag: "Gateway"
    readonly fields: {
      readonly httpStatus: number
      readonly contentType?: string
      readonly excerpt: string
      readonly requestId?: string
      readonly retryAfter?: Duration.Duration
      readonly shouldRetry?: boolean
    }
  }
  | {
    readonly _tag: "Malformed"
    readonly fields: {
      readonly reason: "EmptyBody" | "NotJson"
      readonly httpStatus: number
      readonly contentType?: string
      readonly excerpt: string
      readonly bodyLength: number
      readonly requestId?: string
      readonly shouldRetry?: boolean
    }
  }

/** Longest message or excerpt kept, in characters: enough to read, bounded against huge bodies. */
const MAX_TEXT = 2_000
const EXCERPT = 300

const bounded = (s: string, max = MAX_TEXT): string => s.length <= max ? s : `${s.slice(0, max)}… (${s.length} chars)`

/** Bodies longer than this are kept on an error as an excerpt of their text, not as parsed JSON. */
const MAX_KEPT_BODY = 16_384

/**
 * What an error keeps of a JSON body: the parsed value when the text is small (and so can neither be
 * large nor nested deeply enough to break `JSON.stringify`), otherwise a bounded excerpt.
 */
const keptBody = (value: unknown, text: string): unknown => text.length <= MAX_KEPT_BODY ? value : bounded(text)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const str = (u: unknown): string | undefined =>
  typeof u === "string" ? bounded(u) : typeof u === "number" && Number.isFinite(u) ? String(u) : undefined

const int = (u: unknown): number | undefined => {
  const n = typeof u === "number" ? u : typeof u === "string" && u.trim() !== "" ? Number(u) : NaN
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined
}

const decodeText = (body: Uint8Array | string): string => {
  if (typeof body === "string") return body
  try {
    return new TextDecoder("utf-8", { fatal: false, ignoreBOM: false }).decode(body)
  } catch {
    return ""
  }
}

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    // Invalid, truncated or too deeply nested (RangeError): all mean "not the API's JSON".
    return { ok: false }
  }
}

/** The error fields found in a body, whichever of the documented shapes it has. */
interface Found {
  readonly ids: ReadonlyArray<string>
  readonly message: string | undefined
  readonly status: number | undefined
  readonly requestId: string | undefined
  readonly param: string | undefined
  readonly details: unknown
  readonly type?: string | undefined
  readonly code?: string | undefined
  readonly predictionId: string | undefined
  readonly failedPrediction: boolean
}

const defined = <A>(values: ReadonlyArray<A | undefined>): Array<A> => values.filter((v): v is A => v !== undefined)

const findInBody = (body: unknown): Found | undefined => {
  if (!isRecord(body)) return undefined
  const failedPrediction = body.status === "failed"
  const predictionId = failedPrediction ? str(body.id) : undefined
  // Inference nested error, the unified envelope and `{error: {...}}` all nest under `error`.
  if (isRecord(body.error)) {
    const e = body.error
    const type = str(e.type)
    const code = str(e.code)
    const errorId = str(e.error_id) ?? str(body.error_id)
    return {
      // `type` names an OpenAI category, so it only counts when nothing more specific is present.
      ids: defined([errorId, code, errorId === undefined && code === undefined ? type : undefined]),
      message: str(e.message) ?? str(body.response) ?? str(body.message),
      status: int(e.http_status) ?? int(e.status),
      requestId: str(e.request_id) ?? str(body.request_id),
      param: str(e.param),
      details: e.details ?? undefined,
      type,
      code,
      predictionId,
      failedPrediction
    }
  }
  // Flat `{error_id, message}`, or a failed prediction carrying `error_id` + `error_message` (the error-handling guide).
  const errorId = str(body.error_id)
  const text = str(body.message) ?? str(body.error_message) ?? str(body.error) ?? str(body.response)
  if (errorId !== undefined || failedPrediction || text !== undefined) {
    return {
      ids: defined([errorId]),
      message: text,
      status: int(body.http_status),
      requestId: str(body.request_id),
      param: str(body.param),
      details: body.details ?? undefined,
      predictionId,
      failedPrediction
    }
  }
  return undefined
}

const knownTag = (ids: ReadonlyArray<string>): ApiTag | undefined => {
  for (const id of ids) {
    const tag = tagById.get(id.toUpperCase())
    if (tag !== undefined) return tag
  }
  return undefined
}

/** The class a status stands for when the body names no id; only where the meaning is unambiguous. */
const byStatus: Readonly<Record<number, ApiTag | "Gateway">> = {
  401: "Unauthorized",
  429: "RateLimitExceeded",
  500: "InternalError",
  502: "Gateway",
  503: "ServiceUnavailable",
  504: "Gateway"
}

/** `{ a?: T | undefined }` as `{ a?: T }`, the form `exactOptionalPropertyTypes` constructors accept. */
type Compact<A> =
  & { [K in keyof A as undefined extends A[K] ? never : K]: A[K] }
  & { [K in keyof A as undefined extends A[K] ? K : never]?: Exclude<A[K], undefined> }

const withoutUndefined = <A extends object>(a: A): Compact<A> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(a)) if (v !== undefined) out[k] = v
  return out as Compact<A>
}

interface Extras {
  readonly httpStatus?: number | undefined
  readonly requestId?: string | undefined
  readonly retryAfter?: Duration.Duration | undefined
  readonly shouldRetry?: boolean | undefined
}

const fromFound = (
  found: Found,
  extras: Extras,
  fallbackTag: ApiTag | undefined,
  body: unknown
): Parsed | undefined => {
  const tag = knownTag(found.ids) ?? (found.failedPrediction && found.ids.length === 0 ? "PredictionFailed" : undefined)
    ?? (found.ids.length === 0 ? fallbackTag : undefined)
  const requestId = found.requestId ?? extras.requestId
  const httpStatus = extras.httpStatus ?? found.status
  if (tag !== undefined) {
    const fields = withoutUndefined({
      errorId: found.ids[0] ?? catalogue[tag].ids[0],
      message: found.message ?? catalogue[tag].description,
      httpStatus,
      requestId,
      param: found.param,
      details: found.details,
      type: found.type,
      code: found.code,
      predictionId: found.predictionId,
      retryAfter: extras.retryAfter,
      shouldRetry: extras.shouldRetry
    })
    return { _tag: "Known", tag, fields }
  }
  if (found.ids.length === 0 && httpStatus === undefined) return undefined
  return {
    _tag: "Unknown",
    fields: {
      ...withoutUndefined({
        errorId: found.ids[0],
        message: found.message ?? `Unknown error${found.ids[0] ? ` ${found.ids[0]}` : ""} from the Skytells API.`,
        httpStatus: httpStatus ?? 0,
        requestId,
        retryAfter: extras.retryAfter,
        shouldRetry: extras.shouldRetry
      }),
      body
    }
  }
}

/**
 * @internal
 */
export const parse = (response: {
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array | string
  readonly now?: number | undefined
}): Parsed => {
  const status = Number.isInteger(response.status) ? response.status : 0
  const headers = isRecord(response.headers) ? response.headers as Headers : {}
  const contentType = header(headers, "content-type")
  const extras: Extras = {
    httpStatus: status,
    requestId: requestIdHeader(headers),
    retryAfter: retryAfter(headers, response.now ?? Date.now()),
    shouldRetry: shouldRetry(headers)
  }
  const text = decodeText(response.body)
  const bodyLength = typeof response.body === "string" ? text.length : response.body.byteLength
  const json = text.trim() === "" ? undefined : parseJson(text)
  const statusTag = byStatus[status]

  if (json?.ok === true) {
    const inBody = findInBody(json.value)
    // `details` can be any JSON: from a large body it is kept as an excerpt, like the body itself.
    const found = inBody?.details !== undefined && text.length > MAX_KEPT_BODY
      ? { ...inBody, details: keptBody(inBody.details, text) }
      : inBody
    if (found !== undefined) {
      const parsed = fromFound(
        found,
        extras,
        statusTag === "Gateway" ? undefined : statusTag,
        keptBody(json.value, text)
      )
      if (parsed !== undefined) {
        // A gateway status with JSON that names no id is still a gateway answering.
        if (parsed._tag === "Unknown" && found.ids.length === 0 && statusTag === "Gateway") {
          return gateway(status, contentType, text, extras)
        }
        return parsed
      }
    }
  }
  if (statusTag === "Gateway") return gateway(status, contentType, text, extras)
  if (statusTag !== undefined) {
    const describe = json === undefined ? "an empty body" : json.ok ? "no error id" : "a body that is not JSON"
    return {
      _tag: "Known",
      tag: statusTag,
      fields: withoutUndefined({
        errorId: catalogue[statusTag].ids[0],
        message: `${catalogue[statusTag].description} (HTTP ${status} with ${describe}${
          json?.ok === false ? `: ${JSON.stringify(bounded(text, EXCERPT))}` : ""
        })`,
        ...extras
      })
    }
  }
  if (json?.ok === true) {
    return {
      _tag: "Unknown",
      fields: {
        ...withoutUndefined({
          message: `HTTP ${status} with a JSON body that names no error.`,
          httpStatus: status,
          requestId: extras.requestId,
          retryAfter: extras.retryAfter,
          shouldRetry: extras.shouldRetry
        }),
        body: keptBody(json.value, text)
      }
    }
  }
  return {
    _tag: "Malformed",
    fields: withoutUndefined({
      reason: json === undefined ? "EmptyBody" as const : "NotJson" as const,
      httpStatus: status,
      contentType,
      excerpt: bounded(text, EXCERPT),
      bodyLength,
      requestId: extras.requestId,
      shouldRetry: extras.shouldRetry
    })
  }
}

const gateway = (
  status: number,
  contentType: string | undefined,
  text: string,
  extras: Extras
): Parsed => ({
  _tag: "Gateway",
  fields: withoutUndefined({
    httpStatus: status,
    contentType,
    excerpt: bounded(text, EXCERPT),
    requestId: extras.requestId,
    retryAfter: extras.retryAfter,
    shouldRetry: extras.shouldRetry
  })
})

/**
 * A failed prediction object (either payload style) as an error description; `undefined` for
 * anything that is not a prediction with `status: "failed"`.
 *
 * @internal
 */
export const failedPrediction = (
  prediction: unknown
): Exclude<Parsed, { _tag: "Gateway" | "Malformed" }> | undefined => {
  if (!isRecord(prediction) || prediction.status !== "failed") return undefined
  const found = findInBody(prediction)
  if (found === undefined) return undefined
  const parsed = fromFound(found, {}, "PredictionFailed", prediction)
  return parsed?._tag === "Known" || parsed?._tag === "Unknown" ? parsed : undefined
}
