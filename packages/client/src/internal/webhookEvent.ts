/**
 * Pure classification of a webhook body: which shape it has (envelope or bare prediction), which
 * event it names and how that event normalises. No decoding of the prediction itself.
 *
 * @internal
 */

/** The normalised event kinds. @internal */
export type Kind = "Started" | "Succeeded" | "Failed" | "Canceled" | "Updated"

/** @internal */
export type Classified =
  | {
    readonly _tag: "Classified"
    readonly shape: "envelope" | "bare"
    /** The event name as it arrived: the envelope's `type`, or the bare prediction's `status`. */
    readonly event: string
    readonly kind: Kind
    /** The envelope's `created_at`, when it has one. */
    readonly createdAt: string | undefined
    /** The prediction JSON, not yet decoded. */
    readonly prediction: Record<string, unknown>
  }
  | { readonly _tag: "UnknownShape"; readonly issue: string }

const kinds: Readonly<Record<string, Kind>> = {
  completed: "Succeeded",
  complete: "Succeeded",
  succeeded: "Succeeded",
  success: "Succeeded",
  failed: "Failed",
  canceled: "Canceled",
  cancelled: "Canceled",
  started: "Started",
  starting: "Started",
  start: "Started"
}

/**
 * `prediction.completed`, `Completed`, `succeeded` ... → the kind; any other name (`processing`,
 * `prediction.logs`, an unknown status) is an update.
 *
 * @internal
 */
export const kindOf = (event: string): Kind => {
  const name = event.trim().toLowerCase().replace(/^prediction[._-]/, "")
  return Object.hasOwn(kinds, name) ? kinds[name]! : "Updated"
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export const classify = (json: unknown): Classified => {
  if (!isRecord(json)) {
    return {
      _tag: "UnknownShape",
      issue: `expected a JSON object, got ${Array.isArray(json) ? "an array" : typeof json}`
    }
  }
  // The envelope `{ type, created_at, data: prediction }`. A bare prediction has a `type` too
  // ("inference"), but never a `data` object.
  if (isRecord(json.data)) {
    const data = json.data
    const event = typeof json.type === "string" && json.type.trim() !== ""
      ? json.type
      : typeof data.status === "string"
      ? data.status
      : undefined
    if (event === undefined) {
      return { _tag: "UnknownShape", issue: "an envelope with `data` but neither `type` nor `data.status`" }
    }
    return {
      _tag: "Classified",
      shape: "envelope",
      event,
      kind: kindOf(event),
      createdAt: typeof json.created_at === "string" ? json.created_at : undefined,
      prediction: data
    }
  }
  if (typeof json.status === "string" && json.status.trim() !== "") {
    return {
      _tag: "Classified",
      shape: "bare",
      event: json.status,
      kind: kindOf(json.status),
      createdAt: undefined,
      prediction: json
    }
  }
  return { _tag: "UnknownShape", issue: "neither an event envelope `{ type, data }` nor a prediction with a `status`" }
}
