// The bench server: node:http on loopback, keep-alive, fixed JSON bodies. Run in its own process
// (pinned with taskset by bench.ts). Prints `{"port": n}` on stdout once listening.
//
//   GET  /v1/predictions/{id}        a fixed succeeded prediction; ids `poll-*` are "processing"
//                                    until `pollCompleteMs` after their first request
//   GET  /v1/predictions?page&per_page   pages over `listTotal` generated predictions
//   POST /v1/chat/completions        a fixed chat completion
//   POST /v1/embeddings              one 8-dimension base64 vector per input
//   GET  /__stats, POST /__reset, POST /__control {listTotal, pollCompleteMs}
import * as http from "node:http"
import { API_KEY, chatCompletion, prediction, PREDICTION_ID, VECTOR_B64 } from "./fixtures.mjs"

let base = "http://127.0.0.1/v1"
let listTotal = 100_000
let pollCompleteMs = 2_000
const pages = new Map()

const counters = { requests: 0, get: 0, list: 0, chat: 0, embeddings: 0, embedInputs: 0, maxBatch: 0, unauthorized: 0 }
/** id -> request times (ms, monotonic) for `poll-*` ids */
let polls = new Map()

let predictionBody
const chatBody = Buffer.from(JSON.stringify(chatCompletion))

const send = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json", "content-length": body.length })
  res.end(body)
}

const pageBody = (page, perPage) => {
  const key = `${page}/${perPage}`
  let body = pages.get(key)
  if (body === undefined) {
    const start = (page - 1) * perPage
    const data = []
    for (let i = start; i < Math.min(listTotal, start + perPage); i++) {
      data.push(prediction(`list-${String(i).padStart(8, "0")}`, "succeeded", base))
    }
    const lastPage = Math.max(1, Math.ceil(listTotal / perPage))
    body = Buffer.from(JSON.stringify({
      data,
      pagination: { current_page: page, per_page: perPage, total: listTotal, last_page: lastPage }
    }))
    // Page bodies are regenerated per page and not kept: the client must not depend on the server's memory.
    if (pages.size < 4) pages.set(key, body)
  }
  return body
}

const readBody = (req) =>
  new Promise((resolve) => {
    const chunks = []
    req.on("data", (c) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

const server = http.createServer(async (req, res) => {
  counters.requests++
  const url = req.url ?? "/"
  const q = url.indexOf("?")
  const path = q === -1 ? url : url.slice(0, q)
  if (path.startsWith("/__")) {
    const text = await readBody(req)
    if (path === "/__stats") {
      const pollStats = []
      for (const [id, times] of polls) pollStats.push([id, times])
      return send(res, 200, Buffer.from(JSON.stringify({ cpu: process.cpuUsage(), counters, polls: pollStats })))
    }
    if (path === "/__reset") {
      for (const k of Object.keys(counters)) counters[k] = 0
      polls = new Map()
      return send(res, 200, Buffer.from("{}"))
    }
    if (path === "/__control") {
      const o = JSON.parse(text || "{}")
      if (o.listTotal !== undefined) listTotal = o.listTotal
      if (o.pollCompleteMs !== undefined) pollCompleteMs = o.pollCompleteMs
      pages.clear()
      return send(res, 200, Buffer.from("{}"))
    }
  }
  const key = req.headers["x-api-key"] ?? (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "")
  if (key !== API_KEY) {
    counters.unauthorized++
    await readBody(req)
    return send(res, 401, Buffer.from(JSON.stringify({ error: { error_id: "UNAUTHORIZED", message: "bad key" } })))
  }
  if (req.method === "GET" && path.startsWith("/v1/predictions/")) {
    counters.get++
    const id = decodeURIComponent(path.slice("/v1/predictions/".length))
    if (id.startsWith("poll-")) {
      const now = performance.now()
      let times = polls.get(id)
      if (times === undefined) polls.set(id, times = [])
      times.push(Math.round(now * 1000) / 1000)
      const done = now - times[0] >= pollCompleteMs
      return send(res, 200, Buffer.from(JSON.stringify(prediction(id, done ? "succeeded" : "processing", base))))
    }
    return send(res, 200, predictionBody)
  }
  if (req.method === "GET" && path === "/v1/predictions") {
    counters.list++
    const params = new URLSearchParams(q === -1 ? "" : url.slice(q + 1))
    const page = Number(params.get("page") ?? "1")
    const perPage = Number(params.get("per_page") ?? "20")
    return send(res, 200, pageBody(page, perPage))
  }
  if (req.method === "POST" && path === "/v1/chat/completions") {
    counters.chat++
    await readBody(req)
    return send(res, 200, chatBody)
  }
  if (req.method === "POST" && path === "/v1/embeddings") {
    counters.embeddings++
    const body = JSON.parse(await readBody(req))
    const inputs = Array.isArray(body.input) ? body.input : [body.input]
    counters.embedInputs += inputs.length
    counters.maxBatch = Math.max(counters.maxBatch, inputs.length)
    const data = inputs.map((_, index) => ({ object: "embedding", index, embedding: VECTOR_B64 }))
    return send(
      res,
      200,
      Buffer.from(
        JSON.stringify({
          object: "list",
          data,
          model: body.model,
          usage: { prompt_tokens: inputs.length, total_tokens: inputs.length }
        })
      )
    )
  }
  await readBody(req)
  send(res, 404, Buffer.from(JSON.stringify({ error: { error_id: "ENDPOINT_NOT_FOUND", message: path } })))
})

server.keepAliveTimeout = 120_000
server.headersTimeout = 130_000
server.requestTimeout = 0
server.maxRequestsPerSocket = 0
server.listen(Number(process.env.BENCH_PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address()
  base = `http://127.0.0.1:${port}/v1`
  predictionBody = Buffer.from(JSON.stringify(prediction(PREDICTION_ID, "succeeded", base)))
  process.stdout.write(
    JSON.stringify({ port, predictionBytes: predictionBody.length, chatBytes: chatBody.length }) + "\n"
  )
})
process.on("SIGTERM", () => process.exit(0))
