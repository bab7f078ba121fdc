/**
 * `docker network connect` / `disconnect` on a container (moby `daemon/container_operations.go`
 * `ConnectToNetwork`, `DisconnectFromNetwork`): one more veth into a local bridge (the host
 * allocates the address) or into a swarm overlay (the manager allocates it through
 * `AttachNetwork`, as for `docker run --network`), and out again — the overlay's attachment given
 * back so a worker lets go of the network with its last endpoint.
 */
import { formatMac, macFromIpv4, parseIpv4Address } from '../wire/address.js';
import { endpointIdFor, type ContainerRecord, type EndpointRecord } from './container-view.js';
import type { SwarmAttacher } from './daemon-containers.js';
import { EngineApiError } from './engine-api.js';
import type { LocalRuntime } from './local-runtime.js';
import { overlaySpecOf } from './overlay-spec.js';

const BRIDGE = 'bridge';

export interface ConnectDeps {
  readonly runtime: LocalRuntime;
  readonly swarm: SwarmAttacher | undefined;
  readonly localNetworkId: (name: string) => string | undefined;
}

export async function connectContainer(deps: ConnectDeps, record: ContainerRecord, target: string, aliases: readonly string[], ipv4Address?: string): Promise<void> {
  // runconfig `ErrConflictHostNetwork` / `ErrConflictNoNetwork`.
  if (target === 'host' || record.networkMode === 'host') throw new EngineApiError('container cannot be disconnected from host network or connected to host network', 400);
  if (target === 'none' || record.networkMode === 'none') {
    throw new EngineApiError('container cannot be connected to multiple networks with one of the networks in private (none) mode', 400);
  }
  const named = (name: string) => record.endpoints.find((e) => e.networkName === name || e.networkId === name);
  if (named(target)) throw new EngineApiError(`endpoint with name ${record.name} already exists in network ${named(target)!.networkName}`, 403);
  const localId = deps.localNetworkId(target);
  if (localId !== undefined || target === BRIDGE) {
    const container = deps.runtime.connect(record.name, { network: target, ...(ipv4Address ? { ip: ipv4Address } : {}) });
    record.container = container;
    const iface = container.info().interfaces.find((i) => i.network === target)!;
    record.endpoints.push(endpoint(target, localId ?? '', iface.ip, iface.prefixLength, target === BRIDGE ? '172.17.0.1' : '', aliases, record.id, undefined));
    return;
  }
  if (deps.swarm === undefined) throw new EngineApiError(`network ${target} not found`, 404);
  const attached = await deps.swarm.attach(target, record.id, aliases);
  const network = attached.network;
  const name = network.spec.annotations.name;
  if (named(name)) {
    await deps.swarm.detach(attached.attachmentId).catch(() => undefined);
    throw new EngineApiError(`endpoint with name ${record.name} already exists in network ${name}`, 403);
  }
  const [ip, prefix] = attached.address.split('/');
  try {
    deps.runtime.ensureNetwork(overlaySpecOf(network));
    record.container = deps.runtime.connect(record.name, { network: name, ip: ip! });
  } catch (error) {
    await deps.swarm.detach(attached.attachmentId).catch(() => undefined);
    throw error;
  }
  record.endpoints.push({ ...endpoint(name, network.id, ip!, Number(prefix ?? 24), '', aliases, record.id, attached.attachmentId), network });
}

export async function disconnectContainer(deps: ConnectDeps, record: ContainerRecord, target: string): Promise<void> {
  if (target === 'host' || record.networkMode === 'host') throw new EngineApiError('container cannot be disconnected from host network or connected to host network', 400);
  const i = record.endpoints.findIndex((e) => e.networkName === target || e.networkId === target);
  if (i < 0) throw new EngineApiError(`container ${record.id} is not connected to network ${target}`, 404);
  const e = record.endpoints[i]!;
  if (e.dataPlane !== undefined) await deps.runtime.disconnect(record.name, e.dataPlane);
  record.endpoints.splice(i, 1);
  if (e.attachmentId !== undefined) {
    const attachment = e.attachmentId;
    e.attachmentId = undefined;
    await deps.swarm?.detach(attachment).catch(() => undefined);
  }
}

function endpoint(networkName: string, networkId: string, ip: string, prefixLength: number, gateway: string, aliases: readonly string[], containerId: string, attachmentId: string | undefined): EndpointRecord {
  return {
    networkName,
    networkId,
    dataPlane: networkName,
    ip,
    prefixLength,
    gateway,
    mac: formatMac(macFromIpv4(parseIpv4Address(ip))),
    aliases: [...aliases],
    endpointId: endpointIdFor(networkId, containerId),
    attachmentId,
    swarm: attachmentId !== undefined,
  };
}
