/**
 * The typed view `docker service|container inspect --format` templates run against first (as
 * the cli runs Go templates over moby's structs before falling back to the raw JSON map): nested
 * objects become `GoStruct`s, maps stay maps (so `index .Spec.Labels "k"` works), timestamps
 * become `time.Time`. Fields absent from the JSON are absent here too, and a template naming one
 * then falls back to the raw pass, as docker's inspect does.
 */
import { GoStruct, GoTime } from './template.js';

/** Keys whose values are Go maps, not structs. */
const MAP_KEYS = new Set(['Labels', 'Options', 'DriverOpts', 'Networks', 'Ports', 'Limits', 'Reservations']);
/** Keys holding a `time.Time`. */
const TIME_KEYS = new Set(['CreatedAt', 'UpdatedAt', 'Timestamp', 'StartedAt', 'CompletedAt']);

export function toGoStruct(v: unknown, typeName: string, key = ''): unknown {
  if (Array.isArray(v)) return v.map((e) => toGoStruct(e, typeName));
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'string' && TIME_KEYS.has(key)) return new GoTime(v);
    return v;
  }
  if (MAP_KEYS.has(key)) return v;
  const fields: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(v)) fields[k] = toGoStruct(e, `swarm.${k}`, k);
  return new GoStruct(typeName, fields, v);
}
