/**
 * The Prediction API: create (`/predictions`, `/predict`), get, list, cancel, delete, stream info,
 * and the output files the fake serves itself.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { failure } from "./errors.js"
import { type Ctx, type Handler, isRecord, json } from "./http.js"
import { isTerminal, type Phase, phaseAt, phaseOfStatus, schedule, statusOf, timingFor } from "./lifecycle.js"
import * as Models from "./models.js"
import { fileBytes, render } from "./predictionView.js"
import type { PredictionRecord, State } from "./state.js"
import * as Webhooks from "./webhooks.js"

// Handlers ------------------------------------------------------------------------------------------

const missing = (state: State, fields: ReadonlyArray<string>) =>
  failure(state.scenario.missingField, {
    message: `Missing required field(s): ${fields.join(", ")}`,
    details: { missing: fields }
  })

const parseWebhook = (u: unknown): Effect.Effect<PredictionRecord["webhook"], ReturnType<typeof failure>> => {
  if (u === undefined || u === null) return Effect.succeed(undefined)
  if (typeof u === "string") return Effect.succeed({ url: u, events: [] })
  if (isRecord(u) && typeof u.url === "string") {
    const events = Array.isArray(u.events) ? u.events.filter((e): e is string => typeof e === "string") : []
    return Effect.succeed({ url: u.url, events })
  }
  return Effect.fail(
    failure("INVALID_INPUT", {
      message: "webhook must be a URL string or an object { url, events }",
      details: [{ field: "webhook", message: "invalid webhook" }]
    })
  )
}

/** `POST /v1/predictions` and `POST /v1/predict`. @internal */
export const create: Handler = (ctx) =>
  Effect.gen(function*() {
    const { state } = ctx
    const body = ctx.json
    if (body === undefined) return yield* missing(state, ["model", "input"])
    if (!isRecord(body)) {
      return yield* failure("INVALID_INPUT", { message: "The request body must be a JSON object" })
    }
    const absent = ["model", "input"].filter((k) => body[k] === undefined || body[k] === null)
    if (absent.length > 0) return yield* missing(state, absent)
    if (typeof body.model !== "string") {
      return yield* failure("INVALID_INPUT", { message: "model must be a string", details: [{ field: "model" }] })
    }
    const model = Models.find(body.model)
    if (model === undefined) {
      return yield* failure("MODEL_NOT_FOUND", { message: `The model with slug '${body.model}' does not exist` })
    }
    if (model.apiError !== undefined) {
      return yield* failure(model.apiError.errorId, { status: model.apiError.status })
    }
    if (model.openaiCompatible) {
      return yield* failure("MODEL_NOT_SUPPORTED", {
        message: `The model '${model.slug}' is served by the Inference API (/v1/chat/completions or /v1/embeddings)`
      })
    }
    const violations = Models.validate(model.inputSchema, body.input)
    if (violations.length > 0) {
      return yield* failure("INVALID_INPUT", {
        status: state.scenario.invalidInputStatus,
        message: `Input validation failed: ${violations.map((v) => v.message).join("; ")}`,
        details: violations
      })
    }
    const webhook = yield* parseWebhook(body.webhook)
    const input = body.input as Models.JsonObject
    const cost = Math.round(model.price.amount * model.units(input) * 1e8) / 1e8
    const account = ctx.account
    if (account.credits < 0) {
      return yield* failure("PAYMENT_REQUIRED", { message: "Your account has a negative balance." })
    }
    if (cost > account.credits) {
      return yield* failure("INSUFFICIENT_CREDITS", {
        message: `This prediction costs ${cost} USD but the balance is ${account.credits} USD.`,
        details: { required: cost, balance: account.credits }
      })
    }
    const record = yield* Effect.sync(() => {
      account.credits = Math.round((account.credits - cost) * 1e8) / 1e8
      const record: PredictionRecord = {
        id: state.ids.uuid(),
        apiKey: account.apiKey,
        model,
        input,
        webhook,
        stream: body.stream === true,
        createdAt: ctx.now,
        timing: timingFor(model.timing, state.scenario),
        cost,
        canceledAt: undefined,
        deleted: false,
        announced: new Set()
      }
      state.predictions.set(record.id, record)
      return record
    })
    if (webhook !== undefined) Webhooks.watch(state, record)
    if (body.await === true && !model.ignoresAwait) {
      const wait = schedule(record).terminal - ctx.now
      if (wait > 0) yield* Effect.sleep(Duration.millis(wait))
    }
    const now = yield* Clock.currentTimeMillis
    return json(render(state, record, now), state.scenario.createStatus)
  })

const lookup = (ctx: Ctx) =>
  Effect.suspend(() => {
    const id = ctx.params.id ?? ""
    const p = ctx.state.predictions.get(id)
    if (p !== undefined && !p.deleted && p.apiKey === ctx.account.apiKey) return Effect.succeed(p)
    return Effect.fail(
      ctx.state.scenario.predictionNotFound === "not-found"
        ? failure("PREDICTION_NOT_FOUND", { message: `No prediction with id '${id}' exists for this account` })
        : failure("PREDICTION_FAILED", { status: 502, message: "Error fetching prediction" })
    )
  })

/** `GET /v1/predictions/{id}` and `GET /v1/predictions/{id}/stream`. @internal */
export const get: Handler = (ctx) => Effect.map(lookup(ctx), (p) => json(render(ctx.state, p, ctx.now)))

