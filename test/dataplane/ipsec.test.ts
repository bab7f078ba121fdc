import { describe, expect, it } from 'vitest';
import { IpsecSaDatabase } from '../../src/dataplane/ipsec.js';

const keys = [1, 2, 3].map((t) => ({ key: new Uint8Array(16).fill(t), lamportTime: t }));

describe('IpsecSaDatabase', () => {
  it('has no SAs before the keys arrive', () => {
    const db = new IpsecSaDatabase('127.1.0.1');
    expect(db.ready).toBe(false);
    expect(db.peer('127.1.0.2', 4789)).toBeUndefined();
  });

  it('keys SAs by the remote address (any port), and by port only when peers share the local address', () => {
    const db = new IpsecSaDatabase('127.1.0.1');
    db.setKeys(keys);
    expect(db.peer('127.1.0.2', 4789)).toBe(db.peer('127.1.0.2', 50000));
    const portMode = new IpsecSaDatabase('127.0.0.1');
    portMode.setKeys(keys);
    expect(portMode.peer('127.0.0.1', 40001)).not.toBe(portMode.peer('127.0.0.1', 40002));
  });

  it('moves every peer along at a rotation', () => {
    const db = new IpsecSaDatabase('127.1.0.1');
    db.setKeys(keys);
    const before = db.peer('127.1.0.2', 4789)!.outbound!.sa.spi;
    const changes = db.setKeys([2, 3, 4].map((t) => ({ key: new Uint8Array(16).fill(t), lamportTime: t })));
    expect(changes.map((c) => c.op)).toEqual(['add-inbound', 'remove-outbound', 'add-outbound', 'remove-inbound']);
    expect(db.peer('127.1.0.2', 4789)!.outbound!.sa.spi).not.toBe(before);
  });
});
