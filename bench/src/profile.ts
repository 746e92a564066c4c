/**
 * Reads a `.cpuprofile` and summarises the samples taken inside the measured window: self time by
 * function and by package, and the inclusive time of the toolkit's own functions.
 */
import * as fs from "node:fs"

interface Node {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface ProfileSummary {
  readonly samples: number
  readonly totalMs: number
  readonly usPerRequest: number
  readonly topSelf: ReadonlyArray<{ name: string; ms: number; pct: number }>
  readonly categories: ReadonlyArray<{ name: string; ms: number; pct: number; usPerReq: number }>
  readonly toolkitInclusive: ReadonlyArray<{ name: string; ms: number; pct: number; usPerReq: number }>
}

const shortUrl = (url: string): string => {
  if (url === "") return ""
  const nm = url.lastIndexOf("node_modules/")
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length)
    return rest.replace(/\/dist\/(esm|cjs)\//, "/")
  }
  const pk = url.indexOf("/packages/")
  if (pk >= 0) return url.slice(pk + 1)
  const b = url.indexOf("/bench/")
  if (b >= 0) return url.slice(b + 1)
  return url.replace(/^file:\/\//, "")
}

/** Source module of each line of an esbuild bundle, from its `// path` module comments. */
const bundleMaps = new Map<string, Array<[number, string]>>()
const moduleOf = (url: string, line: number): string | undefined => {
  if (!url.includes("/bench/build/")) return undefined
  let markers = bundleMaps.get(url)
  if (markers === undefined) {
    markers = []
    try {
      const text = fs.readFileSync(new URL(url), "utf8").split("\n")
      text.forEach((l, i) => {
        const m = /^\/\/ (\S+\.(?:ts|mjs|js))$/.exec(l)
        if (m) markers!.push([i, m[1]!.replace(/^(\.\.\/)+/, "")])
      })
    } catch {
      // not a file URL
    }
    bundleMaps.set(url, markers)
  }
  let found: string | undefined
  for (const [start, mod] of markers) {
    if (start <= line) found = mod
    else break
  }
  return found
}

/** The frame's URL, with a bundled frame's source module in place of the bundle. */
const sourceOf = (frame: Node["callFrame"]): string => moduleOf(frame.url, frame.lineNumber) ?? frame.url

export const category = (frame: Node["callFrame"]): string => {
  const { functionName } = frame
  const url = sourceOf(frame)
  if (functionName === "(garbage collector)") return "GC"
  if (functionName === "(program)") return "(program) VM/native"
  if (functionName === "(idle)") return "(idle)"
  if (url.includes("packages/client/")) return "effect-skytells client (packages/client)"
  if (url.includes("/effect/dist/") || url.includes("/node_modules/effect/")) {
    return /ParseResult|Schema|SchemaAST/.test(url)
      ? "effect: Schema/ParseResult"
      : "effect: runtime (fiber, core, FiberRef, Context, tracer, metrics…)"
  }
  if (url.includes("@effect/platform-node")) return "@effect/platform-node"
  if (url.includes("@effect/platform/")) return "@effect/platform"
  if (url.includes("/undici/")) return "undici (npm)"
  if (url.startsWith("node:")) return "node core (streams, net, events, url…)"
  if (url.includes("/bench/") || url.startsWith("src/")) return "benchmark harness"
  if (url === "") return "V8 builtins/native (JSON.parse, etc.)"
  return "other"
}

export const analyze = (file: string, window: { startUs: number; endUs: number }, requests: number): ProfileSummary => {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile
  const byId = new Map<number, Node>()
  const parent = new Map<number, number>()
  for (const n of profile.nodes) {
    byId.set(n.id, n)
    for (const c of n.children ?? []) parent.set(c, n.id)
  }
  const self = new Map<number, number>()
  let t = profile.startTime
  let total = 0
  let count = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0
    t += dt
    if (t < window.startUs || t > window.endUs) continue
    // Each sample accounts for the interval until the next one.
    const next = profile.timeDeltas[i + 1] ?? dt
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + next)
    total += next
    count++
  }
  const nameOf = (n: Node) => {
    const mod = moduleOf(n.callFrame.url, n.callFrame.lineNumber)
    const where = mod !== undefined
      ? `${mod} (bundle:${n.callFrame.lineNumber + 1})`
      : `${shortUrl(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ""}`
    return `${n.callFrame.functionName || "(anonymous)"} ${where}`.trim()
  }
  const fnSelf = new Map<string, number>()
  const catSelf = new Map<string, number>()
  const incl = new Map<string, number>()
  for (const [id, us] of self) {
    const n = byId.get(id)!
    const key = nameOf(n)
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + us)
    const cat = category(n.callFrame)
    catSelf.set(cat, (catSelf.get(cat) ?? 0) + us)
    // Inclusive time of toolkit frames: each distinct toolkit function on the stack once.
    const seen = new Set<string>()
    let cur: number | undefined = id
    while (cur !== undefined) {
      const f = byId.get(cur)!
      if (sourceOf(f.callFrame).includes("packages/client/")) {
        const k = nameOf(f)
        if (!seen.has(k)) {
          seen.add(k)
          incl.set(k, (incl.get(k) ?? 0) + us)
        }
      }
      cur = parent.get(cur)
    }
  }
  const pct = (us: number) => (100 * us) / total
  return {
    samples: count,
    totalMs: total / 1000,
    usPerRequest: total / requests,
    topSelf: [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([name, us]) => ({
      name,
      ms: us / 1000,
      pct: pct(us)
    })),
    categories: [...catSelf].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({
      name,
      ms: us / 1000,
      pct: pct(us),
      usPerReq: us / requests
    })),
    toolkitInclusive: [...incl].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([name, us]) => ({
      name,
      ms: us / 1000,
      pct: pct(us),
      usPerReq: us / requests
    }))
  }
}

// `tsx src/profile.ts <file.cpuprofile> [requests]`: summarise a profile without a window.
if (process.argv[1]?.endsWith("profile.ts") && process.argv[2]) {
  const s = analyze(process.argv[2], { startUs: 0, endUs: Number.MAX_SAFE_INTEGER }, Number(process.argv[3] ?? 1))
  console.log(JSON.stringify(s, null, 2))
}
