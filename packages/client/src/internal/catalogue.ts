/**
 * The error catalogue: every error id Skytells documents, in one table. Classes, docs (docs/errors.md),
 * the decoder and the table-driven tests are all derived from it. The entries live in two files by
 * family (`catalogueRefusals.ts`, `catalogueFailures.ts`); this module joins them and derives the
 * lookups.
 *
 * Each entry's `source` names the public pages it comes from, by the names of {@link sources}.
 *
 * @internal
 */
import { failures } from "./catalogueFailures.js"
import { refusals } from "./catalogueRefusals.js"

/**
 * The public documents the entries cite, by the name their `source` uses. Where they disagree on a
 * status, every documented status is accepted (the error id decides the class).
 *
 * @internal
 */
export const sources: ReadonlyArray<{ readonly name: string; readonly title: string; readonly url: string }> = [
  {
    name: "Errors reference",
    title: "Skytells API v1: Errors (error codes, rate limits and resolutions)",
    url: "https://learn.skytells.ai/docs/api/v1/errors"
  },
  {
    name: "Error-handling guide",
    title: "Skytells training: Error Handling & Best Practices",
    url: "https://learn.skytells.ai/training/paths/ai-foundations/06-error-handling"
  },
  {
    name: "Prediction errors",
    title: "Skytells API v1: Prediction errors",
    url: "https://learn.skytells.ai/docs/api/v1/errors/prediction-errors"
  },
  {
    name: "Inference errors",
    title: "Skytells API v1: Inference errors",
    url: "https://learn.skytells.ai/docs/api/v1/errors/inference-errors"
  },
  {
    name: "SDK",
    title: "the official `skytells` SDK for JavaScript (its docs, error enum and tests)",
    url: "https://www.npmjs.com/package/skytells"
  }
]

/** @internal */
export type Level = "api" | "prediction" | "inference"

/** @internal */
export type Category =
  | "authentication"
  | "permission"
  | "billing"
  | "validation"
  | "notFound"
  | "conflict"
  | "contentPolicy"
  | "rateLimit"
  | "server"
  | "prediction"

/** @internal */
export interface Entry {
  /** Wire ids that decode to this class, first one canonical. Matching ignores case. */
  readonly ids: ReadonlyArray<string>
  /** Every HTTP status any source documents for it (the first is the one the fake server uses). */
  readonly statuses: ReadonlyArray<number>
  readonly levels: ReadonlyArray<Level>
  readonly category: Category
  readonly retryable: boolean
  readonly description: string
  readonly resolution: string
  /** Where it is documented, and how contradictions were resolved. */
  readonly source: string
}

/**
 * Refusals first: the key order is the catalogue order that `SkytellsApiError`, docs/errors.md and
 * the README table follow.
 *
 * @internal
 */
export const catalogue = { ...refusals, ...failures }

/** @internal */
export type Catalogue = typeof catalogue

/** @internal */
export type ApiTag = keyof Catalogue

/** @internal */
export const apiTags = Object.keys(catalogue) as ReadonlyArray<ApiTag>

/** Wire id (upper-cased) → tag. @internal */
export const tagById: ReadonlyMap<string, ApiTag> = new Map(
  apiTags.flatMap((tag) => catalogue[tag].ids.map((id) => [id.toUpperCase(), tag] as const))
)

/** @internal */
export type TagsWhere<K extends keyof Entry, V> = {
  [T in ApiTag]: Catalogue[T][K] extends V ? T :
    Catalogue[T][K] extends ReadonlyArray<infer X> ? V extends X ? T : never
    : never
}[ApiTag]
