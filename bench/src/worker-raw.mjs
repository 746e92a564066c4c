// Bench worker for the clients that are not this toolkit: raw undici, global fetch, openai and the
// official skytells SDK. Plain JS (no tsx loader), each client's module imported only when used.
import { API_KEY, chatRequest, PREDICTION_ID } from "./fixtures.mjs"
import { config, measure, promiseDriver, report } from "./harness.mjs"

const cfg = config()
const origin = cfg.origin
const base = `${origin}/v1`
const chatBody = JSON.stringify(chatRequest)

const makeSend = async (client) => {
  switch (client) {
    case "undici": {
      const { Pool } = await import("undici")
      const pool = new Pool(origin)
      const path = `/v1/predictions/${PREDICTION_ID}`
      const headers = { "x-api-key": API_KEY, accept: "application/json" }
      return async () => {
        const res = await pool.request({ method: "GET", path, headers })
        const text = await res.body.text()
        if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`)
        return JSON.parse(text)
      }
    }
    case "undici-chat": {
      const { Pool } = await import("undici")
      const pool = new Pool(origin)
      const headers = { "x-api-key": API_KEY, accept: "application/json", "content-type": "application/json" }
      return async () => {
        const res = await pool.request({ method: "POST", path: "/v1/chat/completions", headers, body: chatBody })
        const text = await res.body.text()
        if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`)
        return JSON.parse(text)
      }
    }
    case "fetch": {
      const url = `${base}/predictions/${PREDICTION_ID}`
      const headers = { "x-api-key": API_KEY, accept: "application/json" }
      return async () => {
        const res = await fetch(url, { headers })
        const json = await res.json()
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`)
        return json
      }
    }
    case "openai": {
      const { default: OpenAI } = await import("openai")
      const openai = new OpenAI({ apiKey: API_KEY, baseURL: base })
      return () => openai.chat.completions.create(chatRequest)
    }
    case "skytells": {
      const { createClient } = await import("skytells")
      const sky = createClient(API_KEY, { baseUrl: base })
      return () => sky.getPrediction(PREDICTION_ID)
    }
    default:
      throw new Error(`unknown client ${client}`)
  }
}

const send = await makeSend(cfg.client)
const result = await measure({
  run: promiseDriver(send),
  warmup: cfg.warmup,
  requests: cfg.requests,
  concurrency: cfg.concurrency,
  origin
})
report({ client: cfg.client, ...result })
process.exit(0)
