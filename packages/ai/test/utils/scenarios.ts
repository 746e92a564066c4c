/**
 * The scenarios the issue asks for, written once against `@effect/ai`'s services only, so that the
 * Skytells provider and `@effect/ai-openai` run exactly the same programs.
 */
import { FakeSkytells } from "@effect-skytells/testing"
import { Chat, EmbeddingModel, LanguageModel, Tool, Toolkit } from "@effect/ai"
import { Chunk, Effect, Schema, Stream } from "effect"

/** A tool whose answer is computed from its parameters, so the test can tell it was run. */
export const GetWeather = Tool.make("GetWeather", {
  description: "The weather forecast for a city",
  parameters: { city: Schema.String },
  success: Schema.Struct({ city: Schema.String, forecast: Schema.String })
})

export const Weather = Toolkit.make(GetWeather)

export const forecastOf = (city: string) => `sunny in ${city}`

export const WeatherHandlers = Weather.toLayer({
  GetWeather: ({ city }) => Effect.succeed({ city, forecast: forecastOf(city) })
})

export class Poem extends Schema.Class<Poem>("Poem")({
  title: Schema.String,
  lines: Schema.Int,
  tags: Schema.Array(Schema.String)
}) {}

export const generate = (prompt: string) => LanguageModel.generateText({ prompt })

export const stream = (prompt: string) =>
  LanguageModel.streamText({ prompt }).pipe(Stream.runCollect, Effect.map(Chunk.toArray))

/** Two turns of a chat: the model calls the tool (run by @effect/ai), then answers with its result. */
export const toolCallTwoSteps = (city: string) =>
  Effect.gen(function*() {
    const chat = yield* Chat.empty
    const toolkit = yield* Weather
    const first = yield* chat.generateText({ prompt: city, toolkit })
    const second = yield* chat.generateText({ prompt: [], toolkit })
    return { first, second }
  })

export const streamToolCall = (city: string) =>
  Effect.flatMap(
    Weather,
    (toolkit) => LanguageModel.streamText({ prompt: city, toolkit }).pipe(Stream.runCollect, Effect.map(Chunk.toArray))
  )

export const object = (prompt: string) => LanguageModel.generateObject({ prompt, schema: Poem })

export const embedMany = (texts: ReadonlyArray<string>) =>
  Effect.flatMap(EmbeddingModel.EmbeddingModel, (model) => model.embedMany(texts))

/** The bodies of the requests the fake received on a route, parsed. */
export const bodies = (route: "responses.create" | "embeddings.create") =>
  Effect.map(
    Effect.flatMap(FakeSkytells.FakeSkytells, (fake) => fake.requests),
    (requests) =>
      requests.filter((r) => r.route === route && r.body !== undefined).map((r) => JSON.parse(r.body!) as any)
  )
