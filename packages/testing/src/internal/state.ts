/**
 * The fake's in-memory state: accounts, predictions, recorded requests, faults, webhook deliveries.
 * Mutated only inside `Effect.sync`, so every update is atomic with respect to other fibers.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as FakeSkytells from "../FakeSkytells.js"
import type * as Fault from "../Fault.js"
import type * as Recorded from "../Recorded.js"
import * as Scenario from "../Scenario.js"
import type { JsonObject, ModelDef, Timing } from "./models.js"
import { Prng } from "./prng.js"

/** @internal */
export interface WebhookConfig {
  readonly client: HttpClient.HttpClient | undefined
  readonly secret: string
  readonly maxAttempts: number
  readonly retryDelay: Duration.Duration
  readonly allowNonLoopback: boolean
}

/** @internal */
export interface AccountState {
  readonly apiKey: string
  credits: number
  requestsPerMinute: number
  maxConcurrent: number
  suspended: boolean
  windowStart: number
  windowCount: number
  inflight: number
}

/** @internal */
export interface PredictionRecord {
  readonly id: string
  readonly apiKey: string
  readonly model: ModelDef
  readonly input: JsonObject
  readonly webhook: { readonly url: string; readonly events: ReadonlyArray<string> } | undefined
  readonly stream: boolean
  readonly createdAt: number
  readonly timing: Timing
  readonly cost: number
  canceledAt: number | undefined
  deleted: boolean
  /** Webhook event types already delivered (so no transition is announced twice). */
  readonly announced: Set<string>
}

/** @internal */
export interface MutableRecordedRequest {
  id: string
  method: string
  path: string
  query: Record<string, string>
  route: Fault.RouteName
  headers: Record<string, string>
  body: string | undefined
  bodyBytes: number
  bodyTruncated: boolean
  at: number
  status: number | undefined
  fault: Fault.Fault["_tag"] | undefined
  acted: boolean
}

/** @internal */
export interface Limits {
  readonly maxBodyBytes: number
  readonly logEntries: number
  readonly logBodyBytes: number
}

/** @internal */
export const defaultLimits: Limits = {
  maxBodyBytes: 10 * 1024 * 1024,
  logEntries: 1000,
  logBodyBytes: 64 * 1024
}

/** @internal */
export const defaultAccount = {
  credits: 100,
  requestsPerMinute: 600,
  maxConcurrent: 50
}

/** @internal */
export class State {
  scenario: Scenario.Scenario
  readonly accounts = new Map<string, AccountState>()
  readonly predictions = new Map<string, PredictionRecord>()
  readonly requests: Array<MutableRecordedRequest> = []
  readonly deliveries: Array<Recorded.WebhookDelivery> = []
  rules: Array<{ readonly rule: Fault.Rule; remaining: number }> = []
  scripts: Array<{ readonly route: Fault.RouteSelector; readonly queue: Array<Fault.Fault> }> = []
  readonly ids: Prng
  readonly faults: Prng
  readonly defaultApiKey: string
  readonly limits: Limits
  inflight = 0

  /** Runs a fiber in the fake's scope (webhook deliveries); set by the constructor of the service. */
  runFork: (effect: Effect.Effect<void>) => void = () => {}

  constructor(
    readonly baseUrl: string,
    options: FakeSkytells.Options,
    readonly webhooks: WebhookConfig,
    /** `options.seed`, or one drawn at random when the fake was built. */
    readonly seed: number
  ) {
    this.ids = new Prng(seed)
    this.faults = new Prng(seed ^ 0x5bd1e995)
    this.scenario = { ...Scenario.defaults, ...options.scenario }
    const accounts = options.accounts ?? [{ apiKey: "sk-test-fake-skytells" }]
    for (const account of accounts) this.addAccount(account)
    this.defaultApiKey = accounts[0]?.apiKey ?? "sk-test-fake-skytells"
    this.limits = {
      maxBodyBytes: options.maxBodyBytes ?? defaultLimits.maxBodyBytes,
      logEntries: options.requestLog?.maxEntries ?? defaultLimits.logEntries,
      logBodyBytes: options.requestLog?.maxBodyBytes ?? defaultLimits.logBodyBytes
    }
    for (const rule of options.faults ?? []) this.addRule(rule)
  }

  addAccount(account: FakeSkytells.Account): void {
    this.accounts.set(account.apiKey, {
      apiKey: account.apiKey,
      credits: account.credits ?? defaultAccount.credits,
      requestsPerMinute: account.requestsPerMinute ?? defaultAccount.requestsPerMinute,
      maxConcurrent: account.maxConcurrent ?? defaultAccount.maxConcurrent,
      suspended: account.suspended ?? false,
      windowStart: 0,
      windowCount: 0,
      inflight: 0
    })
  }

  /** Appends to the request log, dropping the oldest entries beyond its bound. */
  record(request: MutableRecordedRequest): void {
    this.requests.push(request)
    const excess = this.requests.length - this.limits.logEntries
    if (excess > 0) this.requests.splice(0, excess)
  }

  addRule(rule: Fault.Rule): void {
    this.rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY })
  }

  /** The fault for the next request to `route`: a script first, then the first rule that fires. */
  pickFault(route: Fault.RouteName, matches: (s: Fault.RouteSelector, r: Fault.RouteName) => boolean): Fault.Fault {
    for (const script of this.scripts) {
      if (script.queue.length > 0 && matches(script.route, route)) return script.queue.shift()!
    }
    for (const entry of this.rules) {
      if (entry.remaining <= 0 || !matches(entry.rule.route, route)) continue
      const p = entry.rule.probability ?? 1
      if (p >= 1 || this.faults.next() < p) {
        entry.remaining--
        return entry.rule.fault
      }
    }
    return { _tag: "Pass" }
  }

  requestId(): string {
    return `req_${this.ids.hex(24)}`
  }

  /** Predictions of one account, newest first, not deleted. */
  predictionsOf(apiKey: string): Array<PredictionRecord> {
    return Array.from(this.predictions.values())
      .filter((p) => p.apiKey === apiKey && !p.deleted)
      .reverse()
  }
}
