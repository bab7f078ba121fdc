// Every example in examples/ runs as the README says and does what it claims.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEthernet } from '../../src/wire/ethernet.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { readPcap } from '../../src/wire/pcap.js';
import { parseUdp } from '../../src/wire/udp.js';
import { parseVxlan } from '../../src/wire/vxlan.js';
import { expectOk } from '../support/codec.js';

describe('examples/vxlan-capture.mjs', () => {
  it('writes a pcap of a ping inside VXLAN 4097 that our own reader decodes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarmnet-example-'));
    try {
      const file = join(dir, 'out.pcap');
      const stdout = execFileSync(process.execPath, ['examples/vxlan-capture.mjs', file], { encoding: 'utf8' });
      expect(stdout).toContain('wrote 2 packets');
      const capture = expectOk(readPcap(new Uint8Array(readFileSync(file))));
      const vnis: number[] = [];
      for (const rec of capture.records) {
        const eth = expectOk(parseEthernet(expectOk(rec).data));
        const ip = expectOk(parseIpv4(eth.payload));
        const udp = expectOk(parseUdp(ip.payload, ip.src, ip.dst));
        vnis.push(expectOk(parseVxlan(udp.payload)).vni);
      }
      expect(vnis).toEqual([4097, 4097]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
