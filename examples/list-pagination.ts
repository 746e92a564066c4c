/**
 * `Predictions.list` is a lazy `Stream`: a page is requested only when the consumer needs its items.
 * Taking 12 items of 10 per page reads pages 1 and 2 only; a client-side `Stream.filter` reads on
 * until it has found enough; a server-side filter (`model`) needs one page. The fake's request log
 * (`fake.requests`) shows which pages were read. Runs against the in-process fake.
 *
 *   pnpm --filter @effect-skytells/examples exec tsx list-pagination.ts
 */
import { Prediction, Predictions, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { Chunk, Console, Effect, Layer, Redacted, Stream } from "effect"

const pagesRead = Effect.gen(function*() {
  const fake = yield* FakeSkytells.FakeSkytells
  const pages = (yield* fake.requests).filter((r) => r.route === "predictions.list").map((r) => Number(r.query.page))
  yield* fake.clearRequests
  return pages
})

const program = Effect.gen(function*() {
  // 30 predictions, newest first in listings: 25 images on top of 5 videos.
  const create = (model: string) => Predictions.create({ model, input: { prompt: "a paper boat" } })
  yield* Effect.forEach(Array.from({ length: 5 }), () => create("truefusion-video"))
  yield* Effect.forEach(Array.from({ length: 25 }), () => create("truefusion"))
  yield* pagesRead

  const first12 = yield* Predictions.list({ perPage: 10 }).pipe(Stream.take(12), Stream.runCollect)
  const pages1 = yield* pagesRead
  yield* Console.log(`take(12) at 10 per page: ${Chunk.size(first12)} items, pages read ${pages1}`)

  const isVideo = (p: Prediction.Prediction) => Prediction.modelSlug(p) === "truefusion-video"
  const clientSide = yield* Predictions.list({ perPage: 10 }).pipe(
    Stream.filter(isVideo),
    Stream.take(3),
    Stream.runCollect
  )
  const pages2 = yield* pagesRead
  yield* Console.log(`filter(video) + take(3): ${Chunk.size(clientSide)} items, pages read ${pages2}`)

  const serverSide = yield* Predictions.list({ perPage: 10, model: "truefusion-video" }).pipe(
    Stream.take(3),
    Stream.runCollect
  )
  const pages3 = yield* pagesRead
  yield* Console.log(`list({ model }) + take(3): ${Chunk.size(serverSide)} items, pages read ${pages3}`)

  const all = yield* Predictions.list({ perPage: 50 }).pipe(Stream.runCount)
  yield* Console.log(`runCount at 50 per page: ${all} items, pages read ${yield* pagesRead}`)

  const ok = Chunk.size(first12) === 12 && `${pages1}` === "1,2" &&
    Chunk.size(clientSide) === 3 && Chunk.every(clientSide, isVideo) && `${pages2}` === "1,2,3" &&
    Chunk.size(serverSide) === 3 && `${pages3}` === "1" && all === 30
  if (!ok) yield* Effect.fail(new Error("the stream read more (or fewer) pages than it needed"))
})

const Skytells = SkytellsClient.layer({
  apiKey: Redacted.make(FakeSkytells.defaultApiKey),
  baseUrl: FakeSkytells.defaultBaseUrl
}).pipe(Layer.provideMerge(FakeSkytells.layer()))

Effect.runPromise(Effect.provide(program, Skytells)).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
