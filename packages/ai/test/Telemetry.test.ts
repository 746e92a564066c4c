/**
 * Spans follow `@effect/ai`'s GenAI conventions (`gen_ai.*` on the spans @effect/ai opens), and the
 * API key appears nowhere: not in a span (name, attribute, event, exit), not in a log, not in an
 * AiError however it is printed.
 */
import { SkytellsEmbeddingModel, SkytellsLanguageModel } from "@effect-skytells/ai"
import { FakeSkytells } from "@effect-skytells/testing"
import { EmbeddingModel } from "@effect/ai"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Inspectable, Layer, Logger, LogLevel, Tracer } from "effect"
import { layerFake, layerSkytellsClient } from "./utils/layers.js"
import * as Scenario from "./utils/scenarios.js"

const apiKey = "sk-live-SECRET-0123456789abcdef"

const layer = Layer.mergeAll(
  SkytellsLanguageModel.layer({ model: "deepbrain-router", config: { temperature: 0.4 } }),
  SkytellsEmbeddingModel.layer({ model: "skytells-embed-3-small" })
).pipe(
  Layer.provideMerge(layerSkytellsClient()),
  Layer.provideMerge(layerFake("in-process", { accounts: [{ apiKey }] }))
)

interface Recorded {
  readonly span: Tracer.Span
  readonly events: Array<unknown>
  exit?: unknown
}

/** Runs `effect` with a tracer and a logger that record everything. */
const observe = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const recorded: Array<Recorded> = []
    const logs: Array<string> = []
    const base = yield* Effect.tracer
    const tracer = Tracer.make({
      span: (...args) => {
        const span = base.span(...args)
        const entry: Recorded = { span, events: [] }
        const event = span.event.bind(span)
        const end = span.end.bind(span)
        span.event = (name, startTime, attributes) => {
          entry.events.push([name, attributes])
          event(name, startTime, attributes)
        }
        // What an exporter (@effect/opentelemetry) records of the exit: the rendered cause of a failure.
        span.end = (endTime, exit) => {
          entry.exit = exit._tag === "Failure" ? Cause.pretty(exit.cause) : "Success"
          end(endTime, exit)
        }
        recorded.push(entry)
        return span
      },
      context: base.context
    })
    const logger = Logger.make(({ cause, message }) => {
      logs.push(`${Inspectable.format(message)} ${Cause.pretty(cause)}`)
    })
    const exit = yield* effect.pipe(
      Effect.tapErrorCause((cause) => Effect.logError("call failed", cause)),
      Effect.withTracer(tracer),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All),
      Effect.exit
    )
    const dump = Inspectable.format(recorded.map((r) => ({
      name: r.span.name,
      attributes: Object.fromEntries(r.span.attributes),
      events: r.events,
      exit: r.exit
    })))
    return { exit, spans: recorded.map((r) => r.span), logs, dump }
  })

const attributes = (spans: ReadonlyArray<Tracer.Span>, name: string) => {
  const span = spans.find((s) => s.name === name)
  assert.isDefined(span, `a span named ${name}`)
  return Object.fromEntries(span!.attributes)
}

describe("telemetry", () => {
  it.effect("generateText and streamText spans carry the GenAI attributes", () =>
    Effect.gen(function*() {
      const generated = yield* observe(Scenario.generate("Say hello"))
      assert.isTrue(generated.exit._tag === "Success")
      const response = generated.exit._tag === "Success" ? generated.exit.value : undefined
      const metadata = response?.content.find((part) => part.type === "response-metadata")
      const generate = attributes(generated.spans, "LanguageModel.generateText")
      assert.deepInclude(generate, {
        "gen_ai.system": "skytells",
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "deepbrain-router",
        "gen_ai.request.temperature": 0.4,
        "gen_ai.response.model": "deepbrain-router",
        "gen_ai.usage.input_tokens": response?.usage.inputTokens,
        "gen_ai.usage.output_tokens": response?.usage.outputTokens
      })
      assert.deepStrictEqual(generate["gen_ai.response.finish_reasons"], ["stop"])
      assert.strictEqual(generate["gen_ai.response.id"], metadata?.id._tag === "Some" ? metadata.id.value : "")
      assert.strictEqual(generate["gen_ai.skytells.request.response_format"], "text")

      const streamed = yield* observe(Scenario.stream("Tell a story"))
      const stream = attributes(streamed.spans, "LanguageModel.streamText")
      assert.deepInclude(stream, { "gen_ai.system": "skytells", "gen_ai.operation.name": "chat" })
      assert.deepStrictEqual(stream["gen_ai.response.finish_reasons"], ["stop"])
      assert.isNumber(stream["gen_ai.usage.output_tokens"])
    }).pipe(Effect.provide(layer)))

  it.effect("embedding spans carry the GenAI attributes", () =>
    Effect.gen(function*() {
      const { spans } = yield* observe(Effect.all([
        Scenario.embedMany(["a", "b"]),
        Effect.flatMap(EmbeddingModel.EmbeddingModel, (model) => model.embed("c"))
      ]))
      for (const name of ["EmbeddingModel.embed", "EmbeddingModel.embedMany"]) {
        assert.deepInclude(attributes(spans, name), {
          "gen_ai.system": "skytells",
          "gen_ai.operation.name": "embeddings",
          "gen_ai.request.model": "skytells-embed-3-small"
        })
      }
    }).pipe(Effect.provide(layer)))

  it.effect("the key appears in no span, log or printed AiError", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      assert.strictEqual(fake.apiKey, apiKey, "the client sends this key")
      const ok = yield* observe(Effect.all([Scenario.generate("hello"), Scenario.stream("hello")]))
      yield* fake.setCredits(0)
      const failed = yield* observe(Scenario.generate("hello"))
      const failedStream = yield* observe(Scenario.stream("hello"))
      assert.isTrue(ok.exit._tag === "Success")
      for (const run of [ok, failed, failedStream]) {
        assert.isAtLeast(run.spans.length, 2)
        assert.notInclude(run.dump, apiKey)
        for (const log of run.logs) assert.notInclude(log, apiKey)
      }
      assert.isTrue(failed.logs.length > 0 && failed.exit._tag === "Failure")
      if (failed.exit._tag === "Failure") {
        const error = Cause.squash(failed.exit.cause)
        for (
          const printed of [
            Inspectable.format(error),
            JSON.stringify(error),
            String(error),
            Cause.pretty(failed.exit.cause)
          ]
        ) {
          assert.include(printed, "InsufficientCredits")
          assert.notInclude(printed, apiKey)
        }
      }
    }).pipe(Effect.provide(layer)))
})
