/**
 * Identity-provider transcript replay: shared by test/idp (every provider on
 * every CI run) and the `scim-gate replay` command (an operator proving a setup
 * before pointing a real provider at it). An HTTP client of a SCIM endpoint;
 * it imports nothing from the server.
 */
export { listProviders, loadTranscript } from "./load.ts";
export { type Difference, match } from "./matcher.ts";
export { replayTranscript, type ReplayOptions, type ReplayResult, type StepResult } from "./replay.ts";
export { parseTranscript, type Transcript, TranscriptError, type TranscriptStep } from "./transcript.ts";
