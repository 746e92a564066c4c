/**
 * @since 0.1.0
 */

/**
 * An `OutputStorage` in S3-compatible object storage: streamed multipart uploads in constant
 * memory, atomic, idempotent per key.
 *
 * @since 0.1.0
 */
export * as S3OutputStorage from "./S3OutputStorage.js"
