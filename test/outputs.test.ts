/**
 * `Outputs.download` with the real file system (NodeContext) into temporary directories: over the
 * fake Skytells API (outputs it serves itself, faults, retention), and over a tiny in-process "CDN"
 * for a 200 MB output (constant memory), mid-body failures, interruption and hostile file names.
 */
import { InProcessHttpClient, OutputStorage, Prediction, Predictions, SkytellsClient } from "@effect-skytells/client"
import * as Outputs from "@effect-skytells/client/Outputs"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { FileSystem, HttpRouter, HttpServerRequest, HttpServerResponse, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Layer, Option, Redacted, Schedule, Stream, TestClock } from "effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"

const fakeLayer = (options: FakeSkytells.Options = {}) =>
  SkytellsClient.layer({
    apiKey: Redacted.make(FakeSkytells.defaultApiKey),
    baseUrl: FakeSkytells.defaultBaseUrl
  }).pipe(Layer.provideMerge(FakeSkytells.layer(options)), Layer.merge(NodeContext.layer))

/** Predictions finish as soon as they are created. */
const instant = { lifecycle: { queued: 0, starting: 0, processing: 0 } } as const

/** A few milliseconds of real time, for real I/O (the file system) to progress. */
const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 2)))

/**
 * Runs `effect`, moving the TestClock in steps until it completes. Real time passes between steps,
 * so timers registered after file-system I/O are still reached. An effect still running after
 * `steps` steps is interrupted and the test fails, rather than hanging.
 */
const drive = <A, E, R>(effect: Effect.Effect<A, E, R>, step: Duration.DurationInput = "1 second", steps = 2_000) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < steps; i++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return done.value
      yield* realPause
      yield* TestClock.adjust(step)
    }
    const done = yield* Fiber.poll(fiber)
    if (Option.isSome(done)) return done.value
    yield* Fiber.interrupt(fiber)
    return assert.fail(`still running after ${steps} steps of ${Duration.format(step)} (TestClock)`)
  })

/** The typed failure of `exit`; a defect or an interruption fails the test with the cause. */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  assert.isTrue(Exit.isFailure(exit), "the download should fail")
  const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
  if (Option.isNone(failure)) {
    return assert.fail(`expected a typed failure, got ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "success"}`)
  }
  return failure.value
}

const byteLength = (s: string) => new TextEncoder().encode(s).byteLength

/** No lone surrogate: UTF-8 encoding would turn one into U+FFFD. */
const isWellFormed = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s)) === s

const finished = (numOutputs = 1) =>
  Effect.gen(function*() {
    const created = yield* Predictions.create({
      model: "truefusion",
      input: { prompt: "a lighthouse", num_outputs: numOutputs }
    })
    return yield* Predictions.get(created)
  })

const tempDir = Effect.flatMap(
  FileSystem.FileSystem,
  (fs) => fs.makeTempDirectoryScoped({ prefix: "skytells-outputs-" })
)
const listDir = (dir: string) => Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(dir))
const fileRequests = Effect.map(
  Effect.flatMap(FakeSkytells.FakeSkytells, (f) => f.requests),
  (all) => all.filter((r) => r.route === "files.get")
)

