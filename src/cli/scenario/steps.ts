/**
 * A parsed scenario: the steps of a file in order, each with its line number and expectations,
 * and the hosts the file names. Plain readonly data — `parse.ts` builds it, `runner.ts` and the
 * shell execute it.
 */
import type { Template } from './placeholders.js';

/** A check on one attempt's result, from an indented line under a step. */
export type Expectation =
  /** `~ TEXT`: the combined output (stdout then stderr) contains TEXT. */
  | { readonly kind: 'contains'; readonly line: number; readonly text: Template }
  /** `!~ TEXT`: the combined output does not contain TEXT. */
  | { readonly kind: 'absent'; readonly line: number; readonly text: Template }
  /** `exit N`: the exit code is N (without one, a step must exit 0). */
  | { readonly kind: 'exit'; readonly line: number; readonly code: number };

export type Step =
  /** `HOST$ docker …`: `command` is the whole command text, `docker` included. */
  | {
      readonly kind: 'docker';
      readonly line: number;
      readonly host: Template;
      readonly command: Template;
      readonly expectations: readonly Expectation[];
      /** `< TEXT` lines under the step: the command's standard input, one line each, in order. */
      readonly stdin: readonly Template[];
    }
  /** `@sh COMMAND`: run with `/bin/sh -c` on this machine. */
  | { readonly kind: 'sh'; readonly line: number; readonly command: Template; readonly expectations: readonly Expectation[] }
  /** `@sleep SECONDS`. */
  | { readonly kind: 'sleep'; readonly line: number; readonly seconds: number }
  /** `@kill HOST`. */
  | { readonly kind: 'kill'; readonly line: number; readonly host: Template }
  /** `@expose-dns CONTAINER ADDR:PORT`. */
  | { readonly kind: 'expose-dns'; readonly line: number; readonly container: Template; readonly address: Template };

/** The steps that produce output and so may carry expectations. */
export type CheckedStep = Extract<Step, { expectations: readonly Expectation[] }>;

export interface Scenario {
  /** The file name used in messages (`FILE:LINE: …`). */
  readonly file: string;
  readonly steps: readonly Step[];
  /** Every host the file names (HOST$, @kill, {{addr:HOST}}), in order of first mention. */
  readonly hosts: readonly string[];
}

/** One problem in a scenario file. */
export interface ScenarioParseError {
  readonly file: string;
  /** 1-based; for a continued line, the line it starts on. */
  readonly line: number;
  readonly message: string;
}

/** `FILE:LINE: message`, the form editors and compilers use. */
export function formatParseError(e: ScenarioParseError): string {
  return `${e.file}:${e.line}: ${e.message}`;
}