/** `POST /v1/predictions/{id}/cancel`. @internal */
export const cancel: Handler = (ctx) =>
  Effect.gen(function*() {
    const p = yield* lookup(ctx)
    const phase = phaseAt(p, ctx.now)
    if (isTerminal(phase)) {
      return yield* failure("PREDICTION_NOT_CANCELLABLE", {
        message: `The prediction is already ${statusOf(phase, ctx.state.scenario)}`
      })
    }
    p.canceledAt = ctx.now
    if (p.webhook !== undefined) Webhooks.watch(ctx.state, p)
    return ctx.state.scenario.cancelResponse === "success"
      ? json({ success: true })
      : json(render(ctx.state, p, ctx.now))
  })

/** `DELETE /v1/predictions/{id}` and `DELETE /v1/predictions/{id}/delete`. @internal */
export const remove: Handler = (ctx) =>
  Effect.gen(function*() {
    const p = yield* lookup(ctx)
    const view = render(ctx.state, p, ctx.now)
    p.deleted = true
    return ctx.state.scenario.deleteResponse === "success" ? json({ success: true }) : json(view)
  })

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

const parseDate = (name: string, value: string | undefined) => {
  if (value === undefined) return Effect.succeed(undefined)
  const m = DATE.exec(value)
  const ms = m !== null ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN
  if (m === null || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    return Effect.fail(
      failure("INVALID_DATE_FORMAT", { message: `${name} must be a date in YYYY-MM-DD format`, param: name })
    )
  }
  return Effect.succeed(ms)
}

const positiveInt = (name: string, value: string | undefined, fallback: number, max?: number) => {
  if (value === undefined) return Effect.succeed(fallback)
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || (max !== undefined && n > max)) {
    return Effect.fail(
      failure("INVALID_PARAMETER", {
        message: max !== undefined
          ? `${name} must be an integer between 1 and ${max}`
          : `${name} must be a positive integer`,
        param: name
      })
    )
  }
  return Effect.succeed(n)
}

const DAY = 86_400_000

/** `GET /v1/predictions?page&per_page&model&status&from&to`. @internal */
export const list: Handler = (ctx) =>
  Effect.gen(function*() {
    const { state, query } = ctx
    const page = yield* positiveInt("page", query.page, 1)
    const perPage = yield* positiveInt("per_page", query.per_page, 20, 50)
    const from = yield* parseDate("from", query.from)
    const to = yield* parseDate("to", query.to)
    if (from !== undefined && to !== undefined && from > to) {
      return yield* failure("INVALID_DATE_RANGE", { message: "from must be on or before to" })
    }
    if (query.model !== undefined && Models.find(query.model) === undefined) {
      return yield* failure("MODEL_NOT_FOUND", { message: `The model with slug '${query.model}' does not exist` })
    }
    let statusFilter: Phase | undefined
    if (query.status !== undefined) {
      statusFilter = phaseOfStatus(query.status)
      if (statusFilter === undefined) {
        return yield* failure("INVALID_PARAMETER", { message: `Unknown status '${query.status}'`, param: "status" })
      }
    }
    const all = state.predictionsOf(ctx.account.apiKey).filter((p) =>
      (query.model === undefined || p.model.slug === query.model) &&
      (statusFilter === undefined || phaseAt(p, ctx.now) === statusFilter) &&
      (from === undefined || p.createdAt >= from) &&
      (to === undefined || p.createdAt < to + DAY)
    )
    const data = all.slice((page - 1) * perPage, page * perPage).map((p) => render(state, p, ctx.now))
    return state.scenario.listShape === "array" ? json(data) : json({
      data,
      pagination: {
        current_page: page,
        per_page: perPage,
        total: all.length,
        last_page: Math.max(1, Math.ceil(all.length / perPage))
      }
    })
  })

/** `GET /v1/files/{id}/{name}`: the outputs of succeeded predictions. No authentication, like a CDN. @internal */
export const file: Handler = (ctx) =>
  Effect.sync(() => {
    const p = ctx.state.predictions.get(ctx.params.id ?? "")
    const name = ctx.params.name ?? ""
    const notFound = HttpServerResponse.text("Not Found", { status: 404 })
    if (p === undefined || p.deleted || phaseAt(p, ctx.now) !== "succeeded") return notFound
    const view = render(ctx.state, p, ctx.now) as { readonly data_removed?: boolean }
    if (view.data_removed === true) return notFound
    const out = p.model.output(p.input)
    const f = out._tag === "Files" ? out.files.find((f) => f.name === name) : undefined
    return f === undefined ? notFound : HttpServerResponse.uint8Array(fileBytes(p.id, f.name, f.mime), {
      contentType: f.mime
    })
  })

/** `GET /v1/models?fields=`: the bare array of listed models. @internal */
export const listModels: Handler = (ctx) =>
  Effect.succeed(json(Models.catalogue.filter((m) => m.listed).map((m) => Models.render(m, fieldsOf(ctx)))))

/** `GET /v1/models/{slug}` and `GET /v1/model/{slug}` (slugs may contain `/`). @internal */
export const getModel: Handler = (ctx) =>
  Effect.suspend(() => {
    const raw = ctx.params["*"] ?? ""
    let slug = raw
    try {
      slug = decodeURIComponent(raw)
    } catch {
      // keep the raw slug
    }
    const model = Models.find(slug)
    return model === undefined
      ? Effect.fail(failure("MODEL_NOT_FOUND", { message: `The model with slug '${slug}' does not exist` }))
      : Effect.succeed(json(Models.render(model, fieldsOf(ctx))))
  })

const fieldsOf = (ctx: Ctx): ReadonlySet<string> =>
  new Set((ctx.query.fields ?? "").split(",").map((f) => f.trim()).filter((f) => f.length > 0))
