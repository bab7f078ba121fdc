/**
 * ESP sealing and opening (mirrors src/crypto/): Docker's AES-128-GCM with an 8-byte ICV, against
 * bare node:crypto AES-128-GCM over the same bytes in the same run — the ratio is what our ESP
 * framing, padding and SA handling cost on top of the cipher itself.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { dockerSa, openEsp, sealEsp } from '../src/crypto/esp-gcm.js';
import { IpProtocol } from '../src/wire/ipv4.js';
import type { Case } from './report.js';

const BATCH = 200;
const SIZES = [64, 512, 1450] as const;

export function espCases(): Case[] {
  const cases: Case[] = [];
  const key = randomBytes(16);
  const sa = dockerSa(0x48bb57a4, key);
  const iv = new Uint8Array(8);
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32BE(0x48bb57a4, 0);
  for (const size of SIZES) {
    const payload = randomBytes(size);
    const sealed = new Uint8Array(sa.sealedLen(size));
    sealEsp(sa, 1, iv, IpProtocol.UDP, payload, sealed, 0);
    const aad = sealed.slice(0, 8); // a copy: the seal cases below rewrite `sealed`
    const rawSealed = (() => {
      const c = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: 8 });
      c.setAAD(aad);
      const ct = Buffer.concat([c.update(payload), c.final()]);
      return { ct, tag: c.getAuthTag() };
    })();

    const rawSeal = `node:crypto aes-128-gcm seal ${size} B`;
    const rawOpen = `node:crypto aes-128-gcm open ${size} B`;
    cases.push({
      name: rawSeal,
      batch: BATCH,
      run: () => {
        for (let i = 0; i < BATCH; i++) {
          const c = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: 8 });
          c.setAAD(aad);
          c.update(payload);
          c.final();
          c.getAuthTag();
        }
      },
    });
    cases.push({ name: `esp seal ${size} B`, batch: BATCH, baseline: rawSeal, run: () => { for (let i = 0; i < BATCH; i++) sealEsp(sa, i + 1, iv, IpProtocol.UDP, payload, sealed, 0); } });
    sealEsp(sa, 1, iv, IpProtocol.UDP, payload, sealed, 0);
    cases.push({
      name: rawOpen,
      batch: BATCH,
      run: () => {
        for (let i = 0; i < BATCH; i++) {
          const d = createDecipheriv('aes-128-gcm', key, nonce, { authTagLength: 8 });
          d.setAAD(aad);
          d.setAuthTag(rawSealed.tag);
          d.update(rawSealed.ct);
          d.final();
        }
      },
    });
    cases.push({
      name: `esp open ${size} B`,
      batch: BATCH,
      baseline: rawOpen,
      run: () => {
        for (let i = 0; i < BATCH; i++) if (!openEsp(sa, sealed).ok) throw new Error('bench packet did not open');
      },
    });
  }
  return cases;
}
