import { describe, expect, it } from 'vitest';
import { MAX_SH_OUTPUT_BYTES, runSh, SH_TIMEOUT_EXIT_CODE } from '../../../src/cli/scenario/index.js';

describe('runSh (@sh): a real /bin/sh -c, bounded', () => {
  it('collects stdout, stderr and the exit code', async () => {
    expect(await runSh("echo hi; echo oops >&2; exit 3", { timeoutMs: 5000 })).toEqual({ stdout: 'hi\n', stderr: 'oops\n', exitCode: 3 });
  });

  it('runs through the shell, so pipes and quotes work', async () => {
    expect((await runSh("printf '%s\\n' 'a b' | tr a-z A-Z", { timeoutMs: 5000 })).stdout).toBe('A B\n');
  });

  it('kills the whole process group at the time limit, grandchildren included', async () => {
    // Were the group not killed, the call would wait for `sleep 20` and the test's own bound
    // (vitest's 5 s) would fail it; the exit code and the missing "late" say it was killed.
    const r = await runSh('sleep 20; echo late', { timeoutMs: 200 });
    expect(r.exitCode).toBe(SH_TIMEOUT_EXIT_CODE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('@sh: timed out after 0.2 s\n');
  });

  it('reports death by signal as 128 + the signal number', async () => {
    expect((await runSh('kill -TERM $$', { timeoutMs: 5000 })).exitCode).toBe(143);
  });

  it('caps the output and kills a runaway command', async () => {
    const r = await runSh('while :; do echo yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy; done', { timeoutMs: 10_000 });
    expect(r.stdout.length).toBe(MAX_SH_OUTPUT_BYTES);
    expect(r.stderr).toContain(`@sh: stdout exceeded ${MAX_SH_OUTPUT_BYTES} bytes; killed`);
    expect(r.exitCode).not.toBe(0);
  });
});
