/**
 * The `docker` command layer — the client half of Docker: it parses a `docker …` command line
 * (docker/cli + cobra + pflag behaviour), calls the emulated daemon through `EngineApi`
 * (src/host/engine-api.ts) and prints what the real CLI prints, byte for byte where the reference
 * (shared/reference/docker-cli-outputs.md) pins it down.
 *
 * - `runDocker(argv, engine)` runs one command (argv without the leading `docker`) and returns its
 *   stdout, stderr and exit code; it never throws for user errors.
 * - `splitCommandLine(line)` turns a typed line into argv like a POSIX shell (quotes, escapes).
 * - `completeDocker(words, partial)` offers completions for an interactive shell.
 *
 * The formatting pieces (tabwriter, go-units, Go templates) are exported for the commands other
 * folders will add (`network ls`, `service ls`, `ps`).
 */
export { runDocker, DOCKER_COMMANDS, type DockerOptions, type DockerResult } from './docker.js';
export { splitCommandLine, joinCommandLine, quoteWord, CommandLineError } from './shellwords.js';
export { completeDocker } from './completion.js';
export { StatusError, type CommandDef, type RunContext } from './command.js';
export { errorMessageOf } from './errors.js';
export { tabwrite, TabWriter, DOCKER_TABLE, displayWidth, type TabWriterOptions } from './tabwriter.js';
export { bytesSize, humanDuration, humanSize } from './units.js';
export { formatList, inspectObjects, prettyPrint, type Inspected } from './format.js';
export { naturalCompare, naturalLess } from './sortorder.js';
export { CLIENT_GIT_COMMIT, CLIENT_PLATFORM, CLIENT_VERSION } from './client-version.js';
