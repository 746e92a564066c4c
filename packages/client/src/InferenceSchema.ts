/**
 * `effect/Schema` schemas for the OpenAI-compatible Inference API as Skytells documents it: chat
 * completions (`POST /v1/chat/completions`, plain and streamed), Responses (`POST /v1/responses`,
 * plain and streamed) and embeddings (`POST /v1/embeddings`), with the Skytells safety fields
 * (`content_filter_results`, `prompt_filter_results`, `content_filters`) and `obfuscation` tags.
 *
 * Every schema is a `Schema.Struct` (or a union of them) whose Type is its Encoded side, with the
 * wire names: a request value is the JSON body, a decoded response is the JSON body you got, minus
 * unknown fields. The one exception is the `unknown` fallback of open unions (below). Objects kept
 * whole (`Annotation`, `ResponsesHostedTool`, JSON Schema `parameters`, `metadata`) decode to plain
 * copies: a `"__proto__"` key stays an own key, it never becomes the object's prototype.
 *
 * Requests are checked the way the documentation describes them. Responses are decoded leniently,
 * because the server may add things:
 *
 * - unknown fields are dropped, never an error;
 * - fields beyond the core ones (`id`, `model`, `choices`, ...) are optional, and those the server
 *   may send as `null` accept it (`content?: string | null`), so `x ?? fallback` covers both;
 * - enumerations the server may extend (`finish_reason`, `status`, `role`, `severity`, ...) accept
 *   any string while their Type still lists the documented values;
 * - unions that the server may extend (Responses stream events, output items, output content parts)
 *   end with an `unknown` member that keeps the whole payload: its `type` is `"unknown"`, the wire
 *   type is in `originalType`, so `switch (event.type)` still narrows the documented members.
 *
 * This module gathers the per-API modules under one name: {@link InferenceCommonSchema} (shared
 * pieces), {@link ChatCompletionRequestSchema} and {@link ChatCompletionSchema} (chat completions),
 * {@link ResponsesRequestSchema}, {@link ResponseSchema} and {@link ResponseStreamEventSchema}
 * (Responses), and {@link EmbeddingSchema} (embeddings). Each schema is the same value whichever
 * module it is imported from.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { InferenceSchema } from "@effect-skytells/client"
 *
 * const decodeChunk = Schema.decodeUnknown(Schema.parseJson(InferenceSchema.ChatCompletionChunk))
 *
 * const decodeEvent = Schema.decodeUnknown(Schema.parseJson(InferenceSchema.ResponseStreamEvent))
 * // decodeEvent(data).pipe(Effect.map((event) => event.type === "response.output_text.delta" ? event.delta : ""))
 * ```
 *
 * @since 0.1.0
 */

/**
 * The schemas shared by the Inference APIs: safety results, log probabilities, annotations, roles, tools.
 *
 * @since 0.1.0
 */
export * from "./InferenceCommonSchema.js"

/**
 * The body of `POST /v1/chat/completions`.
 *
 * @since 0.1.0
 */
export * from "./ChatCompletionRequestSchema.js"

/**
 * The answer of `POST /v1/chat/completions`: completions and stream chunks.
 *
 * @since 0.1.0
 */
export * from "./ChatCompletionSchema.js"

/**
 * The body of `POST /v1/responses`.
 *
 * @since 0.1.0
 */
export * from "./ResponsesRequestSchema.js"

/**
 * The `Response` object of `POST /v1/responses`.
 *
 * @since 0.1.0
 */
export * from "./ResponseSchema.js"

/**
 * The stream events of `POST /v1/responses` with `stream: true`.
 *
 * @since 0.1.0
 */
export * from "./ResponseStreamEventSchema.js"

/**
 * Embeddings (`POST /v1/embeddings`) and the base64 embedding decoder.
 *
 * @since 0.1.0
 */
export * from "./EmbeddingSchema.js"
