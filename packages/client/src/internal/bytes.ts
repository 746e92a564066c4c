/**
 * Byte helpers shared by the body readers.
 *
 * @internal
 */

/**
 * The chunks of a body as one array (the only chunk itself when there is one).
 *
 * @internal
 */
export const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
