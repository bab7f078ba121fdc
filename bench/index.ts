/**
 * `npm run bench`: every section measured with its baseline in the same run; prints a table per
 * section and writes bench/results/latest.json. Options: `--quick` (short runs, for smoke checks),
 * `--out FILE`, `--only SECTION`, `--time-scale N` (gossip on a sped-up clock).
 */
import { parseArgs } from 'node:util';
import { espCases } from './crypto.js';
import { forwardingSections } from './dataplane.js';
import { gossipSection } from './gossip.js';
import { dnsSection } from './dns.js';
import { formatSection, measure, writeReport, type Section } from './report.js';
import { checksumCases, ipv4IcmpCases, vxlanCases } from './wire.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: new URL('../../bench/results/latest.json', import.meta.url).pathname },
    only: { type: 'string' },
    'time-scale': { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'Usage: npm run bench [-- --quick] [-- --out FILE] [-- --only codecs|forwarding|gossip|dns] [-- --time-scale N]\n\n' +
      'Codec micro-benchmarks, the forwarding path, gossip (memberlist convergence and failure detection)\n' +
      'and the embedded DNS, each beside a baseline measured in the same run. --time-scale (default 10)\n' +
      'adds gossip runs on a clock sped up N times.\n',
  );
  process.exit(0);
}

const timeMs = values.quick ? 100 : 600;

const plan: { name: string; note: string; cases: () => ReturnType<typeof vxlanCases> }[] = [
  { name: 'wire: VXLAN encap/decap', note: 'One op = one inner frame. Baseline: copying the frame once (Uint8Array.set).', cases: vxlanCases },
  { name: 'wire: IPv4 + ICMP echo', note: 'One op = one 98-byte ping frame built in place / parsed. Baseline: copying that frame.', cases: ipv4IcmpCases },
  { name: 'wire: Internet checksum (RFC 1071)', note: 'One op = one checksum. Baseline: native zlib CRC-32 over the same bytes.', cases: checksumCases },
  { name: 'crypto: ESP AES-128-GCM, 8-byte ICV', note: 'One op = one packet sealed / opened. Baseline: bare node:crypto AES-GCM over the same bytes.', cases: espCases },
];

const sections: Section[] = [];
const runCodecs = values.only === undefined || values.only === 'codecs';
const runForwarding = values.only === undefined || values.only === 'forwarding';
const runGossip = values.only === undefined || values.only === 'gossip';
const runDns = values.only === undefined || values.only === 'dns';
if (values.only !== undefined && !runCodecs && !runForwarding && !runGossip && !runDns) {
  process.stderr.write(`unknown section "${values.only}": use codecs, forwarding, gossip or dns\n`);
  process.exit(2);
}
const timeScale = Number(values['time-scale']);
if (!(timeScale >= 1 && timeScale <= 1000)) {
  process.stderr.write(`--time-scale must be a number from 1 to 1000: ${values['time-scale']}\n`);
  process.exit(2);
}
for (const step of runCodecs ? plan : []) {
  process.stderr.write(`bench: ${step.name} …\n`);
  const rows = await measure(step.cases(), timeMs);
  const section: Section = { name: step.name, note: step.note, rows };
  sections.push(section);
  process.stdout.write(`${formatSection(section)}\n`);
}
if (runForwarding) {
  const opts = values.quick ? { floodMs: 500, rounds: 500, repeats: 1 } : { floodMs: 1500, rounds: 4000, repeats: 3 };
  for (const section of await forwardingSections(opts, (line) => process.stderr.write(`bench: ${line} …\n`))) {
    sections.push(section);
    process.stdout.write(`${formatSection(section)}\n`);
  }
}
if (runGossip) {
  const opts = values.quick ? { sizes: [3, 8], idleMs: 1000, timeScale } : { sizes: [3, 8, 16, 32], idleMs: 3000, timeScale };
  const section = await gossipSection(opts, (line) => process.stderr.write(`bench: ${line} …\n`));
  sections.push(section);
  process.stdout.write(`${formatSection(section)}\n`);
}
if (runDns) {
  const section = await dnsSection(values.quick ? { durationMs: 500, rounds: 200 } : { durationMs: 2000, rounds: 2000 }, (line) => process.stderr.write(`bench: ${line} …\n`));
  sections.push(section);
  process.stdout.write(`${formatSection(section)}\n`);
}
writeReport(sections, values.out);
process.stdout.write(`wrote ${values.out}\n`);
