// Fixed response bodies of the bench server: a prediction (~630 bytes, like the baseline probe), a
// chat completion (~700 bytes), list pages and embeddings. Plain JS so the raw clients load no TS.

export const API_KEY = "sk-bench-0123456789abcdef"

/** A succeeded prediction as `GET /v1/predictions/{id}` returns it. */
export const prediction = (id, status = "succeeded", base = "http://127.0.0.1/v1") => ({
  id,
  status,
  type: "inference",
  stream: false,
  model: { name: "truefusion", type: "image" },
  input: { prompt: "A lighthouse on a cliff at sunset, cinematic lighting", aspect_ratio: "16:9" },
  output: status === "succeeded" ? ["https://delivery.skytells.cloud/predictions/a1b2c3d4/output-0.png"] : null,
  error: null,
  data_removed: false,
  metrics: { progress: status === "succeeded" ? 100 : 40, predict_time: 3.412, total_time: 4.108 },
  urls: {
    get: `${base}/predictions/${id}`,
    cancel: `${base}/predictions/${id}/cancel`
  },
  created_at: "2025-01-15T10:30:00.000000Z",
  started_at: "2025-01-15T10:30:00.512345Z",
  completed_at: status === "succeeded" ? "2025-01-15T10:30:04.108000+00:00" : null
})

export const PREDICTION_ID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"

export const chatCompletion = {
  id: "chatcmpl-BxK2v9WZq4r8TnLm3aYpQe7Hs1dF",
  object: "chat.completion",
  created: 1760000000,
  model: "deepbrain-router",
  system_fingerprint: "fp_bench",
  service_tier: "default",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content:
          "The capital of France is Paris. It has been the capital since the 10th century, with short interruptions.",
        refusal: null,
        annotations: []
      },
      finish_reason: "stop",
      logprobs: null
    }
  ],
  usage: {
    prompt_tokens: 24,
    completion_tokens: 74,
    total_tokens: 98,
    prompt_tokens_details: { audio_tokens: 0, cached_tokens: 0 },
    completion_tokens_details: {
      accepted_prediction_tokens: 0,
      audio_tokens: 0,
      reasoning_tokens: 64,
      rejected_prediction_tokens: 0
    }
  }
}

export const chatRequest = {
  model: "deepbrain-router",
  messages: [{ role: "user", content: "What is the capital of France?" }]
}

/** A small base64 Float32 vector (8 dimensions). */
export const VECTOR_B64 = Buffer.from(new Float32Array([0.5, -1.25, 3, 0.0078125, -0, 1024, 0.1, 0.2]).buffer).toString(
  "base64"
)
