// The proof (WebhookProof) on a real Redis: identical concurrent deliveries over two worker
// processes run the handler once; a failed one runs again when redelivered.
import * as WebhookProof from "@effect-skytells/test-support/WebhookProof"
import { Effect } from "effect"
import { describeRedis, redisUrl, TestRedis } from "./servers.js"

describeRedis("RedisWebhookStore across two worker processes", (it) => {
  it.scoped(
    "identical concurrent deliveries run the handler once; a failed one runs again when redelivered",
    () =>
      Effect.gen(function*() {
        const { admin, prefix } = yield* TestRedis
        yield* WebhookProof.acrossTwoWorkers({
          worker: new URL("./fixtures/deliveryWorker.ts", import.meta.url).href,
          args: [redisUrl, prefix],
          isHeld: (key) => Effect.promise(async () => await admin.exists(`${prefix}${key}`) === 1)
        })
      }),
    60_000
  )
})
