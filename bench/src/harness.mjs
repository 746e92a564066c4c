// The measuring side of a bench worker, shared by the raw clients (.mjs) and the Effect clients (.ts):
// warm-up, then one measured phase with client CPU (user+sys), latency percentiles, GC pauses and
// peak RSS. Workers print one JSON line prefixed with RESULT.
import * as http from "node:http"
import { PerformanceObserver } from "node:perf_hooks"

/** A driver over a promise-returning `send`: `concurrency` loops sharing one counter. */
export const promiseDriver = (send) => async (n, concurrency, latencies) => {
  let next = 0
  let errors = 0
  let firstError
  const loop = async () => {
    while (true) {
      const i = next++
      if (i >= n) return
      const t = performance.now()
      try {
        await send(i)
      } catch (e) {
        errors++
        firstError ??= e
      }
      if (latencies) latencies[i] = performance.now() - t
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, loop))
  return { errors, firstError }
}

const percentile = (sorted, p) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]

/** CPU seconds the server process used so far (its /__stats). */
export const serverCpu = (origin) =>
  new Promise((resolve) => {
    http.get(`${origin}/__stats`, { agent: false }, (res) => {
      let text = ""
      res.on("data", (c) => (text += c))
      res.on("end", () => {
        try {
          const { cpu, counters } = JSON.parse(text)
          resolve({ cpuS: (cpu.user + cpu.system) / 1e6, counters })
        } catch {
          resolve({ cpuS: NaN, counters: {} })
        }
      })
    }).on("error", () => resolve({ cpuS: NaN, counters: {} }))
  })

/**
 * Runs `warmup` then `requests` requests through `run(n, concurrency, latencies)` and returns the
 * measurements of the second phase.
 */
export const measure = async ({ run, warmup, requests, concurrency, origin }) => {
  const w = await run(warmup, concurrency, null)
  if (w.errors > 0) throw new Error(`warm-up: ${w.errors} errors; first: ${w.firstError?.stack ?? w.firstError}`)
  let gcMs = 0
  let gcCount = 0
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration
      gcCount++
    }
  })
  obs.observe({ entryTypes: ["gc"] })
  let peakRss = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > peakRss) peakRss = rss
  }, 25)
  const latencies = new Float64Array(requests)
  const srv0 = await serverCpu(origin)
  const window = { startUs: Number(process.hrtime.bigint() / 1000n) }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const m = await run(requests, concurrency, latencies)
  const elapsed = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  window.endUs = Number(process.hrtime.bigint() / 1000n)
  const srv1 = await serverCpu(origin)
  clearInterval(sampler)
  await new Promise((r) => setTimeout(r, 10))
  obs.disconnect()
  peakRss = Math.max(peakRss, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024)
  latencies.sort()
  const cpuS = (cpu.user + cpu.system) / 1e6
  return {
    requests,
    concurrency,
    errors: m.errors,
    firstError: m.firstError ? String(m.firstError?.stack ?? m.firstError).slice(0, 500) : undefined,
    seconds: elapsed,
    rps: requests / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuS,
    cpuUsPerReq: (cpuS * 1e6) / requests,
    peakRssMB: peakRss / 2 ** 20,
    gcMs,
    gcCount,
    serverUtil: (srv1.cpuS - srv0.cpuS) / elapsed,
    window
  }
}

/** Parses the worker's argument (a JSON object). */
export const config = () => JSON.parse(process.argv[2] ?? "{}")

export const report = (result) => {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
}
