/**
 * `Outputs.save` into S3OutputStorage, against s3rver (a real S3-compatible HTTP server, in process
 * on loopback): outputs of the fake Skytells API, a large output through multipart in bounded
 * memory, failures and interruptions that leave nothing visible, idempotent saves, and no Skytells
 * key in any request to the output host or to S3.
 */
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3"
import type { Prediction } from "@effect-skytells/client"
import { Predictions, SkytellsClient } from "@effect-skytells/client"
import * as Outputs from "@effect-skytells/client/Outputs"
import { S3OutputStorage } from "@effect-skytells/s3"
import { FakeSkytells } from "@effect-skytells/testing"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Logger, Option, Redacted, Schedule } from "effect"
import type { Seen } from "./servers.js"
import { bucket, cdnLayer, collect, count, memory, MiB, s3 } from "./servers.js"

const fakeLayer = SkytellsClient.layer({
  apiKey: Redacted.make(FakeSkytells.defaultApiKey),
  baseUrl: FakeSkytells.defaultBaseUrl
}).pipe(
  Layer.provideMerge(FakeSkytells.layer({ scenario: { lifecycle: { queued: 0, starting: 0, processing: 0 } } })),
  Layer.merge(NodeContext.layer)
)

const finished = (numOutputs: number) =>
  Effect.flatMap(
    Predictions.create({ model: "truefusion", input: { prompt: "a lighthouse", num_outputs: numOutputs } }),
    Predictions.get
  )

const succeeded = (...output: Array<string>): Prediction.Prediction => ({ id: "pred-1", status: "succeeded", output })

const head = (client: S3Client, key: string) =>
  Effect.promise(() => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))

type S3Client = Effect.Effect.Success<typeof s3>["client"]

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
  if (Option.isNone(failure)) {
    return assert.fail(`expected a typed failure, got ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "success"}`)
  }
  return failure.value
}

describe("over the fake Skytells API", () => {
  it.scoped("stores every output under <prefix><prediction id>/<name>, content type and bytes kept", () =>
    Effect.gen(function*() {
      const { client, keys } = yield* s3
      const prediction = yield* finished(2)
      const id = prediction.id!
      const locations = yield* Outputs.save(prediction).pipe(
        Effect.provide(S3OutputStorage.layer({ client, bucket, prefix: "runs/" }))
      )
      const expected = [`runs/${id}/output-0.png`, `runs/${id}/output-1.png`]
      assert.deepStrictEqual(locations, expected.map((key) => `s3://${bucket}/${key}`))
      assert.deepStrictEqual(yield* keys, expected)
      const stored = prediction.metadata?.storage?.files ?? []
      for (const [i, key] of expected.entries()) {
        const object = yield* head(client, key)
        assert.strictEqual(object.ContentType, "image/png")
        assert.strictEqual(object.ContentLength, stored[i]?.size)
        const bytes = yield* Effect.promise(async () =>
          (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()
        )
        assert.deepStrictEqual(Array.from(bytes.slice(1, 4)), [0x50, 0x4e, 0x47], "PNG magic")
      }
    }).pipe(Effect.provide(fakeLayer)))

  it.scoped("saving the same prediction twice replaces its objects: one per output", () =>
    Effect.gen(function*() {
      const { client, keys, requests } = yield* s3
      const prediction = yield* finished(3)
      const save = Outputs.save(prediction).pipe(Effect.provide(S3OutputStorage.layer({ client, bucket })))
      const first = yield* save
      const second = yield* save
      assert.deepStrictEqual(second, first)
      assert.lengthOf(yield* keys, 3)
      assert.strictEqual(count(requests, "PutObject"), 6, "each save stored each output")
    }).pipe(Effect.provide(fakeLayer)))

  it.scoped("the Skytells key reaches neither the output host nor S3", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* s3
      const prediction = yield* finished(2)
      yield* Outputs.save(prediction).pipe(Effect.provide(S3OutputStorage.layer({ client, bucket })))
      const all = yield* Effect.flatMap(FakeSkytells.FakeSkytells, (f) => f.requests)
      const files = all.filter((r) => r.route === "files.get")
      assert.lengthOf(files, 2)
      assert.isTrue(
        all.filter((r) => r.route.startsWith("predictions.")).every((r) => r.headers["x-api-key"] === "<redacted>"),
        "API calls are authenticated"
      )
      for (const r of files) {
        assert.notProperty(r.headers, "x-api-key")
        assert.notProperty(r.headers, "authorization")
        assert.notInclude(JSON.stringify(r), FakeSkytells.defaultApiKey)
      }
      assert.strictEqual(count(requests, "PutObject"), 2)
      for (const r of requests) {
        assert.notInclude(JSON.stringify(r), FakeSkytells.defaultApiKey)
        assert.notProperty(r.headers, "x-api-key")
        assert.include(r.headers["authorization"] ?? "", "Credential=S3RVER/", "signed with the S3 credentials only")
      }
    }).pipe(Effect.provide(fakeLayer)))
})

