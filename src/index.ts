/**
 * The `swarmnet` library. Today it offers the foundation every later layer stands on: the wire
 * codecs (byte-exact per RFC and Docker, zero-copy, never throwing on peer bytes), AES-GCM ESP,
 * and capture to pcap. Clusters, hosts and the docker command layer join this surface as they land.
 */
export * as wire from './wire/index.js';
export * as crypto from './crypto/index.js';
export { PcapWriter, PcapWriteError, type PcapSink, type PcapWriterOptions } from './dataplane/pcap-writer.js';
export { DROP_REASONS, DropCounters, describeDrop, type Drop, type DropReason, type Result } from './util/drop.js';
export { SwarmnetError, InvalidArgumentError, BufferTooSmallError } from './util/errors.js';
export { Cluster, type ClusterOptions, type HostFailure, type OverlaySpec, type RunContainerSpec } from './cluster/index.js';
