/**
 * `swarmnet shell`: an interactive prompt that runs docker commands (and scenario directives)
 * on the hosts of an emulated cluster, through the same `ScenarioTarget` as `swarmnet run`.
 */
export { completeShellLine, SHELL_COMMANDS, type CompleteContext } from './complete.js';
export { defaultHistoryFile, HISTORY_FILE_NAME, HISTORY_SIZE, loadHistory, remember, saveHistory } from './history.js';
export { CTRL_C_HINT, runShell, SHELL_HELP, type ShellOptions } from './shell.js';
export { DEFAULT_SHELL_HOSTS, SHELL_USAGE, shellCommand, type ShellCommandDeps } from './command.js';
