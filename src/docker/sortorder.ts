/**
 * Natural sort order as docker lists things (nodes, networks, services by name; `Common Commands:`
 * by rank): `github.com/fvbommel/sortorder` v1.1.0 `NaturalLess`, vendored by the cli.
 */

/**
 * `sortorder.NaturalLess` (github.com/fvbommel/sortorder, vendored by the cli): digit runs compare
 * as numbers (`node-2` < `node-10`), digits sort before other bytes, other bytes compare as UTF-8.
 */
export function naturalLess(a: string, b: string): boolean {
  const s1 = Buffer.from(a, 'utf8');
  const s2 = Buffer.from(b, 'utf8');
  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  let i1 = 0;
  let i2 = 0;
  while (i1 < s1.length && i2 < s2.length) {
    const c1 = s1[i1];
    const c2 = s2[i2];
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i1++;
      i2++;
      continue;
    }
    while (i1 < s1.length && s1[i1] === 0x30) i1++;
    while (i2 < s2.length && s2[i2] === 0x30) i2++;
    const nz1 = i1;
    const nz2 = i2;
    while (i1 < s1.length && isDigit(s1[i1])) i1++;
    while (i2 < s2.length && isDigit(s2[i2])) i2++;
    if (i1 - nz1 !== i2 - nz2) return i1 - nz1 < i2 - nz2;
    const n1 = s1.subarray(nz1, i1).toString('latin1');
    const n2 = s2.subarray(nz2, i2).toString('latin1');
    if (n1 !== n2) return n1 < n2;
    if (nz1 !== nz2) return nz1 < nz2;
  }
  return s1.length < s2.length;
}

/** `naturalLess` as a comparator for `Array.prototype.sort`. */
export function naturalCompare(a: string, b: string): number {
  return naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0;
}
