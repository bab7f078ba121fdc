/**
 * Persisted shell history — only when asked for (`swarmnet shell --history`), in
 * `~/.swarmnet_history`: one command per line, oldest first, as bash keeps its own. In memory
 * the list is newest first, as readline wants it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Commands kept, in memory and on disk. */
export const HISTORY_SIZE = 1000;
export const HISTORY_FILE_NAME = '.swarmnet_history';

/** `~/.swarmnet_history` for the current user (or the given home directory). */
export function defaultHistoryFile(home: string = homedir()): string {
  return join(home, HISTORY_FILE_NAME);
}

/** The saved history, newest first; empty if the file does not exist yet. */
export async function loadHistory(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text.split('\n').filter((l) => l.trim() !== '').reverse().slice(0, HISTORY_SIZE);
}

/** Writes `history` (newest first), keeping the newest `HISTORY_SIZE` commands. */
export async function saveHistory(path: string, history: readonly string[]): Promise<void> {
  const kept = history.slice(0, HISTORY_SIZE).reverse();
  await writeFile(path, kept.length === 0 ? '' : `${kept.join('\n')}\n`, { mode: 0o600 });
}

/** `history` with `line` added as the newest entry (an earlier copy of it removed). */
export function remember(history: readonly string[], line: string): string[] {
  return [line, ...history.filter((h) => h !== line)].slice(0, HISTORY_SIZE);
}