describe("over the fake Skytells API", () => {
  it.scoped("downloads every output of a finished prediction and returns the paths", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dir = yield* tempDir
      const prediction = yield* finished(3)
      assert.lengthOf(Prediction.outputs(prediction), 3)
      const target = path.join(dir, "nested", "out")
      const paths = yield* Outputs.download(prediction, target)
      assert.deepStrictEqual(paths, [0, 1, 2].map((i) => path.join(target, `output-${i}.png`)))
      assert.deepStrictEqual((yield* listDir(target)).sort(), ["output-0.png", "output-1.png", "output-2.png"])
      const stored = prediction.metadata?.storage?.files ?? []
      for (const [i, p] of paths.entries()) {
        const bytes = yield* fs.readFile(p)
        assert.deepStrictEqual(Array.from(bytes.slice(1, 4)), [0x50, 0x4e, 0x47], "PNG magic")
        assert.strictEqual(bytes.byteLength, stored[i]?.size)
      }
    }).pipe(Effect.provide(fakeLayer({ scenario: instant }))))

  it.scoped("the API key is never sent to output URLs (while API calls carry it)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const prediction = yield* finished(2)
      yield* Outputs.download(prediction, dir)
      const fake = yield* FakeSkytells.FakeSkytells
      const all = yield* fake.requests
      const api = all.filter((r) => r.route.startsWith("predictions."))
      const files = all.filter((r) => r.route === "files.get")
      assert.lengthOf(files, 2)
      assert.isTrue(api.every((r) => r.headers["x-api-key"] === "<redacted>"), "API calls are authenticated")
      for (const r of files) {
        assert.notProperty(r.headers, "x-api-key")
        assert.notProperty(r.headers, "authorization")
        assert.notInclude(JSON.stringify(r), FakeSkytells.defaultApiKey)
      }
    }).pipe(Effect.provide(fakeLayer({ scenario: instant }))))

  it.scoped("data_removed: OutputsRemoved, nothing requested or written", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const prediction = yield* finished()
      yield* TestClock.adjust("2 minutes")
      const purged = yield* Predictions.get(prediction)
      assert.isTrue(purged.data_removed)
      const e = yield* Effect.flip(Outputs.download(purged, dir))
      assert.strictEqual(e._tag, "OutputsRemoved")
      assert.include(e.message, "download outputs as soon as the prediction completes")
      assert.include(e.message, "webhook")
      assert.lengthOf(yield* fileRequests, 0)
      assert.lengthOf(yield* listDir(dir), 0)
    }).pipe(Effect.provide(fakeLayer({ scenario: { ...instant, retention: "1 minute" } }))))

  it.scoped("an expired link (404 from the file host) is OutputExpired, not retried, nothing left", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const prediction = yield* finished()
      yield* TestClock.adjust("2 minutes") // the links in `prediction` are now dead
      const e = yield* Effect.flip(Outputs.download(prediction, dir))
      assert.strictEqual(e._tag, "OutputExpired")
      if (e._tag === "OutputExpired") {
        assert.strictEqual(e.httpStatus, 404)
        assert.strictEqual(e.index, 0)
        assert.include(e.message, "expired")
        assert.include(e.message, "5 minutes")
      }
      assert.lengthOf(yield* fileRequests, 1)
      assert.lengthOf(yield* listDir(dir), 0)
    }).pipe(Effect.provide(fakeLayer({ scenario: { ...instant, retention: "1 minute" } }))))

  it.scoped("a body cut in half is retried; the retry completes the file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const fake = yield* FakeSkytells.FakeSkytells
      const dir = yield* tempDir
      const prediction = yield* finished()
      yield* fake.script("files.get", [Fault.truncate()])
      const exit = yield* drive(Outputs.download(prediction, dir))
      assert.isTrue(Exit.isSuccess(exit))
      assert.lengthOf(yield* fileRequests, 2)
      assert.deepStrictEqual(yield* listDir(dir), ["output-0.png"])
      const size = (yield* fs.stat(`${dir}/output-0.png`)).size
      assert.strictEqual(Number(size), prediction.metadata?.storage?.files?.[0]?.size)
    }).pipe(Effect.provide(fakeLayer({ scenario: instant }))))

  it.scoped("a cut that persists: OutputIncomplete, no file under the final name and no temporary file", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      const dir = yield* tempDir
      const prediction = yield* finished()
      yield* fake.script("files.get", [Fault.truncate(), Fault.truncate()])
      const exit = yield* drive(
        Outputs.download(prediction, dir, {
          retry: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(1)))
        })
      )
      assert.isTrue(Exit.isFailure(exit))
      const e = yield* Effect.flip(exit)
      assert.strictEqual(e._tag, "OutputIncomplete")
      if (e._tag === "OutputIncomplete") {
        assert.strictEqual(e.reason, "Truncated")
        assert.isBelow(e.receivedBytes, e.expectedBytes ?? 0)
      }
      assert.lengthOf(yield* fileRequests, 2)
      assert.lengthOf(yield* listDir(dir), 0)
    }).pipe(Effect.provide(fakeLayer({ scenario: instant }))))

  it.scoped("a body that stalls mid-way fails after idleTimeout (TestClock) and leaves nothing", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      const dir = yield* tempDir
      const prediction = yield* finished()
      yield* fake.script("files.get", [Fault.stallBody()])
      const fiber = yield* Effect.fork(
        Outputs.download(prediction, dir, { idleTimeout: "10 seconds", retry: Schedule.stop })
      )
      for (let i = 0; i < 50; i++) yield* realPause
      yield* TestClock.adjust("9 seconds")
      for (let i = 0; i < 10; i++) yield* realPause
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "still waiting before the idle timeout")
      const e = yield* Effect.flip(yield* drive(Fiber.join(fiber)))
      assert.strictEqual(e._tag, "OutputIncomplete")
      if (e._tag === "OutputIncomplete") assert.strictEqual(e.reason, "Stalled")
      assert.lengthOf(yield* listDir(dir), 0)
    }).pipe(Effect.provide(fakeLayer({ scenario: instant }))))

  it.scoped("a file host that never answers fails after idleTimeout too", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      const dir = yield* tempDir
      const prediction = yield* finished()
      yield* fake.script("files.get", [Fault.stall])
      const exit = yield* drive(Outputs.download(prediction, dir, { idleTimeout: "5 seconds", retry: Schedule.stop }))
      const e = yield* Effect.flip(exit)
      assert.strictEqual(e._tag === "OutputIncomplete" && e.reason, "Stalled")
      assert.lengthOf(yield* listDir(dir), 0)
    }).pipe(Effect.provide(fakeLayer({ scenario: instant }))))

  it.scoped("a reset connection is a typed TransportError; retried by default", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      const dir = yield* tempDir
      const prediction = yield* finished()
      yield* fake.script("files.get", [Fault.resetBeforeBody])
      const e = yield* Effect.flip(Outputs.download(prediction, dir, { retry: Schedule.stop }))
      assert.strictEqual(e._tag, "TransportError")
      assert.lengthOf(yield* listDir(dir), 0)
      yield* fake.script("files.get", [Fault.resetBeforeBody, Fault.gatewayPage(502)])
      const exit = yield* drive(Outputs.download(prediction, dir))
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(yield* listDir(dir), ["output-0.png"])
    }).pipe(Effect.provide(fakeLayer({ scenario: instant }))))

  it.scoped("nothing to download: NoOutputs (not finished, empty, values instead of files)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const running = yield* Predictions.create({ model: "truefusion", input: { prompt: "x" } })
      const a = yield* Effect.flip(Outputs.download(running, dir))
      assert.strictEqual(a._tag === "NoOutputs" && a.reason, "NotSucceeded")
      const b = yield* Effect.flip(Outputs.download({ id: "p", status: "succeeded", output: null }, dir))
      assert.strictEqual(b._tag === "NoOutputs" && b.reason, "Empty")
      const c = yield* Effect.flip(Outputs.download({ id: "p", status: "succeeded", output: "You said hi" }, dir))
      assert.strictEqual(c._tag === "NoOutputs" && c.reason, "NotFiles")
      assert.lengthOf(yield* fileRequests, 0)
    }).pipe(Effect.provide(fakeLayer())))

  it.scoped("save through OutputStorage.layerFileSystem: <root>/<prediction id>/<name>, a second save replaces", () =>
    Effect.gen(function*() {
      const path = yield* Path.Path
      const root = yield* tempDir
      const prediction = yield* finished(2)
      const save = Outputs.save(prediction).pipe(Effect.provide(OutputStorage.layerFileSystem(root)))
      const paths = yield* save
      const directory = path.join(root, prediction.id!)
      assert.deepStrictEqual(paths, [0, 1].map((i) => path.join(directory, `output-${i}.png`)))
      assert.deepStrictEqual(yield* save, paths)
      assert.deepStrictEqual((yield* listDir(directory)).sort(), ["output-0.png", "output-1.png"])
      assert.deepStrictEqual(yield* listDir(root), [prediction.id!])
    }).pipe(Effect.provide(fakeLayer({ scenario: instant }))))

  it.scoped("save with an unsafe prefix: OutputStorageError (InvalidKey), nothing requested or written", () =>
    Effect.gen(function*() {
      const root = yield* tempDir
      const prediction = yield* finished(1)
      const exit = yield* Outputs.save(prediction, { prefix: "runs/../../etc" }).pipe(
        Effect.provide(OutputStorage.layerFileSystem(root)),
        Effect.exit
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag === "OutputStorageError" ? error.reason : error._tag, "InvalidKey")
      assert.include(error.message, "runs/../../etc")
      assert.lengthOf(yield* fileRequests, 0)
      assert.lengthOf(yield* listDir(root), 0)
    }).pipe(Effect.provide(fakeLayer({ scenario: instant }))))
})

