/**
 * Human-readable sizes and durations exactly as docker prints them, from `github.com/docker/go-units`
 * v0.5.0 (vendored by docker/cli): `duration.go` `HumanDuration` and `size.go` `BytesSize` /
 * `HumanSize`. `docker info` uses them for `Heartbeat Period: 5 seconds`, `Expiry Duration: 3
 * months` and `Total Memory: 7.682GiB`; `docker node inspect --pretty` for `Memory:`; `docker ps`
 * and `docker service ps` for `5 minutes ago`.
 */
import { formatGoG } from './golang.js';

const NS_PER_SECOND = 1e9;
const NS_PER_MINUTE = 60 * NS_PER_SECOND;
const NS_PER_HOUR = 60 * NS_PER_MINUTE;

/**
 * `units.HumanDuration(d)` for `d` in nanoseconds (Go `time.Duration`): `Less than a second`,
 * `1 second`, `47 seconds`, `About a minute`, `35 minutes`, `About an hour`, `36 hours`,
 * `13 days`, `6 weeks`, `3 months`, `3 years`. Go truncates seconds and minutes but rounds hours.
 */
export function humanDuration(nanoseconds: number): string {
  const seconds = Math.trunc(nanoseconds / NS_PER_SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(nanoseconds / NS_PER_MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(nanoseconds / NS_PER_HOUR + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(nanoseconds / NS_PER_HOUR) / 24 / 365)} years`;
}

const BINARY_ABBRS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] as const;
const DECIMAL_ABBRS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;

/** go-units `CustomSize("%.4g%s", …)`: divide by `base` while ≥ base, up to the last unit. */
function customSize(size: number, base: number, abbrs: readonly string[]): string {
  let i = 0;
  while (size >= base && i < abbrs.length - 1) {
    size /= base;
    i++;
  }
  return `${formatGoG(size, 4)}${abbrs[i]}`;
}

/** `units.BytesSize`: binary units, four significant digits (`7.682GiB`, `20MiB`, `1KiB`). */
export function bytesSize(bytes: number): string {
  return customSize(bytes, 1024, BINARY_ABBRS);
}

/** `units.HumanSize`: decimal units, four significant digits (`1.049MB`, `615B`). */
export function humanSize(bytes: number): string {
  return customSize(bytes, 1000, DECIMAL_ABBRS);
}
