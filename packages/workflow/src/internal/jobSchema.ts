/**
 * The job's payload, result and error schemas: what the workflow engine stores and reads back.
 *
 * @internal
 */
import { Outputs, OutputStorage, Prediction, Predictions, SkytellsError } from "@effect-skytells/client"
import * as Schema from "effect/Schema"

/** @internal */
export const workflowName = "effect-skytells/PredictionJob"

/** @internal */
export class JobRequest extends Schema.Class<JobRequest>("@effect-skytells/workflow/PredictionJob/JobRequest")({
  jobId: Schema.NonEmptyTrimmedString,
  /** The model's slug, e.g. `truefusion`. */
  model: Schema.NonEmptyTrimmedString,
  input: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  /** Where the outputs go in the `OutputStorage`: `<outputPrefix>/<name>`. Default: the prediction id. */
  outputPrefix: Schema.optional(Schema.String)
}) {}

/** @internal */
export class JobResult extends Schema.Class<JobResult>("@effect-skytells/workflow/PredictionJob/JobResult")({
  prediction: Prediction.Prediction,
  outputs: Schema.Array(Schema.String)
}) {}

/** @internal */
export class JobStorageError extends Schema.TaggedError<JobStorageError>(
  "@effect-skytells/workflow/PredictionJob/JobStorageError"
)("JobStorageError", {
  operation: Schema.String,
  message: Schema.String
}) {
  override get message(): string {
    return `The job's database failed to ${this.operation}: ${this.message}. Nothing was created for this attempt; check the database the job engine uses.`
  }
}

/** @internal */
export const JobError = Schema.Union(
  SkytellsError.SkytellsApiError,
  SkytellsError.UnknownApiError,
  SkytellsError.GatewayError,
  SkytellsError.MalformedResponse,
  SkytellsError.TransportError,
  SkytellsError.RequestTimeout,
  Prediction.PredictionCanceled,
  Predictions.WaitTimeout,
  Outputs.OutputsRemoved,
  Outputs.NoOutputs,
  Outputs.OutputExpired,
  Outputs.OutputUnavailable,
  Outputs.OutputIncomplete,
  Outputs.OutputWriteFailed,
  OutputStorage.OutputStorageError,
  JobStorageError
)

/** @internal */
export type JobError = typeof JobError.Type
