/**
 * A small seeded PRNG (mulberry32) and the id formats the fake hands out. Deterministic: the same
 * seed and the same sequence of requests give the same ids and the same fault decisions.
 *
 * @internal
 */

/** @internal */
export class Prng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** `n` lowercase hex digits. */
  hex(n: number): string {
    let out = ""
    while (out.length < n) out += Math.floor(this.next() * 0x10000).toString(16).padStart(4, "0")
    return out.slice(0, n)
  }
  /** A version-4 shaped UUID. */
  uuid(): string {
    const h = this.hex(32)
    const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
  }
}

/** FNV-1a, 32 bits: a stable seed derived from text (deterministic embeddings, replies). @internal */
export const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