// A tiny CDN in process ----------------------------------------------------------------------------

const MiB = 1024 * 1024
const BIG = 200 * MiB
const CHUNK = 64 * 1024
const template = Uint8Array.from({ length: CHUNK }, (_, i) => i % 251)

interface Seen {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
}

const memory = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

// A full collection on demand, to measure what is retained rather than garbage not yet collected.
v8.setFlagsFromString("--expose-gc")
const collect = vm.runInNewContext("gc") as () => void

/** Memory samples taken by the CDN while it produces the body. */
interface Samples {
  /** Every 2 MiB: heapUsed + arrayBuffers as is (garbage included). */
  readonly raw: Array<number>
  /** Every 16 MiB, right after a full collection: what is actually retained. */
  readonly retained: Array<number>
}

/** Chunks the `/sized` route produced: a size cap must stop the reading, not just the writing. */
const pulls = { sized: 0 }

const makeCdn = (seen: Array<Seen>, samples: Samples) => {
  const chunks = (count: number) =>
    // One element per chunk: Stream.range's default chunks of 4096 would build 256 MiB at once.
    Stream.range(1, count, 1).pipe(Stream.map((i) => {
      if (i % 32 === 0) samples.raw.push(memory())
      if (i % 256 === 0) {
        collect()
        samples.retained.push(memory())
      }
      const chunk = new Uint8Array(CHUNK)
      chunk.set(template)
      return chunk
    }))
  const router = HttpRouter.empty.pipe(
    HttpRouter.get(
      "/big/:name",
      Effect.sync(() =>
        HttpServerResponse.stream(chunks(BIG / CHUNK), {
          contentType: "application/octet-stream",
          contentLength: BIG
        })
      )
    ),
    HttpRouter.get("/small/:name", Effect.succeed(HttpServerResponse.text("hello", { contentType: "text/plain" }))),
    HttpRouter.get("/gone/:name", Effect.succeed(HttpServerResponse.empty({ status: 410 }))),
    HttpRouter.get("/empty/:name", Effect.succeed(HttpServerResponse.uint8Array(new Uint8Array(0)))),
    HttpRouter.get("/busy/:name", Effect.succeed(HttpServerResponse.empty({ status: 503 }))),
    HttpRouter.get(
      "/broken/:name",
      Effect.sync(() =>
        HttpServerResponse.stream(Stream.concat(chunks(16), Stream.fail(new Error("connection reset by peer"))), {
          contentType: "application/octet-stream",
          contentLength: 32 * CHUNK
        })
      )
    ),
    HttpRouter.get(
      "/endless/:name",
      Effect.succeed(
        HttpServerResponse.stream(Stream.forever(Stream.succeed(template)), { contentType: "application/octet-stream" })
      )
    ),
    // 4 MiB without a Content-Length: only counting while reading can enforce a size cap.
    HttpRouter.get(
      "/sized/:name",
      Effect.sync(() =>
        HttpServerResponse.stream(
          chunks(64).pipe(Stream.tap(() =>
            Effect.sync(() => {
              pulls.sized++
            })
          )),
          { contentType: "application/octet-stream" }
        )
      )
    ),
    // One byte every 200 ms (on the clock of the test): never idle for long, never finished.
    HttpRouter.get(
      "/drip/:name",
      Effect.succeed(
        HttpServerResponse.stream(
          Stream.repeatValue(Uint8Array.of(0x61)).pipe(Stream.schedule(Schedule.spaced("200 millis"))),
          { contentType: "application/octet-stream" }
        )
      )
    ),
    HttpRouter.get(
      "/moved/:name",
      Effect.map(HttpRouter.params, (p) => HttpServerResponse.redirect(`/small/${p.name}`))
    ),
    HttpRouter.get("/bad-redirect/:name", Effect.succeed(HttpServerResponse.redirect("http://[::1"))),
    HttpRouter.get("/to-file/:name", Effect.succeed(HttpServerResponse.redirect("file:///etc/passwd"))),
    HttpRouter.get("/loop/:name", Effect.map(HttpRouter.params, (p) => HttpServerResponse.redirect(`/loop/${p.name}`))),
    HttpRouter.get("*", Effect.succeed(HttpServerResponse.text("ok")))
  )
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    seen.push({ url: request.url, headers: request.headers })
    return router
  })
}

