import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayWidth, tabwrite, TabWriter, DOCKER_TABLE } from '../../src/docker/tabwriter.js';

const sp = (n: number): string => ' '.repeat(n);

describe('tabwriter (docker table settings: minwidth 10, padding 3)', () => {
  it('pads every column but the last to max(widest + 3, 10)', () => {
    expect(tabwrite('a\tbb\tccc\ndddd\te\tf\n')).toBe(`a${sp(9)}bb${sp(8)}ccc\ndddd${sp(6)}e${sp(9)}f\n`);
    // A 16-wide cell makes its column 19 wide.
    expect(tabwrite('ID\tNAME\n0123456789abcdef\tx\n')).toBe(`ID${sp(17)}NAME\n0123456789abcdef${sp(3)}x\n`);
  });

  it('pads empty non-last cells, so rows may end in spaces', () => {
    expect(tabwrite('A\tB\tC\n\t\tz\n')).toBe(`A${sp(9)}B${sp(9)}C\n${sp(20)}z\n`);
    // An empty last cell after a tab: the padded column before it leaves trailing spaces.
    expect(tabwrite('A\tB\t\nx\ty\t\n')).toBe(`A${sp(9)}B${sp(9)}\nx${sp(9)}y${sp(9)}\n`);
  });

  it('never pads the last cell, however long', () => {
    expect(tabwrite('a\tshort\nb\ta much longer last cell\n')).toBe(`a${sp(9)}short\nb${sp(9)}a much longer last cell\n`);
  });

  it('ends a column block at a line without tabs', () => {
    expect(tabwrite('aaaaaaaaaaaaaa\tb\nno tabs here\nc\td\n')).toBe(`aaaaaaaaaaaaaa${sp(3)}b\nno tabs here\nc${sp(9)}d\n`);
  });

  it('sizes each column over the consecutive lines that have it', () => {
    // Column 1 exists only on the first line (the second line's `bb` is its last cell).
    expect(tabwrite('a\tb\tc\naa\tbb\naaa\n')).toBe(`a${sp(9)}b${sp(9)}c\naa${sp(8)}bb\naaa\n`);
    expect(tabwrite('a\tbbbbbbbbbbbbbbb\tc\naa\tbb\n')).toBe(`a${sp(9)}bbbbbbbbbbbbbbb${sp(3)}c\naa${sp(8)}bb\n`);
  });

  it('prints a trailing partial line as is', () => {
    expect(tabwrite('a\tb\nc\td')).toBe(`a${sp(9)}b\nc${sp(9)}d`);
    expect(tabwrite('')).toBe('');
    expect(tabwrite('\n')).toBe('\n');
  });

  it('counts display columns, not UTF-16 units', () => {
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(tabwrite('日本\tx\nabc\ty\n')).toBe(`日本${sp(6)}x\nabc${sp(7)}y\n`);
    expect(tabwrite('日本語の名前です\tx\nabc\ty\n')).toBe(`日本語の名前です${sp(3)}x\nabc${sp(16)}y\n`);
  });

  it('supports tab padding and discarding empty soft columns', () => {
    expect(tabwrite('a\tb\nccc\td\n', { minwidth: 0, tabwidth: 8, padding: 1, padchar: '\t' })).toBe('a\tb\nccc\td\n');
    const discard = { ...DOCKER_TABLE, discardEmptyColumns: true };
    expect(tabwrite('\vb\n\vc\n', discard)).toBe('b\nc\n');
    expect(tabwrite('\vb\n\vc\n')).toBe(`${sp(10)}b\n${sp(10)}c\n`);
  });

  it('reproduces the cli golden node-list-sort.golden', () => {
    // docker/cli cli/command/node/testdata/node-list-sort.golden, from the rows the default node
    // table template produces (ID, then " *" or two spaces, then the tab-separated columns).
    const rows =
      'ID  \tHOSTNAME\tSTATUS\tAVAILABILITY\tMANAGER STATUS\tENGINE VERSION\n' +
      'nodeID3  \tnode-1-foo\tReady\tActive\t\t1.13.0\n' +
      'nodeID1 *\tnode-2-foo\tReady\tActive\tLeader\t.\n' +
      'nodeID2  \tnode-10-foo\tReady\tActive\tReachable\t18.03.0-ce\n';
    expect(tabwrite(rows)).toBe(
      'ID          HOSTNAME      STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n' +
        'nodeID3     node-1-foo    Ready     Active                          1.13.0\n' +
        'nodeID1 *   node-2-foo    Ready     Active         Leader           .\n' +
        'nodeID2     node-10-foo   Ready     Active         Reachable        18.03.0-ce\n',
    );
  });

  it('gives the same bytes however the text is split across writes', () => {
    const text = 'ID  \tHOSTNAME\tSTATUS\nabc *\tmanager1\tReady\nplain line\nx\t\ty\n\tz\ttail';
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set([0, ...cuts, text.length])].sort((a, b) => a - b);
        const w = new TabWriter();
        for (let i = 0; i + 1 < points.length; i++) w.write(text.slice(points[i], points[i + 1]));
        expect(w.flush()).toBe(tabwrite(text));
      }),
    );
  });

  it('matches a simple reference layout on rectangular tables', () => {
    const cell = fc.stringMatching(/^[a-z0-9 ]{0,14}$/);
    const table = fc.integer({ min: 1, max: 5 }).chain((cols) => fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 6 }));
    fc.assert(
      fc.property(table, (rows) => {
        const cols = rows[0].length;
        const widths = Array.from({ length: cols - 1 }, (_, j) => Math.max(10, ...rows.map((r) => r[j].length + 3)));
        const want = rows.map((r) => r.map((c, j) => (j < cols - 1 ? c.padEnd(widths[j]) : c)).join('') + '\n').join('');
        expect(tabwrite(rows.map((r) => `${r.join('\t')}\n`).join(''))).toBe(want);
      }),
    );
  });
});
