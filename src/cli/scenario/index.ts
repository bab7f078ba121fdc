/**
 * Scenario files: `swarmnet run FILE` replays a tutorial against an emulated cluster and checks
 * what each command prints. The file format is documented in `parse.ts` (FORMAT); the cluster is
 * reached only through `ScenarioTarget` (`target.ts`).
 */
export type { CommandOutput, ScenarioTarget } from './target.js';
export type { CheckedStep, Expectation, Scenario, ScenarioParseError, Step } from './steps.js';
export { formatParseError } from './steps.js';
export { MAX_SLEEP_SECONDS, parseHostRef, parseScenario, resolveHosts, type ParseOptions, type ParseResult } from './parse.js';
export {
  addressedHosts,
  fillTemplate,
  formatPlaceholder,
  isHostName,
  LookupError,
  MAX_HOST_NAME_LENGTH,
  MAX_SLOT,
  parseTemplate,
  PLACEHOLDER_FORMS,
  type Placeholder,
  type PlaceholderSource,
  type Segment,
  type Template,
} from './placeholders.js';
export { attemptStep, checkOutput, executeStep, type Attempt, type Execution, type Failure, type StepDeps } from './execute.js';
export {
  DEFAULT_STEP_TIMEOUT_MS,
  isRetried,
  MAX_STEP_TIMEOUT_MS,
  RETRY_PAUSE_MS,
  runScenario,
  wallClock,
  writeOutput,
  type RunDeps,
  type RunOptions,
  type RunReport,
  type ScenarioClock,
} from './runner.js';
export { MAX_SH_OUTPUT_BYTES, runSh, SH_TIMEOUT_EXIT_CODE, SH_TIMEOUT_MS, type RunSh, type ShOptions } from './sh.js';
export { invalidFlag, parseDuration, parseFlags, parseHostList, USAGE_EXIT_CODE, type FlagSpec, type ParsedFlags } from './args.js';
export { MAX_SCENARIO_BYTES, RUN_USAGE, runCommand, withCluster, type Connect, type Io, type RunCommandDeps, type TargetSession } from './command.js';
export { completeDocker, splitCommandLine } from './docker-cli.js';
