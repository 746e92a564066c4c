/**
 * What the S3 tests run against: s3rver (an S3-compatible server, in process, on loopback) with a
 * recording S3 client, and a tiny output host ("CDN") served in process.
 */
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3"
import { InProcessHttpClient } from "@effect-skytells/client"
import { FileSystem, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Deferred, Effect, Layer, Stream } from "effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import S3rver from "s3rver"

export const bucket = "outputs"
export const MiB = 1024 * 1024

/** One request the S3 client sent, as signed, and how it ended. */
export interface S3Request {
  readonly command: string
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, unknown>>
  readonly headers: Readonly<Record<string, string>>
  status?: number
  error?: string
}

export interface S3 {
  readonly client: S3Client
  readonly requests: Array<S3Request>
  /** Completed when an UploadPart has been answered. */
  readonly partUploaded: Deferred.Deferred<void>
  readonly keys: Effect.Effect<ReadonlyArray<string>>
  readonly directory: string
}

const send = <A>(f: () => Promise<A>) => Effect.promise(f)

/** s3rver on 127.0.0.1, port 0, in a temporary directory, closed with the scope. */
export const s3 = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const directory = yield* fs.makeTempDirectoryScoped({ prefix: "skytells-s3rver-" })
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }]
  })
  const { port } = yield* Effect.acquireRelease(
    Effect.promise(() => server.run()),
    () => Effect.promise(() => server.close())
  )
  const client = yield* Effect.acquireRelease(
    Effect.sync(() =>
      new S3Client({
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        region: "us-east-1",
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }
      })
    ),
    (c) => Effect.sync(() => c.destroy())
  )
  const requests: Array<S3Request> = []
  const partUploaded = yield* Deferred.make<void>()
  // At the deserialize step the request is final: built, signed, about to be sent.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as Omit<S3Request, "command">
      const entry: S3Request = {
        command: context.commandName ?? "?",
        method: request.method,
        path: request.path,
        query: { ...request.query },
        headers: { ...request.headers }
      }
      requests.push(entry)
      try {
        const result = await next(args)
        entry.status = (result.response as { statusCode?: number }).statusCode ?? 0
        if (entry.command === "UploadPartCommand") Deferred.unsafeDone(partUploaded, Effect.void)
        return result
      } catch (error) {
        entry.error = String((error as Error).name)
        throw error
      }
    },
    { step: "deserialize", name: "recordRequests" }
  )
  const keys = send(() => client.send(new ListObjectsV2Command({ Bucket: bucket }))).pipe(
    Effect.map((out) => (out.Contents ?? []).map((o) => o.Key ?? "").sort())
  )
  return { client, requests, partUploaded, keys, directory } satisfies S3
})

export const count = (requests: ReadonlyArray<S3Request>, command: string) =>
  requests.filter((r) => r.command === `${command}Command`).length

// The output host -----------------------------------------------------------------------------------

const CHUNK = 64 * 1024

export interface Seen {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
}

/** heapUsed + arrayBuffers. */
export const memory = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

// A full collection on demand, to measure what is retained rather than garbage not yet collected.
v8.setFlagsFromString("--expose-gc")
export const collect = vm.runInNewContext("gc") as () => void

/**
 * - `/big/:mib/:name`: `mib` MiB of `video/mp4`, produced chunk by chunk; every 4 MiB, after a
 *   full collection, the memory retained is pushed to `samples`;
 * - `/stall/:mib/:name`: `mib` MiB, then nothing, for ever;
 * - `/broken/:mib/:name`: `mib` MiB announced as twice that, then the body ends.
 */
export const cdnLayer = (seen: Array<Seen>, samples: Array<number> = []) => {
  const chunks = (mib: number) =>
    Stream.range(1, (mib * MiB) / CHUNK, 1).pipe(Stream.map((i) => {
      if (i % 64 === 0) {
        collect()
        samples.push(memory())
      }
      return new Uint8Array(CHUNK).fill(i % 251)
    }))
  const mib = Effect.map(HttpRouter.params, (p) => Number(p.mib))
  const app = HttpRouter.empty.pipe(
    HttpRouter.get(
      "/big/:mib/:name",
      Effect.map(mib, (n) => HttpServerResponse.stream(chunks(n), { contentType: "video/mp4", contentLength: n * MiB }))
    ),
    HttpRouter.get(
      "/stall/:mib/:name",
      Effect.map(mib, (n) =>
        HttpServerResponse.stream(Stream.concat(chunks(n), Stream.never), {
          contentType: "application/octet-stream"
        }))
    ),
    HttpRouter.get(
      "/broken/:mib/:name",
      Effect.map(mib, (n) =>
        HttpServerResponse.stream(chunks(n), {
          contentType: "application/octet-stream",
          contentLength: 2 * n * MiB
        }))
    )
  )
  return Layer.mergeAll(
    InProcessHttpClient.layer(Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      seen.push({ url: request.url, headers: request.headers })
      return app
    })),
    NodeContext.layer
  )
}
