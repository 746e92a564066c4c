// Loads the micro bundle of the current sources and the patched one into one process and alternates
// them (A B B A A B), so both see the same JIT and heap state: `node micro-ab.mjs <a.js> <b.js> <cfg>`.
const [a, b, raw] = process.argv.slice(2)
const cfg = JSON.parse(raw ?? "{}")
const A = await import(a)
const B = await import(b)
const runs = []
const order = ["orig", "patched", "patched", "orig", "orig", "patched"]
for (let i = 0; i < order.length; i++) {
  const variant = order[i]
  const result = await (variant === "orig" ? A : B).measureAll({ ...cfg, parts: cfg.parts && i === 0 })
  runs.push({ variant, result })
}
process.stdout.write(`RESULT ${JSON.stringify(runs)}\n`)
process.exit(0)
