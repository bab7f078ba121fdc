/**
 * Elastic tabstops as docker's tables print them: a port of the cli's fork of Go's `text/tabwriter`
 * (cli `cli/command/formatter/tabwriter/tabwriter.go`), which the table formatter drives with
 * `minwidth 10, tabwidth 1, padding 3, padchar ' ', flags 0` (`formatter.go` `postFormat`).
 *
 * Text is cells terminated by `\t` (or `\v`), lines by `\n` (or `\f`). A column *block* is a run of
 * consecutive lines that all have a tab-terminated cell in that column; every cell of a block is
 * padded to `max(widest cell + padding, minwidth)`. The cell after a line's last tab is never
 * padded, so tables have an unpadded last column, and an empty non-last cell still gets its padding
 * (rows can end in spaces). A line without any tab ends every block above it.
 *
 * Widths count display columns (East Asian wide characters as 2, combining marks as 0), as
 * go-runewidth does. Only left alignment, the only mode docker uses, is implemented; of the flags,
 * `DiscardEmptyColumns` is supported for completeness.
 */

export interface TabWriterOptions {
  /** Minimal cell width including padding. */
  readonly minwidth: number;
  /** Width of a tab character when `padchar` is a tab. */
  readonly tabwidth: number;
  /** Added to the widest cell of a block. */
  readonly padding: number;
  /** `' '` pads with spaces; `'\t'` pads with tabs of `tabwidth`. */
  readonly padchar: ' ' | '\t';
  /** Go's `DiscardEmptyColumns`: a column block of only empty, tab-less cells gets width 0. */
  readonly discardEmptyColumns?: boolean;
}

/** What `docker … ls` tables use (cli `formatter.go` `postFormat`). */
export const DOCKER_TABLE: TabWriterOptions = { minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' };

interface Cell {
  readonly text: string;
  /** Display width in columns. */
  readonly width: number;
  /** True when the cell was terminated by a tab (not a line end). */
  readonly htab: boolean;
}

/** Formats `text` in one go: the same bytes as Go's `Write(text)` followed by `Flush()`. */
export function tabwrite(text: string, options: TabWriterOptions = DOCKER_TABLE): string {
  const w = new TabWriter(options);
  w.write(text);
  return w.flush();
}

/** A streaming writer: `write` any pieces, then `flush` returns everything formatted so far. */
export class TabWriter {
  private lines: Cell[][] = [[]];
  private cell = '';
  private widths: number[] = [];
  private out: string[] = [];

  constructor(private readonly options: TabWriterOptions = DOCKER_TABLE) {
    if (options.minwidth < 0 || options.tabwidth < 0 || options.padding < 0) {
      throw new RangeError('negative minwidth, tabwidth, or padding');
    }
  }

  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') continue;
      this.cell += text.slice(start, i);
      start = i + 1;
      const ncells = this.terminateCell(ch === '\t');
      if (ch === '\n' || ch === '\f') {
        this.lines.push([]);
        // A line of one cell cannot continue any column block: everything so far is final.
        if (ch === '\f' || ncells === 1) this.flushLines();
      }
    }
    this.cell += text.slice(start);
  }

  /** Formats and returns all pending text (a trailing partial line is printed as is). */
  flush(): string {
    if (this.cell.length > 0) this.terminateCell(false);
    this.flushLines();
    const result = this.out.join('');
    this.out = [];
    return result;
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1];
    line.push({ text: this.cell, width: displayWidth(this.cell), htab });
    this.cell = '';
    return line.length;
  }

  private flushLines(): void {
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.widths = [];
  }

  /** Go's `format`: finds the column blocks of `column = widths.length` in lines [line0, line1). */
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= this.lines[current].length - 1) continue;
      // `current` starts a block: print the lines before it, then size and print the block.
      this.writeLines(line0, current);
      line0 = current;
      let width = this.options.minwidth;
      let discardable = true;
      for (; current < line1; current++) {
        const line = this.lines[current];
        if (column >= line.length - 1) break;
        const c = line[column];
        width = Math.max(width, c.width + this.options.padding);
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && this.options.discardEmptyColumns === true) width = 0;
      this.widths.push(width);
      this.format(line0, current);
      this.widths.pop();
      line0 = current;
    }
    this.writeLines(line0, line1);
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i];
      for (let j = 0; j < line.length; j++) {
        const c = line[j];
        this.out.push(c.text);
        if (j < this.widths.length) this.writePadding(c.width, this.widths[j]);
      }
      if (i + 1 === this.lines.length) {
        // The last buffered line is the incomplete one: its pending text, no newline.
        this.out.push(this.cell);
        this.cell = '';
      } else {
        this.out.push('\n');
      }
    }
  }

  private writePadding(textWidth: number, cellWidth: number): void {
    if (this.options.padchar === '\t') {
      const tw = this.options.tabwidth;
      if (tw === 0) return;
      const rounded = Math.ceil(cellWidth / tw) * tw;
      this.out.push('\t'.repeat(Math.ceil((rounded - textWidth) / tw)));
      return;
    }
    this.out.push(' '.repeat(cellWidth - textWidth));
  }
}

/** Display columns of `s`: wide characters count 2, combining marks and zero-width ones 0. */
export function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s) width += charWidth(ch.codePointAt(0)!);
  return width;
}

function charWidth(cp: number): number {
  if (cp < 0x300) return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : 1;
  // Combining marks and zero-width characters.
  if (
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0x20d0 && cp <= 0x20ff)
  ) {
    return 0;
  }
  // East Asian Wide and Fullwidth ranges (the common blocks; go-runewidth's full table is larger).
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}
