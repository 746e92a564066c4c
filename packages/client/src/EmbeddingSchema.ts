/**
 * `effect/Schema` schemas for embeddings (`POST /v1/embeddings`), and
 * {@link decodeEmbeddingBase64} for embeddings requested with `encoding_format: "base64"`.
 * {@link InferenceSchema} re-exports this module.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { nullable, openLiteral, PositiveInt } from "./internal/inferenceSchema.js"

/**
 * The body of `POST /v1/embeddings`. `input` is a string, several strings, or token ids (one
 * array, or one array per input). With `encoding_format: "base64"` each embedding comes back as
 * base64 of little-endian float32s (see {@link decodeEmbeddingBase64}).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbeddingRequest = Schema.Struct({
  model: Schema.String,
  input: Schema.Union(
    Schema.String,
    Schema.Array(Schema.String),
    Schema.Array(Schema.NonNegativeInt),
    Schema.Array(Schema.Array(Schema.NonNegativeInt))
  ),
  encoding_format: Schema.optional(Schema.Literal("float", "base64")),
  dimensions: Schema.optional(PositiveInt),
  user: Schema.optional(Schema.String)
}).annotations({ identifier: "EmbeddingRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbeddingRequest extends Schema.Schema.Type<typeof EmbeddingRequest> {}

/**
 * One embedding: numbers (`encoding_format: "float"`) or a base64 string (`"base64"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Embedding = Schema.Struct({
  object: nullable(openLiteral("embedding")),
  index: Schema.Number,
  embedding: Schema.Union(Schema.Array(Schema.Number), Schema.String)
}).annotations({ identifier: "Embedding" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Embedding extends Schema.Schema.Type<typeof Embedding> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const EmbeddingUsage = Schema.Struct({
  prompt_tokens: Schema.Number,
  total_tokens: Schema.Number
}).annotations({ identifier: "EmbeddingUsage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbeddingUsage extends Schema.Schema.Type<typeof EmbeddingUsage> {}

/**
 * The answer of `POST /v1/embeddings`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbeddingResponse = Schema.Struct({
  object: nullable(openLiteral("list")),
  model: Schema.String,
  data: Schema.Array(Embedding),
  usage: nullable(EmbeddingUsage)
}).annotations({ identifier: "EmbeddingResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbeddingResponse extends Schema.Schema.Type<typeof EmbeddingResponse> {}

/**
 * A base64 embedding that could not be decoded:
 *
 * - `InvalidCharacter`: a character outside the standard base64 alphabet (`position` is its index);
 * - `InvalidLength`: a length that no base64 text has (or misplaced `=` padding);
 * - `NotFloat32Aligned`: the decoded `byteLength` is not a multiple of 4, so not float32 values.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidEmbeddingBase64 extends Schema.TaggedError<InvalidEmbeddingBase64>(
  "@effect-skytells/client/InferenceSchema/InvalidEmbeddingBase64"
)("InvalidEmbeddingBase64", {
  reason: Schema.Literal("InvalidCharacter", "InvalidLength", "NotFloat32Aligned"),
  inputLength: Schema.Number,
  position: Schema.optional(Schema.Number),
  byteLength: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    switch (this.reason) {
      case "InvalidCharacter":
        return `Invalid base64 embedding: unexpected character at position ${this.position ?? "?"}`
      case "InvalidLength":
        return `Invalid base64 embedding: ${this.inputLength} characters cannot be base64`
      case "NotFloat32Aligned":
        return `Invalid base64 embedding: ${this.byteLength ?? "?"} bytes are not a whole number of float32 values`
    }
  }
}

// 0-63 for the standard alphabet, -1 otherwise.
const sextet = (c: number): number =>
  c >= 65 && c <= 90
    ? c - 65
    : c >= 97 && c <= 122
    ? c - 71
    : c >= 48 && c <= 57
    ? c + 4
    : c === 43
    ? 62
    : c === 47
    ? 63
    : -1

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Decodes an embedding sent with `encoding_format: "base64"`: standard base64 (padding optional)
 * of little-endian IEEE 754 float32 values. Works on every runtime (no `Buffer`, no `atob`) and
 * never throws: malformed input gives `Either.left(InvalidEmbeddingBase64)`. The result can be
 * yielded in `Effect.gen`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEmbeddingBase64 = (s: string): Either.Either<Float32Array, InvalidEmbeddingBase64> => {
  let end = s.length
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--
  const padding = s.length - end
  const rest = end % 4
  if (rest === 1 || (padding > 0 && (s.length % 4 !== 0 || rest === 0))) {
    return Either.left(new InvalidEmbeddingBase64({ reason: "InvalidLength", inputLength: s.length }))
  }
  const byteLength = (end >> 2) * 3 + (rest === 0 ? 0 : rest - 1)
  const bytes = new Uint8Array(byteLength)
  let out = 0
  let i = 0
  for (; i + 4 <= end; i += 4) {
    const a = sextet(s.charCodeAt(i))
    const b = sextet(s.charCodeAt(i + 1))
    const c = sextet(s.charCodeAt(i + 2))
    const d = sextet(s.charCodeAt(i + 3))
    if ((a | b | c | d) < 0) return Either.left(invalidCharacter(s, i))
    const n = (a << 18) | (b << 12) | (c << 6) | d
    bytes[out++] = n >> 16
    bytes[out++] = (n >> 8) & 255
    bytes[out++] = n & 255
  }
  if (rest > 0) {
    const a = sextet(s.charCodeAt(i))
    const b = sextet(s.charCodeAt(i + 1))
    const c = rest === 3 ? sextet(s.charCodeAt(i + 2)) : 0
    if ((a | b | c) < 0) return Either.left(invalidCharacter(s, i))
    const n = (a << 18) | (b << 12) | (c << 6)
    bytes[out++] = n >> 16
    if (rest === 3) bytes[out++] = (n >> 8) & 255
  }
  if (byteLength % 4 !== 0) {
    return Either.left(new InvalidEmbeddingBase64({ reason: "NotFloat32Aligned", inputLength: s.length, byteLength }))
  }
  if (littleEndian) return Either.right(new Float32Array(bytes.buffer))
  const view = new DataView(bytes.buffer)
  const floats = new Float32Array(byteLength >> 2)
  for (let k = 0; k < floats.length; k++) floats[k] = view.getFloat32(k * 4, true)
  return Either.right(floats)
}

const invalidCharacter = (s: string, from: number): InvalidEmbeddingBase64 => {
  let position = from
  while (sextet(s.charCodeAt(position)) >= 0) position++
  return new InvalidEmbeddingBase64({ reason: "InvalidCharacter", inputLength: s.length, position })
}
