/**
 * The listing behind `Predictions.listPage` and `Predictions.list`: the filters checked before any
 * request, both page shapes the API answers with, and the lazy pagination.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as P from "../Prediction.js"
import type * as Predictions from "../Predictions.js"
import { SkytellsClient } from "../SkytellsClient.js"
import * as SkytellsError from "../SkytellsError.js"
import { declare, predictionApiCommon } from "./narrow.js"

export const listErrors = [
  SkytellsError.InvalidParameter,
  SkytellsError.InvalidDateFormat,
  SkytellsError.InvalidDateRange,
  SkytellsError.InvalidParameterCombination,
  SkytellsError.ModelNotFound
] as const

const narrowList = declare(listErrors, predictionApiCommon)

const Pagination = Schema.Struct({
  current_page: Schema.optional(Schema.Number),
  per_page: Schema.optional(Schema.Number),
  total: Schema.optional(Schema.Number),
  last_page: Schema.optional(Schema.Number)
})

// The docs show a bare array, the SDK `{data, pagination}`: both are read.
const PageBody = Schema.Union(
  Schema.Array(P.Prediction),
  Schema.Struct({ data: Schema.Array(P.Prediction), pagination: Schema.optional(Schema.NullOr(Pagination)) })
)

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

const toDay = (name: "from" | "to", day: Predictions.Day): Effect.Effect<string, SkytellsError.InvalidDateFormat> => {
  if (day instanceof Date) {
    return Number.isFinite(day.getTime())
      ? Effect.succeed(day.toISOString().slice(0, 10))
      : Effect.fail(invalidDate(name, "an invalid Date"))
  }
  const match = DAY.exec(day)
  if (match) {
    const date = new Date(`${day}T00:00:00Z`)
    if (Number.isFinite(date.getTime()) && date.toISOString().slice(0, 10) === day) return Effect.succeed(day)
  }
  return Effect.fail(invalidDate(name, JSON.stringify(day)))
}

const invalidDate = (name: string, got: string) =>
  new SkytellsError.InvalidDateFormat({
    errorId: "INVALID_DATE_FORMAT",
    message: `\`${name}\` must be a calendar date as YYYY-MM-DD (got ${got}); nothing was sent.`
  })

const invalidParameter = (message: string) =>
  new SkytellsError.InvalidParameter({ errorId: "INVALID_PARAMETER", message: `${message}; nothing was sent.` })

/** Checks the options before any request, as the server would, to save a round trip. */
const validateList = (options: Predictions.ListOptions) =>
  Effect.gen(function*() {
    const perPage = options.perPage ?? 20
    const page = options.page ?? 1
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 50) {
      return yield* Effect.fail(invalidParameter(`perPage must be an integer from 1 to 50 (got ${perPage})`))
    }
    if (!Number.isInteger(page) || page < 1) {
      return yield* Effect.fail(invalidParameter(`page must be a positive integer (got ${page})`))
    }
    const from = options.from !== undefined ? yield* toDay("from", options.from) : undefined
    const to = options.to !== undefined ? yield* toDay("to", options.to) : undefined
    if (from !== undefined && to !== undefined && from > to) {
      return yield* Effect.fail(
        new SkytellsError.InvalidDateRange({
          errorId: "INVALID_DATE_RANGE",
          message: `\`from\` (${from}) is after \`to\` (${to}); nothing was sent.`
        })
      )
    }
    return { perPage, page, from, to }
  })

export const listPage = (
  options: Predictions.ListOptions = {}
): Effect.Effect<Predictions.Page, Predictions.ListError, SkytellsClient> =>
  Effect.gen(function*() {
    const valid = yield* validateList(options)
    const client = yield* SkytellsClient
    const body = yield* client.execute({
      method: "GET",
      path: "/predictions",
      route: "/predictions",
      urlParams: {
        page: valid.page,
        per_page: valid.perPage,
        model: options.model,
        status: options.status,
        from: valid.from,
        to: valid.to
      },
      schema: PageBody,
      span: "Predictions.listPage"
    })
    if (Array.isArray(body)) {
      const items = body as ReadonlyArray<P.Prediction>
      return {
        items,
        page: valid.page,
        next: items.length >= valid.perPage ? Option.some(valid.page + 1) : Option.none(),
        total: Option.none()
      }
    }
    const { data, pagination } = body as {
      data: ReadonlyArray<P.Prediction>
      pagination?: typeof Pagination.Type | null
    }
    const current = pagination?.current_page ?? valid.page
    const hasMore = pagination?.last_page !== undefined
      ? current < pagination.last_page
      : data.length >= valid.perPage
    return {
      items: data,
      page: current,
      next: hasMore && data.length > 0 ? Option.some(current + 1) : Option.none(),
      total: Option.fromNullable(pagination?.total)
    }
  }).pipe(narrowList)

export const list = (
  options: Predictions.ListOptions = {}
): Stream.Stream<P.Prediction, Predictions.ListError, SkytellsClient> =>
  Stream.paginateChunkEffect(
    options.page ?? 1,
    (page) =>
      Effect.map(listPage({ ...options, page }), (result) => [Chunk.fromIterable(result.items), result.next] as const)
  )
