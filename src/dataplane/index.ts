/**
 * The host data plane's public surface: underlays (real UDP, in-memory), the per-network peer
 * table, bridges with their gateway responder, the VTEP, counters and captures, plus the frame
 * and underlay contracts every layer shares.
 */
export type { FrameSink } from './link.js';
export type { DatagramHandler, Underlay, UnderlayEndpoint } from './underlay.js';
export { PcapWriter, PcapWriteError, PCAP_WRITER_DEFAULT_BUFFER, type PcapSink, type PcapWriterOptions } from './pcap-writer.js';
export { UdpUnderlay, UnderlayOpenError, UDP_UNDERLAY_DEFAULT_RECEIVE_BUFFER, type UdpUnderlayOptions } from './udp-underlay.js';
export {
  MemoryNetwork,
  MEMORY_NETWORK_QUEUE_MAX,
  MEMORY_EPHEMERAL_PORT_FIRST,
  MEMORY_EPHEMERAL_PORT_LAST,
  type DropHook,
} from './memory-network.js';
export { PeerTable, PEER_TABLE_MAX_ENTRIES, formatPeer, type Peer, type PeerAddResult, type VtepEndpoint } from './peer-table.js';
export {
  Bridge,
  BRIDGE_MAX_PORTS,
  BRIDGE_MAX_MTU,
  BRIDGE_MIN_MTU,
  type BridgeOptions,
  type BridgeUplink,
  type PortStats,
} from './bridge.js';
export { arpReplyFrame, arpRequestOf, gatewayIpv4Answer, GATEWAY_TTL, type GatewayAnswer } from './responder.js';
export { Vtep, VTEP_MAX_NETWORKS, UNDERLAY_MIN_MTU, type VtepOptions } from './vtep.js';
export {
  fragNeededFor,
  maxInnerFrame,
  UNDERLAY_DEFAULT_MTU,
  VXLAN_OUTER_HEADERS_LEN,
  VXLAN_OVERHEAD,
  PMTUD_MIN_MTU,
  PMTUD_QUOTE_MAX,
} from './pmtud.js';
export { HostCounters, type HostCountersSnapshot } from './counters.js';
export {
  UnderlayCapture,
  InterfaceCapture,
  captureTimestamps,
  gatheredSum,
  UNDERLAY_OUTER_LEN,
  UNDERLAY_TTL,
  CAPTURE_ADDRESS_CACHE_MAX,
  type CaptureOptions,
  type MicrosecondSource,
} from './capture.js';