const cdnLayer = (seen: Array<Seen>, samples: Samples = { raw: [], retained: [] }) =>
  Layer.mergeAll(InProcessHttpClient.layer(makeCdn(seen, samples)), NodeContext.layer)

const succeeded = (...output: Array<string>): Prediction.Prediction => ({ id: "pred-1", status: "succeeded", output })

// Alone in its group (not concurrent with other tests), so the heap figures are its own.
describe.sequential("constant memory", () => {
  const seen: Array<Seen> = []
  const samples: Samples = { raw: [], retained: [] }

  it.scoped("a 200 MB output downloads in constant memory", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      collect()
      const before = memory()
      const started = Date.now()
      const [file] = yield* Outputs.download(succeeded("https://cdn.example/big/video.mp4?sig=abc"), dir)
      const seconds = (Date.now() - started) / 1000
      const rawGrowth = Math.max(...samples.raw) - before
      const retainedGrowth = Math.max(...samples.retained) - before
      const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`
      console.log(
        `[outputs] 200 MiB in ${seconds.toFixed(1)} s. heapUsed+arrayBuffers: before ${mib(before)}; ` +
          `peak without forced GC ${mib(Math.max(...samples.raw))} (+${
            mib(rawGrowth)
          }, ${samples.raw.length} samples); ` +
          `after full GCs every 16 MiB: ${samples.retained.map((m) => mib(m - before)).join(", ")}`
      )
      assert.isAbove(samples.raw.length, 90)
      assert.isAbove(samples.retained.length, 10)
      // Retained memory stays flat while 200 MiB go through: a few MiB, with occasional spikes of up to
      // ~35 MiB that a bare `response.stream` -> `fs.sink` pipeline shows as well. A buffering download
      // would retain 16, 32, 48, ... up to 192 MiB at these points.
      const sorted = [...samples.retained].sort((a, b) => a - b)
      assert.isBelow(sorted[Math.floor(sorted.length / 2)]! - before, 16 * MiB, "median retained growth")
      assert.isBelow(retainedGrowth, 100 * MiB, "retained memory must not grow with the file size")
      const half = Math.floor(samples.retained.length / 2)
      const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
      assert.isBelow(
        mean(samples.retained.slice(half)) - mean(samples.retained.slice(0, half)),
        24 * MiB,
        "no upward trend"
      )
      assert.isBelow(rawGrowth, 100 * MiB, "even uncollected garbage stays well below the file size")
      assert.strictEqual(Number((yield* fs.stat(file)).size), BIG)
      // spot-check contents at a few offsets
      for (const offset of [0, CHUNK - 3, 77 * CHUNK + 1234, BIG - 16]) {
        const bytes = yield* Stream.runCollect(fs.stream(file, { offset, bytesToRead: 16 }))
        const flat = Array.from(bytes).flatMap((b) => Array.from(b))
        assert.deepStrictEqual(flat.slice(0, 16), Array.from({ length: 16 }, (_, k) => ((offset + k) % CHUNK) % 251))
      }
      assert.deepStrictEqual(yield* listDir(dir), ["video.mp4"])
      assert.strictEqual(seen.at(-1)?.url.includes("sig=abc"), true, "the signed query is sent as is")
    }).pipe(Effect.provide(cdnLayer(seen, samples))), 120_000)
})

describe("over an in-process CDN", () => {
  it.scoped("no API key or Authorization header reaches the CDN", () =>
    Effect.gen(function*() {
      const log: Array<Seen> = []
      const dir = yield* tempDir
      yield* Outputs.download(succeeded("https://cdn.example/small/a.txt", "https://cdn.example/small/b.txt"), dir)
        .pipe(
          Effect.provide(cdnLayer(log))
        )
      assert.lengthOf(log, 2)
      for (const r of log) {
        assert.notProperty(r.headers, "x-api-key")
        assert.notProperty(r.headers, "authorization")
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("interrupted mid-download: no file under the final name, no temporary file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const fiber = yield* Effect.fork(Outputs.download(succeeded("https://cdn.example/endless/forever.bin"), dir))
      // wait until the temporary file has data in it
      let partial: string | undefined
      for (let i = 0; i < 10_000 && partial === undefined; i++) {
        yield* Effect.yieldNow()
        const names = yield* listDir(dir)
        const candidate = names.find((n) => n.startsWith("forever.bin.partial-"))
        if (candidate !== undefined && Number((yield* fs.stat(`${dir}/${candidate}`)).size) > 0) partial = candidate
      }
      assert.isDefined(partial, "the download started")
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(yield* listDir(dir), [])
    }).pipe(Effect.provide(cdnLayer([]))), 30_000)

  it.scoped("a body that fails mid-stream: typed TransportError after the retries, nothing left", () =>
    Effect.gen(function*() {
      const log: Array<Seen> = []
      const dir = yield* tempDir
      const exit = yield* drive(
        Outputs.download(succeeded("https://cdn.example/broken/x.bin"), dir).pipe(Effect.provide(cdnLayer(log)))
      )
      const e = yield* Effect.flip(exit)
      assert.strictEqual(e._tag, "TransportError")
      assert.lengthOf(log, 4, "4 attempts by default")
      assert.deepStrictEqual(yield* listDir(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("410 is OutputExpired, 503 is retried then OutputUnavailable; errors never show the query", () =>
    Effect.gen(function*() {
      const log: Array<Seen> = []
      const dir = yield* tempDir
      const gone = yield* Effect.flip(
        Outputs.download(succeeded("https://cdn.example/gone/a.png?token=SECRET"), dir).pipe(
          Effect.provide(cdnLayer(log))
        )
      )
      assert.strictEqual(gone._tag, "OutputExpired")
      assert.notInclude(gone.message, "SECRET")
      assert.include(gone.message, "https://cdn.example/gone/a.png")
      const busy = yield* Effect.flip(
        yield* drive(
          Outputs.download(succeeded("https://cdn.example/busy/a.png?token=SECRET"), dir, {
            retry: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))
          }).pipe(Effect.provide(cdnLayer(log)))
        )
      )
      assert.strictEqual(busy._tag, "OutputUnavailable")
      if (busy._tag === "OutputUnavailable") {
        assert.strictEqual(busy.httpStatus, 503)
        assert.isTrue(busy.retryable)
      }
      assert.notInclude(JSON.stringify(busy), "SECRET")
      assert.lengthOf(log, 1 + 3)
      assert.deepStrictEqual(yield* listDir(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("an empty body is an empty file; an existing file is replaced", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      yield* fs.writeFileString(`${dir}/empty.txt`, "old content")
      yield* fs.writeFileString(`${dir}/a.txt`, "old content")
      const paths = yield* Outputs.download(
        succeeded("https://cdn.example/empty/empty.txt", "https://cdn.example/small/a.txt"),
        dir
      ).pipe(Effect.provide(cdnLayer([])))
      assert.strictEqual(yield* fs.readFileString(paths[0]), "")
      assert.strictEqual(yield* fs.readFileString(paths[1]), "hello")
      assert.deepStrictEqual((yield* listDir(dir)).sort(), ["a.txt", "empty.txt"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("hostile or colliding file names stay inside the directory", () =>
    Effect.gen(function*() {
      const path = yield* Path.Path
      const dir = yield* tempDir
      const urls = [
        "https://cdn.example/small/..%2F..%2Fescape.txt",
        "https://cdn.example/small/%2Fetc%2Fpasswd",
        "https://cdn.example/small/..",
        "https://cdn.example/small/same.png",
        "https://cdn.example/other/SAME.png"
      ]
      const paths = yield* Outputs.download(succeeded(...urls), dir).pipe(Effect.provide(cdnLayer([])))
      assert.lengthOf(paths, 5)
      for (const p of paths) assert.strictEqual(path.dirname(p), path.resolve(dir))
      assert.deepStrictEqual(paths.map((p) => path.basename(p)), [
        "0-_.._escape.txt",
        "1-_etc_passwd",
        "2-output",
        "3-same.png",
        "4-SAME.png"
      ])
      assert.lengthOf(yield* listDir(dir), 5)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("hardening (redirects, long names, size cap, overall timeout)", () => {
  it.scoped("a malformed Location is a typed OutputUnavailable (InvalidRedirect), never a defect; not retried", () =>
    Effect.gen(function*() {
      const log: Array<Seen> = []
      const dir = yield* tempDir
      const download = (url: string, options?: Outputs.DownloadOptions) =>
        Effect.exit(Outputs.download(succeeded(url), dir, options).pipe(Effect.provide(cdnLayer(log))))
      const bad = failureOf(yield* download("https://cdn.example/bad-redirect/a.png?token=SECRET"))
      assert.strictEqual(bad._tag, "OutputUnavailable")
      if (bad._tag === "OutputUnavailable") {
        assert.strictEqual(bad.reason, "InvalidRedirect")
        assert.strictEqual(bad.httpStatus, 302)
        assert.isFalse(bad.retryable)
        assert.strictEqual(bad.location, "http://[::1")
      }
      assert.include(bad.message, "not a valid http(s) URL")
      assert.notInclude(bad.message, "SECRET")
      assert.lengthOf(log, 1, "not retried")
      // A redirect away from http(s) is refused the same way.
      const file = failureOf(yield* download("https://cdn.example/to-file/a.png"))
      assert.strictEqual(file._tag === "OutputUnavailable" && file.reason, "InvalidRedirect")
      // A loop ends after maxRedirects with its own reason.
      log.length = 0
      const loop = failureOf(yield* download("https://cdn.example/loop/a.png", { maxRedirects: 2 }))
      assert.strictEqual(loop._tag === "OutputUnavailable" && loop.reason, "TooManyRedirects")
      assert.include(loop.message, "maxRedirects")
      assert.lengthOf(log, 3, "the first request and 2 redirects")
      assert.deepStrictEqual(yield* listDir(dir), [])
      // Valid (relative) redirects are still followed.
      log.length = 0
      const [saved] = yield* Outputs.download(succeeded("https://cdn.example/moved/b.txt"), dir).pipe(
        Effect.provide(cdnLayer(log))
      )
      assert.strictEqual(yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(saved!)), "hello")
      assert.deepStrictEqual(log.map((r) => r.url), ["/moved/b.txt", "/small/b.txt"])
      for (const r of log) assert.notProperty(r.headers, "x-api-key")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("names are cut by UTF-8 bytes: 90 CJK characters (and astral ones) download without ENAMETOOLONG", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dir = yield* tempDir
      const cjk = "日".repeat(90)
      const astral = "𠀋".repeat(90) // 4 bytes each in UTF-8, a surrogate pair in JavaScript
      // Served by the catch-all route ("ok"): a `:name` parameter is limited to 100 characters.
      const urls = [
        `https://cdn.example/files/${encodeURIComponent(cjk)}.png`,
        `https://cdn.example/files/${encodeURIComponent(astral)}.png`,
        // the same stem twice: the index prefixes must fit too
        `https://cdn.example/files/${encodeURIComponent(cjk)}.txt`,
        `https://cdn.example/other/${encodeURIComponent(cjk)}.TXT`
      ]
      const exit = yield* Effect.exit(Outputs.download(succeeded(...urls), dir).pipe(Effect.provide(cdnLayer([]))))
      assert.isTrue(Exit.isSuccess(exit), Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "")
      const paths = Exit.isSuccess(exit) ? exit.value : []
      const names = paths.map((p) => path.basename(p))
      assert.deepStrictEqual(names, [
        `0-${"日".repeat(48)}.png`,
        `1-${"𠀋".repeat(36)}.png`,
        `2-${"日".repeat(48)}.txt`,
        `3-${"日".repeat(48)}.TXT`
      ])
      for (const [i, p] of paths.entries()) {
        assert.isAtMost(byteLength(names[i]!), 150)
        assert.isTrue(isWellFormed(names[i]!))
        assert.strictEqual(yield* fs.readFileString(p), "ok")
      }
      assert.sameMembers(yield* listDir(dir), names, "no temporary file left")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped(
    "maxBytes: a body over the cap stops being read, fails with OutputIncomplete (TooLarge), leaves nothing",
    () =>
      Effect.gen(function*() {
        const log: Array<Seen> = []
        const dir = yield* tempDir
        pulls.sized = 0
        const exit = yield* Effect.exit(
          Outputs.download(succeeded("https://cdn.example/sized/a.bin"), dir, { maxBytes: MiB }).pipe(
            Effect.provide(cdnLayer(log))
          )
        )
        const e = failureOf(exit)
        assert.strictEqual(e._tag, "OutputIncomplete")
        if (e._tag === "OutputIncomplete") {
          assert.strictEqual(e.reason, "TooLarge")
          assert.strictEqual(e.maxBytes, MiB)
          assert.isAtMost(e.receivedBytes, MiB)
        }
        assert.include(e.message, "maxBytes")
        assert.lengthOf(log, 1, "not retried")
        assert.isBelow(pulls.sized, 64, "reading stopped before the end of the 4 MiB body")
        assert.deepStrictEqual(yield* listDir(dir), [])
        // A Content-Length over the cap fails before a byte of the body is written.
        const big = failureOf(
          yield* Effect.exit(
            Outputs.download(succeeded("https://cdn.example/big/huge.bin"), dir, { maxBytes: MiB }).pipe(
              Effect.provide(cdnLayer(log))
            )
          )
        )
        assert.strictEqual(big._tag === "OutputIncomplete" && big.reason, "TooLarge")
        if (big._tag === "OutputIncomplete") {
          assert.strictEqual(big.expectedBytes, BIG)
          assert.strictEqual(big.receivedBytes, 0)
        }
        assert.deepStrictEqual(yield* listDir(dir), [])
        // At or under the cap, the file is saved.
        const [saved] = yield* Outputs.download(succeeded("https://cdn.example/sized/b.bin"), dir, {
          maxBytes: 4 * MiB
        }).pipe(Effect.provide(cdnLayer(log)))
        assert.strictEqual(
          Number((yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.stat(saved!))).size),
          4 * MiB
        )
        assert.strictEqual(Outputs.defaultMaxBytes, 2 * 1024 * MiB, "the default cap is 2 GiB")
      }).pipe(Effect.provide(NodeContext.layer)),
    30_000
  )

  it.scoped(
    "timeout: a body dripping a byte every 200 ms under idleTimeout 500 ms fails at the overall timeout",
    () =>
      Effect.gen(function*() {
        const log: Array<Seen> = []
        const dir = yield* tempDir
        const exit = yield* drive(
          Outputs.download(succeeded("https://cdn.example/drip/slow.bin"), dir, {
            idleTimeout: "500 millis",
            timeout: "3 seconds"
          }).pipe(Effect.provide(cdnLayer(log))),
          // Small steps leave real time for the in-process body (and the file writes) to keep up
          // with the TestClock, so the idle timeout never fires by accident. 20 s in all: far past 3 s.
          "25 millis",
          800
        )
        const e = failureOf(exit)
        assert.strictEqual(e._tag, "OutputIncomplete")
        if (e._tag === "OutputIncomplete") {
          assert.strictEqual(e.reason, "TimedOut")
          assert.isTrue(e.timeout !== undefined && Duration.equals(e.timeout, Duration.seconds(3)))
          assert.isAbove(e.receivedBytes, 5, "bytes kept arriving: the idle timeout never fired")
        }
        assert.include(e.message, "timeout")
        assert.isAtLeast(yield* TestClock.currentTimeMillis, 3_000)
        assert.lengthOf(log, 1, "the timeout bounds every attempt: nothing is retried after it")
        assert.deepStrictEqual(yield* listDir(dir), [], "the temporary file was removed")
        assert.isTrue(
          Duration.equals(Outputs.defaultTimeout, Duration.minutes(10)),
          "the default timeout is 10 minutes"
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    30_000
  )
})

describe("file names", () => {
  it("are the URL's last path segment, sanitised", () => {
    assert.strictEqual(Outputs.fileNameOf("https://cdn.skytells.ai/a/b/output-0.png?sig=1#x"), "output-0.png")
    assert.strictEqual(Outputs.fileNameOf("https://cdn/x/..%2F..%2Fetc%2Fpasswd"), "_.._etc_passwd")
    assert.strictEqual(Outputs.fileNameOf("https://cdn/x/%2Fetc%2Fpasswd"), "_etc_passwd")
    assert.strictEqual(Outputs.fileNameOf("https://cdn/x/C%3A%5Cwin.ini"), "C__win.ini")
    assert.strictEqual(Outputs.fileNameOf("https://cdn/x/.hidden"), "hidden")
    assert.strictEqual(Outputs.fileNameOf("https://cdn/"), "output")
    assert.strictEqual(Outputs.fileNameOf("https://cdn/x/CON.txt"), "_CON.txt")
    assert.strictEqual(Outputs.fileNameOf("https://cdn/x/a%00b.png"), "a_b.png")
    assert.strictEqual(Outputs.fileNameOf("https://cdn/x/caf%C3%A9.png"), "café.png")
    assert.strictEqual(Outputs.fileNameOf("https://cdn/x/bad%E0%A4%A.png"), "bad_E0_A4_A.png")
    const long = Outputs.fileNameOf(`https://cdn/x/${"a".repeat(400)}.webp`)
    assert.strictEqual(long.length, 150)
    assert.isTrue(long.endsWith(".webp"))
  })

  it("are at most 150 UTF-8 bytes, the extension kept, never a character cut in half", () => {
    const of = (stem: string, ext = ".png") => Outputs.fileNameOf(`https://cdn/x/${encodeURIComponent(stem)}${ext}`)
    // 3 bytes per character: 48 fit in the 146 bytes left beside ".png"
    assert.strictEqual(of("日".repeat(90)), `${"日".repeat(48)}.png`)
    // 4 bytes (a surrogate pair) per character: 36 fit
    assert.strictEqual(of("𠀋".repeat(90)), `${"𠀋".repeat(36)}.png`)
    // 1 + 48 * 3 = 145 bytes: a 49th character (148) would not fit, and is not cut
    assert.strictEqual(of(`a${"日".repeat(90)}`), `a${"日".repeat(48)}.png`)
    assert.strictEqual(of("é".repeat(200), ".jpeg"), `${"é".repeat(72)}.jpeg`)
    for (const stem of ["日".repeat(90), "𠀋".repeat(90), `a${"𠀋".repeat(80)}`, "é".repeat(100)]) {
      const name = of(stem)
      assert.isAtMost(byteLength(name), 150)
      assert.isTrue(isWellFormed(name))
      assert.isTrue(name.endsWith(".png"))
    }
    // short names are untouched
    assert.strictEqual(of("日本語"), "日本語.png")
    // with index prefixes too, every name fits
    const names = Outputs.fileNamesOf(
      Array.from({ length: 12 }, () => `https://c/${encodeURIComponent("日".repeat(90))}.png`)
    )
    assert.strictEqual(names[11], `11-${"日".repeat(47)}.png`)
    for (const name of names) assert.isAtMost(byteLength(name), 150)
  })

  it("are prefixed with their index only when two collide", () => {
    assert.deepStrictEqual(Outputs.fileNamesOf(["https://c/a.png", "https://c/b.png"]), ["a.png", "b.png"])
    assert.deepStrictEqual(Outputs.fileNamesOf(["https://c/1/a.png", "https://c/2/A.png"]), ["0-a.png", "1-A.png"])
  })
})
