/**
 * One network's DNS records, built from its `endpoint_table` as moby builds `svcRecords`
 * (`daemon/libnetwork/service_common.go` `addServiceBinding`/`addContainerNameResolution`,
 * `network.go` `addSvcRecords`; reference docker-overlay-facts.md §5.2):
 *
 * - a container or task name, and each of its task aliases → its endpoint IP;
 * - a service name and each service alias → the service's VIP (vip mode), or every task IP
 *   (dnsrr, where the record's VIP is Go's nil IP `<nil>` or empty);
 * - `tasks.<service>` and `tasks.<alias>` → every task IP;
 * - PTR: a task or container IP → `<name>.<network>` (VIPs get none).
 *
 * Names are case-insensitive; a name may also be asked with the network's name appended
 * (`web.1.abc.mynet`). A record whose service is disabled (its task is stopping) is left out.
 */

export interface DnsEndpoint {
  readonly name: string;
  readonly serviceName: string;
  readonly virtualIp: string;
  readonly endpointIp: string;
  readonly aliases: readonly string[];
  readonly taskAliases: readonly string[];
  readonly disabled: boolean;
}

const hasVip = (vip: string) => vip !== '' && vip !== '<nil>' && vip !== '0.0.0.0';

export class NetworkRecords {
  readonly #a = new Map<string, string[]>();
  readonly #ptr = new Map<string, string>();

  constructor(
    readonly network: string,
    endpoints: readonly DnsEndpoint[],
  ) {
    for (const e of endpoints) {
      if (e.disabled || e.endpointIp === '') continue;
      this.#add(e.name, e.endpointIp);
      for (const alias of e.taskAliases) this.#add(alias, e.endpointIp);
      this.#ptr.set(e.endpointIp, `${e.name}.${network}`);
      if (e.serviceName === '') continue;
      for (const service of [e.serviceName, ...e.aliases]) {
        this.#add(`tasks.${service}`, e.endpointIp);
        this.#add(service, hasVip(e.virtualIp) ? e.virtualIp : e.endpointIp);
      }
    }
  }

  /** The IPv4 addresses of `name`, or undefined when this network does not know it. */
  lookup(name: string): readonly string[] | undefined {
    const key = canonical(name);
    const direct = this.#a.get(key);
    if (direct !== undefined) return direct;
    const suffix = `.${this.network.toLowerCase()}`;
    return key.endsWith(suffix) ? this.#a.get(key.slice(0, -suffix.length)) : undefined;
  }

  /** The name for a reverse lookup of `ip`, or undefined. */
  reverse(ip: string): string | undefined {
    return this.#ptr.get(ip);
  }

  #add(name: string, ip: string): void {
    const key = canonical(name);
    const list = this.#a.get(key);
    if (list === undefined) this.#a.set(key, [ip]);
    else if (!list.includes(ip)) list.push(ip);
  }
}

/** Lower case, no trailing dot. */
export function canonical(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}
