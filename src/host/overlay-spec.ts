/**
 * A swarm overlay as this host's data plane creates it, from the network object the manager
 * allocated (carried in a task's or attachment's `networks`): its name, VNI (the driver state's
 * `com.docker.network.driver.overlay.vxlanid_list`), first IPv4 subnet and gateway, and the
 * container MTU as moby's `maxMTU()` computes it (reference docker-overlay-facts.md §1.3): the
 * `com.docker.network.driver.mtu` option (or 1500) is the *underlay* MTU, minus 50 for VXLAN, minus
 * 26 more rounded down to a multiple of 4 when encrypted.
 */
import { OVERLAY_VXLAN_ID_LIST, parseVxlanIdList } from '../swarm/vni.js';
import type { PbNetwork } from '../wire/swarmkit.js';
import type { NetworkSpec } from './control.js';

export const MTU_OPTION = 'com.docker.network.driver.mtu';
export const ENCRYPTED_OPTION = 'encrypted';
/** Ethernet's MTU, the underlay's when no option says otherwise. */
const DEFAULT_UNDERLAY_MTU = 1500;
/** VXLAN's encapsulation: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
const VXLAN_OVERHEAD = 50;
/** ESP's expansion (moby `pktExpansion`). */
const ESP_EXPANSION = 26;

export function overlayMtu(network: PbNetwork): number {
  const options = network.spec.driver_config?.options ?? {};
  const given = Number(options[MTU_OPTION]);
  let mtu = (Number.isInteger(given) && given > 0 ? given : DEFAULT_UNDERLAY_MTU) - VXLAN_OVERHEAD;
  if (Object.hasOwn(options, ENCRYPTED_OPTION)) mtu = Math.floor((mtu - ESP_EXPANSION) / 4) * 4;
  return mtu;
}

/** Throws when the network carries no VNI or no IPv4 subnet (not yet allocated). */
export function overlaySpecOf(network: PbNetwork): NetworkSpec {
  const name = network.spec.annotations.name;
  const list = network.driver_state?.options?.[OVERLAY_VXLAN_ID_LIST] ?? '';
  const vnis = list === '' ? [] : parseVxlanIdList(list);
  const config = network.ipam?.configs.find((c) => c.subnet.includes('.'));
  if (vnis.length === 0 || config === undefined) throw new Error(`network ${name} has no allocated VXLAN ID or IPv4 subnet yet`);
  const [subnet, prefix] = config.subnet.split('/') as [string, string];
  return { name, id: network.id, driver: 'overlay', vni: vnis[0]!, subnet, prefixLength: Number(prefix), gateway: config.gateway.split('/')[0]!, mtu: overlayMtu(network), ...(Object.hasOwn(network.spec.driver_config?.options ?? {}, ENCRYPTED_OPTION) ? { encrypted: true } : {}) };
}
