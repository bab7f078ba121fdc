/**
 * Which docker command lines read what the user types next (`docker exec -it …`, `docker run -i …`
 * without `-d`, `docker attach …`): the shell then collects the following lines as that command's
 * input, up to a line `exit` (given to the command too) or Ctrl-D, and runs it once with them —
 * the emulated daemon takes a command's input whole, not keystroke by keystroke.
 *
 * A word-level reading of docker's flags: short clusters (`-dit`) and long flags anywhere before
 * the command's own arguments count; it errs towards not collecting.
 */
const READS_INPUT = new Set(['exec', 'run', 'attach']);

export function readsInput(words: readonly string[]): boolean {
  let i = words[0] === 'docker' ? 1 : 0;
  if (words[i] === 'container') i += 1;
  const command = words[i];
  if (command === undefined || !READS_INPUT.has(command)) return false;
  const flags = words.slice(i + 1).filter((w) => w.startsWith('-') && w !== '-' && w !== '--');
  const short = (letter: string) => flags.some((f) => !f.startsWith('--') && f.slice(1).includes(letter));
  const long = (name: string) => flags.some((f) => f === `--${name}` || f === `--${name}=true`);
  if (command === 'attach') return !long('no-stdin');
  const interactive = short('i') || long('interactive');
  const detached = command === 'run' && (short('d') || long('detach'));
  return interactive && !detached;
}
