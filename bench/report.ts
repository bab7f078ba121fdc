/**
 * The benchmark report: every figure beside the baseline measured in the same run, as a ratio.
 * Absolute numbers on a shared 2-core machine are noise; ratios to a same-run baseline are not.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Bench } from 'tinybench';

export interface Row {
  /** What was measured. */
  readonly name: string;
  /** Operations per second (an operation is one packet or one call, as the section says). */
  readonly opsPerSec: number;
  /** Mean nanoseconds per operation. */
  readonly nsPerOp: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rmePercent: number;
  /** Name of the baseline row this row is compared to (absent on baselines themselves). */
  readonly baseline?: string;
  /** opsPerSec / the baseline's opsPerSec: 1 = as fast as the baseline, 0.5 = half as fast. */
  readonly ratio?: number;
}

export interface Section {
  readonly name: string;
  /** What one operation is, and what the baseline stands for. */
  readonly note: string;
  /** Micro-benchmark rows, or a section's own row objects (with `table` to print them). */
  readonly rows: readonly Row[] | readonly Record<string, unknown>[];
  /** Header and cells, for sections whose rows are not `Row`s. */
  readonly table?: readonly (readonly string[])[];
}

/** A benchmark case: `run` performs `batch` operations, so harness overhead is spread thin. */
export interface Case {
  readonly name: string;
  readonly batch: number;
  readonly run: () => void;
  /** The case this one is compared to; baselines leave it out. */
  readonly baseline?: string;
}

/** Times each case with tinybench and returns rows with ratios to their baselines. */
export async function measure(cases: readonly Case[], timeMs: number): Promise<Row[]> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs / 2) });
  for (const c of cases) bench.add(c.name, c.run);
  await bench.run();
  const raw = new Map<string, { opsPerSec: number; nsPerOp: number; rme: number }>();
  for (const task of bench.tasks) {
    const c = cases.find((x) => x.name === task.name)!;
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`benchmark ${task.name} did not complete: ${r.state}`);
    const msPerBatch = r.latency.mean;
    raw.set(c.name, {
      opsPerSec: (c.batch * 1000) / msPerBatch,
      nsPerOp: (msPerBatch * 1e6) / c.batch,
      rme: r.latency.rme,
    });
  }
  return cases.map((c) => {
    const m = raw.get(c.name)!;
    const row: Row = { name: c.name, opsPerSec: m.opsPerSec, nsPerOp: m.nsPerOp, rmePercent: m.rme };
    if (c.baseline === undefined) return row;
    const base = raw.get(c.baseline);
    if (base === undefined) throw new Error(`benchmark ${c.name}: no baseline named ${c.baseline}`);
    return { ...row, baseline: c.baseline, ratio: m.opsPerSec / base.opsPerSec };
  });
}

function fmtOps(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M/s`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k/s`;
  return `${n.toFixed(0)} /s`;
}

/** A plain-text table of one section. */
export function formatSection(s: Section): string {
  const [header, ...lines] = s.table ?? [
    ['case', 'ops/s', 'ns/op', '±%', 'vs baseline'],
    ...(s.rows as readonly Row[]).map((r) => [
      r.name,
      fmtOps(r.opsPerSec),
      r.nsPerOp.toFixed(1),
      r.rmePercent.toFixed(1),
      r.ratio === undefined ? '(baseline)' : `${r.ratio.toFixed(3)} × ${r.baseline}`,
    ]),
  ];
  const last = header.length - 1;
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: readonly string[]) => cells.map((c, i) => (i === 0 || i === last ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [`## ${s.name}`, s.note, '', fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt), ''].join('\n');
}

/** Writes the whole report as JSON (bench/results/latest.json by default). */
export function writeReport(sections: readonly Section[], path: string): void {
  const report = {
    swarmnet: process.env.npm_package_version ?? null,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    date: new Date().toISOString(),
    sections,
  };
  mkdirSync(new URL('.', `file://${path}`).pathname, { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
