import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillTemplate, formatPlaceholder, isHostName, LookupError, MAX_HOST_NAME_LENGTH, parseTemplate, type Template } from '../../../src/cli/scenario/index.js';
import { FakeTarget } from './fakes.js';

function template(text: string): Template {
  const r = parseTemplate(text);
  if (!r.ok) throw new Error(`want ok, got ${r.message}`);
  return r.template;
}

describe('parseTemplate', () => {
  const cases: { text: string; segments: unknown[] }[] = [
    { text: '', segments: [] },
    { text: 'plain', segments: ['plain'] },
    { text: '{{addr:manager}}', segments: [{ kind: 'addr', host: 'manager' }] },
    { text: 'a {{token:worker}} b', segments: ['a ', { kind: 'token', role: 'worker' }, ' b'] },
    { text: '{{token:manager}}', segments: [{ kind: 'token', role: 'manager' }] },
    { text: 'x{{task:my_web.12}}y', segments: ['x', { kind: 'task', service: 'my_web', slot: 12 }, 'y'] },
    { text: '{{host:a.b.3}}', segments: [{ kind: 'host', service: 'a.b', slot: 3 }] },
    { text: 'ping {{ip:servico.2@my_overlay}}', segments: ['ping ', { kind: 'ip', service: 'servico', slot: 2, network: 'my_overlay' }] },
    { text: "--format '{{.Name}}' {{json .}} {{ .ID }} {{x}}", segments: ["--format '{{.Name}}' {{json .}} {{ .ID }} {{x}}"] },
    { text: '{{{{addr:m}}', segments: ['{{', { kind: 'addr', host: 'm' }] },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.text), () => {
      expect(template(c.text).segments).toEqual(c.segments);
      expect(template(c.text).source).toBe(c.text);
    });
  }

  it('formats each placeholder back as written', () => {
    for (const text of ['{{addr:m}}', '{{token:worker}}', '{{task:web.1}}', '{{host:web.2}}', '{{ip:web.2@net}}']) {
      const [p] = template(text).segments;
      expect(typeof p !== 'string' && formatPlaceholder(p!)).toBe(text);
    }
  });

  it('never throws, and round-trips the text of any template it accepts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.constantFrom('{{', '}}', 'addr:', 'task:', 'w.1', ':', 'x', ' ')).map((a) => a.join(''))), (text) => {
        const r = parseTemplate(text);
        if (!r.ok) return;
        const rebuilt = r.template.segments.map((s) => (typeof s === 'string' ? s : formatPlaceholder(s))).join('');
        expect(rebuilt).toBe(text);
      }),
    );
  });

  it('limits host names', () => {
    expect(isHostName('h'.repeat(MAX_HOST_NAME_LENGTH))).toBe(true);
    expect(isHostName('h'.repeat(MAX_HOST_NAME_LENGTH + 1))).toBe(false);
    expect(isHostName('-x')).toBe(false);
    expect(isHostName('worker_1.lan')).toBe(true);
  });
});

describe('fillTemplate', () => {
  it('fills every kind from the target', async () => {
    const target = new FakeTarget();
    target.tokens.worker = 'SWMTKN-1-w';
    target.tokens.manager = 'SWMTKN-1-m';
    target.tasks.set('web.1', { container: 'web.1.abc', host: 'worker-2', addresses: { 'my-net': '10.0.1.4' } });
    const t = template('{{addr:manager}} {{token:worker}} {{token:manager}} {{task:web.1}} {{host:web.1}} {{ip:web.1@my-net}}');
    expect(await fillTemplate(t, target)).toBe('127.42.7.1 SWMTKN-1-w SWMTKN-1-m web.1.abc worker-2 10.0.1.4');
    const err = await fillTemplate(template('{{ip:web.1@other}}'), target).catch((e: unknown) => e);
    expect((err as LookupError).message).toBe('{{ip:web.1@other}}: the task has no address on network other');
  });

  it('refuses malformed ip placeholders', () => {
    for (const bad of ['{{ip:web.1}}', '{{ip:web.1@}}', '{{ip:web@net}}', '{{ip:web.1@-x}}']) expect(parseTemplate(bad).ok, bad).toBe(false);
  });

  it('rejects with a LookupError naming the placeholder', async () => {
    const target = new FakeTarget();
    const failures = ['{{task:web.9}}', '{{token:worker}}', '{{addr:nowhere}}'];
    const want = ['{{task:web.9}}: no such task: web.9', '{{token:worker}}: This node is not a swarm manager.', '{{addr:nowhere}}: no such host: nowhere'];
    for (const [i, text] of failures.entries()) {
      const err = await fillTemplate(template(`x ${text}`), target).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LookupError);
      expect((err as LookupError).message).toBe(want[i]);
      expect((err as LookupError).code).toBe('lookup-failed');
    }
  });
});
