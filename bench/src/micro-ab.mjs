// Loads the micro bundle of the base sources and of the working tree into one process and alternates
// them (A B B A A B), so both see the same JIT and heap state: `node micro-ab.mjs <base.js> <current.js> <cfg>`.
const [a, b, raw] = process.argv.slice(2)
const cfg = JSON.parse(raw ?? "{}")
const A = await import(a)
const B = await import(b)
const runs = []
const order = ["base", "current", "current", "base", "base", "current"]
for (let i = 0; i < order.length; i++) {
  const variant = order[i]
  const result = await (variant === "base" ? A : B).measureAll({ ...cfg, parts: cfg.parts && i === 0 })
  runs.push({ variant, result })
}
process.stdout.write(`RESULT ${JSON.stringify(runs)}\n`)
process.exit(0)
