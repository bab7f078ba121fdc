/**
 * The two functions this folder borrows from the docker command layer: shell-style word splitting
 * and completion of docker command lines (the runner and shell take both as injectable
 * dependencies, so their tests never depend on them).
 */
export { splitCommandLine, completeDocker } from '../../docker/index.js';