const SIZE = 64
const partSize = 5 * MiB

describe.sequential("over an output host in process", () => {
  it.scoped(`a ${SIZE} MiB output goes through multipart, in bounded memory`, () => {
    const seen: Array<Seen> = []
    const samples: Array<number> = []
    return Effect.gen(function*() {
      const { client, keys, requests } = yield* s3
      collect()
      const before = memory()
      const [location] = yield* Outputs.save(succeeded(`https://cdn.example/big/${SIZE}/video.mp4?sig=abc`)).pipe(
        Effect.provide(S3OutputStorage.layer({ client, bucket, partSize, queueSize: 1 }))
      )
      assert.strictEqual(location, `s3://${bucket}/pred-1/video.mp4`)
      assert.deepStrictEqual(yield* keys, ["pred-1/video.mp4"])
      const object = yield* head(client, "pred-1/video.mp4")
      assert.strictEqual(object.ContentLength, SIZE * MiB)
      assert.strictEqual(object.ContentType, "video/mp4")
      assert.strictEqual(count(requests, "CreateMultipartUpload"), 1)
      assert.strictEqual(count(requests, "UploadPart"), Math.ceil((SIZE * MiB) / partSize))
      assert.strictEqual(count(requests, "CompleteMultipartUpload"), 1)
      assert.strictEqual(count(requests, "PutObject"), 0)
      assert.lengthOf(seen, 1)
      assert.notProperty(seen[0]!.headers, "x-api-key")
      assert.notProperty(seen[0]!.headers, "authorization")
      // What stays reachable while uploading (after full collections, every 4 MiB): a part being
      // filled, its concatenation, the part being sent, and s3rver's own buffers (it runs in this
      // process too). A few parts at most, flat over the upload (the median stays at about two
      // parts), far from the whole object.
      const growth = samples.map((m) => m - before)
      const shown = growth.map((g) => (g / MiB).toFixed(1)).join(", ")
      assert.isAtLeast(growth.length, SIZE / 4 - 1)
      assert.isBelow(Math.max(...growth), (SIZE * MiB) / 2, `peak; retained growth (MiB): ${shown}`)
      assert.isBelow(
        [...growth].sort((a, b) => a - b)[Math.floor(growth.length / 2)]!,
        3 * partSize,
        `median; retained growth (MiB): ${shown}`
      )
    }).pipe(Effect.provide(cdnLayer(seen, samples)))
  }, 60_000)

  it.scoped(
    "interrupted mid-upload: no object, the multipart upload aborted, nothing completed",
    () =>
      Effect.gen(function*() {
        const { client, keys, partUploaded, requests } = yield* s3
        const warnings: Array<string> = []
        const logger = Logger.make(({ logLevel, message }) => {
          if (logLevel._tag === "Warning") warnings.push(String(message))
        })
        const fiber = yield* Effect.fork(
          Outputs.save(succeeded("https://cdn.example/stall/12/clip.mp4")).pipe(
            Effect.provide(S3OutputStorage.layer({ client, bucket, partSize, queueSize: 1 })),
            Effect.provide(Logger.replace(Logger.defaultLogger, logger))
          )
        )
        // Two parts of the body are uploaded, then it stalls: interrupt once S3 holds a part.
        yield* Deferred.await(partUploaded)
        const exit = yield* Fiber.interrupt(fiber)
        assert.isTrue(Exit.isInterrupted(exit))
        assert.deepStrictEqual(yield* keys, [])
        assert.strictEqual(count(requests, "CompleteMultipartUpload"), 0)
        const created = requests.find((r) => r.command === "CreateMultipartUploadCommand")
        const aborts = requests.filter((r) => r.command === "AbortMultipartUploadCommand")
        assert.isDefined(created)
        // Sent before the interruption returned, for the upload that was open.
        assert.lengthOf(aborts, 1)
        const uploadId = aborts[0]!.query["uploadId"]
        assert.isString(uploadId)
        // s3rver 3.7 does not implement AbortMultipartUpload (it answers 405): the put says so, naming
        // the upload to abort. S3, MinIO and R2 implement it.
        assert.lengthOf(warnings, 1)
        assert.include(warnings[0], `multipart upload ${uploadId as string} of s3://${bucket}/pred-1/clip.mp4`)
      }).pipe(Effect.provide(cdnLayer([]))),
    60_000
  )

  it.scoped(
    "a body cut after two parts: OutputIncomplete, no object, the upload aborted",
    () =>
      Effect.gen(function*() {
        const { client, keys, requests } = yield* s3
        const exit = yield* Outputs.save(succeeded("https://cdn.example/broken/12/clip.mp4"), {
          retry: Schedule.stop
        }).pipe(
          Effect.provide(S3OutputStorage.layer({ client, bucket, partSize, queueSize: 1 })),
          Effect.exit
        )
        const error = failureOf(exit)
        assert.strictEqual(error._tag, "OutputIncomplete")
        assert.strictEqual(error._tag === "OutputIncomplete" ? error.reason : "", "Truncated")
        assert.deepStrictEqual(yield* keys, [])
        assert.isAtLeast(count(requests, "UploadPart"), 2)
        assert.strictEqual(count(requests, "CompleteMultipartUpload"), 0)
        assert.strictEqual(count(requests, "AbortMultipartUpload"), 1)
      }).pipe(Effect.provide(cdnLayer([]))),
    60_000
  )

  it.scoped(
    "a missing bucket: OutputStorageError (NotFound) with advice, nothing stored",
    () =>
      Effect.gen(function*() {
        const { client } = yield* s3
        const exit = yield* Outputs.save(succeeded(`https://cdn.example/big/1/a.mp4`), { retry: Schedule.stop }).pipe(
          Effect.provide(S3OutputStorage.layer({ client, bucket: "no-such-bucket" })),
          Effect.exit
        )
        const error = failureOf(exit)
        assert.strictEqual(error._tag, "OutputStorageError")
        assert.strictEqual(error._tag === "OutputStorageError" ? error.reason : "", "NotFound")
        assert.include(error.message, "s3://no-such-bucket/pred-1/a.mp4")
        assert.include(error.message, "Check that the bucket exists")
      }).pipe(Effect.provide(cdnLayer([]))),
    60_000
  )

  it.scoped("an unsafe prefix: OutputStorageError (InvalidKey) before anything is requested", () =>
    Effect.gen(function*() {
      const seen: Array<Seen> = []
      const { client, requests } = yield* s3
      const exit = yield* Outputs.save(succeeded(`https://cdn.example/big/1/a.mp4`), { prefix: "a/../b" }).pipe(
        Effect.provide(Layer.merge(S3OutputStorage.layer({ client, bucket }), cdnLayer(seen))),
        Effect.exit
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag === "OutputStorageError" ? error.reason : "", "InvalidKey")
      assert.lengthOf(seen, 0)
      assert.lengthOf(requests, 0)
    }).pipe(Effect.provide(NodeContext.layer)))
})
