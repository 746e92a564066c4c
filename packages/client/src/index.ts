/**
 * @since 0.1.0
 */

/**
 * `effect/Schema` schemas for the body of `POST /v1/chat/completions`.
 *
 * @since 0.1.0
 */
export * as ChatCompletionRequestSchema from "./ChatCompletionRequestSchema.js"

/**
 * `effect/Schema` schemas for the answer of `POST /v1/chat/completions`: completions and stream chunks.
 *
 * @since 0.1.0
 */
export * as ChatCompletionSchema from "./ChatCompletionSchema.js"

/**
 * `effect/Schema` schemas for embeddings (`POST /v1/embeddings`) and the base64 embedding decoder.
 *
 * @since 0.1.0
 */
export * as EmbeddingSchema from "./EmbeddingSchema.js"

/**
 * An `HttpClient` served by an `HttpApp` in the same fiber: the test transport.
 *
 * @since 0.1.0
 */
export * as InProcessHttpClient from "./InProcessHttpClient.js"

/**
 * The OpenAI-compatible Inference API: chat completions and Responses (plain and streamed, with an
 * idle timeout), embeddings, batched `embed` calls and an opt-in cache.
 *
 * @since 0.1.0
 */
export * as Inference from "./Inference.js"

/**
 * The opt-in cache of identical chat completions and embeddings (re-exported by `Inference`).
 *
 * @since 0.1.0
 */
export * as InferenceCache from "./InferenceCache.js"

/**
 * `effect/Schema` schemas shared by the Inference APIs: safety results, log probabilities, annotations,
 * roles and chat-style function tools.
 *
 * @since 0.1.0
 */
export * as InferenceCommonSchema from "./InferenceCommonSchema.js"

/**
 * Embeddings: one call for many inputs, and `embed` calls batched across fibers (re-exported by
 * `Inference`).
 *
 * @since 0.1.0
 */
export * as InferenceEmbeddings from "./InferenceEmbeddings.js"

/**
 * `effect/Schema` schemas for the OpenAI-compatible Inference API (chat completions, Responses,
 * embeddings), with the Skytells safety fields.
 *
 * @since 0.1.0
 */
export * as InferenceSchema from "./InferenceSchema.js"

/**
 * The client-side limiter as a replaceable service: requests per minute and per day, requests in
 * flight, and a pause for every request while the server says the budget is spent.
 *
 * @since 0.1.0
 */
export * as Limiter from "./Limiter.js"

/**
 * The Skytells Model object, decoded leniently.
 *
 * @since 0.1.0
 */
export * as Model from "./Model.js"

/**
 * The Models API: list and get models, an opt-in cache, and local validation of inputs against a
 * model's input_schema.
 *
 * @since 0.1.0
 */
export * as Models from "./Models.js"

/**
 * Where `Outputs.save` stores outputs: the file system built in, S3 with `@effect-skytells/s3`;
 * atomic and idempotent per key.
 *
 * @since 0.1.0
 */
export * as OutputStorage from "./OutputStorage.js"

/**
 * Saving a prediction's outputs to files or any `OutputStorage`: streamed in constant memory,
 * retried, stored atomically; the API key is never sent to output hosts.
 *
 * @since 0.1.0
 */
export * as Outputs from "./Outputs.js"

/**
 * The Skytells Prediction object, decoded leniently.
 *
 * @since 0.1.0
 */
export * as Prediction from "./Prediction.js"

/**
 * The Prediction API: create, get, list, cancel, delete, wait, watch and run.
 *
 * @since 0.1.0
 */
export * as Predictions from "./Predictions.js"

/**
 * The toolkit from plain `async` code: Promises and async iterables that reject with the typed
 * errors themselves, accept an `AbortSignal`, and dispose cleanly.
 *
 * @since 0.1.0
 */
export * as PromiseClient from "./PromiseClient.js"

/**
 * Rate-limit information from the server's headers, and the client-side limiter's options.
 *
 * @since 0.1.0
 */
export * as RateLimit from "./RateLimit.js"

/**
 * `effect/Schema` schemas for the `Response` object of `POST /v1/responses`.
 *
 * @since 0.1.0
 */
export * as ResponseSchema from "./ResponseSchema.js"

/**
 * `effect/Schema` schemas for the stream events of `POST /v1/responses` with `stream: true`.
 *
 * @since 0.1.0
 */
export * as ResponseStreamEventSchema from "./ResponseStreamEventSchema.js"

/**
 * `effect/Schema` schemas for the body of `POST /v1/responses`.
 *
 * @since 0.1.0
 */
export * as ResponsesRequestSchema from "./ResponsesRequestSchema.js"

/**
 * Retry policies: `Schedule`s over the typed error of a call.
 *
 * @since 0.1.0
 */
export * as Retry from "./Retry.js"

/**
 * The service that executes Skytells requests.
 *
 * @since 0.1.0
 */
export * as SkytellsClient from "./SkytellsClient.js"

/**
 * Every failure the toolkit can report, as `Schema.TaggedError` classes in Effect's typed error channel.
 *
 * @since 0.1.0
 */
export * as SkytellsError from "./SkytellsError.js"

/**
 * Every way a webhook delivery can be refused, as `Schema.TaggedError` classes: the signature is
 * missing or wrong, the body is not an event, too large, or stale.
 *
 * @since 0.1.0
 */
export * as WebhookError from "./WebhookError.js"

/**
 * The typed events a webhook delivery decodes to, the decoders, and the getters the handler's
 * freshness check and duplicate protection are built on.
 *
 * @since 0.1.0
 */
export * as WebhookEvent from "./WebhookEvent.js"

/**
 * Checking and producing the `X-Skytells-Signature` of a webhook delivery.
 *
 * @since 0.1.0
 */
export * as WebhookSignature from "./WebhookSignature.js"

/**
 * The store webhook deliveries are deduplicated in (in memory by default; pluggable).
 *
 * @since 0.1.0
 */
export * as WebhookStore from "./WebhookStore.js"

/**
 * Receiving Skytells webhooks: the HTTP handler, plus everything of `WebhookEvent`, `WebhookSignature`
 * and `WebhookError` re-exported (`Webhooks.verify`, `Webhooks.sign`, ...).
 *
 * @since 0.1.0
 */
export * as Webhooks from "./Webhooks.js"
