/**
 * Printing values of the protocol-number tables (`EtherType`, `IpProtocol`, `DnsType` …): each is
 * an `as const` record of name → number, append-only because the numbers are wire protocol
 * (CONVENTIONS §3). A value the table names prints as its name; any other prints as fixed-width
 * hex, so an unknown value read from a peer is still shown exactly.
 */

/** Reverse maps, built once per table on first use. */
const NAMES = new WeakMap<object, ReadonlyMap<number, string>>();

function namesOf(table: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  let names = NAMES.get(table);
  if (names === undefined) {
    const m = new Map<number, string>();
    // Should two names share a value, the first one listed is printed.
    for (const [name, value] of Object.entries(table)) if (!m.has(value)) m.set(value, name);
    NAMES.set(table, m);
    names = m;
  }
  return names;
}

/** The name `table` gives `value` (`UDP`), else `value` as hex padded to `hexDigits` (`0x2f`). */
export function formatTableValue(table: Readonly<Record<string, number>>, value: number, hexDigits: number): string {
  return namesOf(table).get(value) ?? `0x${value.toString(16).padStart(hexDigits, '0')}`;
}
