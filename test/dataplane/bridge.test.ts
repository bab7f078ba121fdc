import { describe, expect, it } from 'vitest';
import { Bridge, type BridgeUplink } from '../../src/dataplane/bridge.js';
import { PeerTable } from '../../src/dataplane/peer-table.js';
import { DropCounters } from '../../src/util/drop.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { macFromIpv4, MAC_BROADCAST } from '../../src/wire/address.js';
import { ArpOperation, parseArp } from '../../src/wire/arp.js';
import { EtherType, parseEthernet } from '../../src/wire/ethernet.js';
import { parseIcmp } from '../../src/wire/icmp.js';
import { IpProtocol, parseIpv4 } from '../../src/wire/ipv4.js';
import { expectOk } from '../support/codec.js';
import { pingPayload } from '../support/frames.js';
import { arpRequest, echoRequest, ip, Recorder, udpBroadcast, udpFrameOfLength } from './fixtures.js';

const GW = ip('10.0.1.1');
const GW_MAC = macFromIpv4(GW);
const C1 = ip('10.0.1.3');
const C2 = ip('10.0.1.4');
const REMOTE = ip('10.0.1.5');
const REMOTE_VTEP = '127.1.2.2';

/** An uplink that records what the bridge tunnels. */
class RecordingUplink implements BridgeUplink {
  readonly sent: { frame: Uint8Array; address: string; port: number }[] = [];
  constructor(readonly peers: PeerTable) {}
  transmit(frame: Uint8Array, address: string, port: number): void {
    this.sent.push({ frame, address, port });
  }
}

function setup(opts: { uplink?: boolean; mtu?: number } = {}) {
  const drops = new DropCounters();
  const bridge = new Bridge({ name: 'br0', mtu: opts.mtu ?? 1450, gateway: { ip: GW, mac: GW_MAC }, drops });
  const c1 = new Recorder();
  const c2 = new Recorder();
  const tx1 = bridge.addPort('veth1', macFromIpv4(C1), c1);
  const tx2 = bridge.addPort('veth2', macFromIpv4(C2), c2);
  const peers = new PeerTable();
  peers.add({ ip: REMOTE, mac: macFromIpv4(REMOTE), vtepAddress: REMOTE_VTEP, vtepPort: 4789 });
  const uplink = new RecordingUplink(peers);
  if (opts.uplink !== false) bridge.setUplink(uplink);
  return { drops, bridge, c1, c2, tx1, tx2, uplink };
}

describe('Bridge', () => {
  it('delivers unicast between local ports, the same frame object, never to the tunnel', () => {
    const { bridge, c1, c2, tx1, uplink, drops } = setup();
    const frame = echoRequest(C1, C2);
    tx1.receiveFrame(frame);
    expect(c2.frames).toEqual([frame]);
    expect(c2.frames[0]).toBe(frame);
    expect(c1.frames).toEqual([]);
    expect(uplink.sent).toEqual([]);
    expect(drops.total()).toBe(0);
    expect(bridge.portStats('veth1')).toMatchObject({ rxFrames: 1, rxBytes: frame.length, txFrames: 0 });
    expect(bridge.portStats('veth2')).toMatchObject({ rxFrames: 0, txFrames: 1, txBytes: frame.length });
  });

  it('tunnels unicast for a peer MAC to that peer VTEP', () => {
    const { tx1, uplink } = setup();
    const frame = echoRequest(C1, REMOTE);
    tx1.receiveFrame(frame);
    expect(uplink.sent).toEqual([{ frame, address: REMOTE_VTEP, port: 4789 }]);
  });

  it('answers an ARP request for a remote peer itself, from the peer table (vxlan proxy)', () => {
    const { tx1, c1, c2, uplink, drops } = setup();
    tx1.receiveFrame(arpRequest(C1, REMOTE));
    expect(c1.frames).toHaveLength(1);
    const eth = expectOk(parseEthernet(c1.frames[0]));
    expect(eth.dst).toBe(macFromIpv4(C1));
    expect(eth.src, 'Ethernet source is the peer MAC').toBe(macFromIpv4(REMOTE));
    expect(eth.etherType).toBe(EtherType.ARP);
    expect(c1.frames[0].length, 'unpadded, as Linux arp_create builds it').toBe(42);
    expect(expectOk(parseArp(eth.payload))).toEqual({
      operation: ArpOperation.REPLY,
      senderMac: macFromIpv4(REMOTE),
      senderIp: REMOTE,
      targetMac: macFromIpv4(C1),
      targetIp: C1,
    });
    expect(c2.frames, 'the broadcast still reaches the other local port').toHaveLength(1);
    expect(uplink.sent, 'ARP never crosses the tunnel').toEqual([]);
    expect(drops.total()).toBe(0);
  });

  it('does not answer an ARP request for an IP nobody has', () => {
    const { tx1, c1, uplink } = setup();
    tx1.receiveFrame(arpRequest(C1, ip('10.0.1.99')));
    expect(c1.frames).toEqual([]);
    expect(uplink.sent).toEqual([]);
  });

  it('answers ARP for the gateway IP with the bridge MAC, with or without a tunnel', () => {
    for (const uplink of [true, false]) {
      const { tx1, c1 } = setup({ uplink });
      tx1.receiveFrame(arpRequest(C1, GW));
      expect(c1.frames).toHaveLength(1);
      const eth = expectOk(parseEthernet(c1.frames[0]));
      expect(eth.src).toBe(GW_MAC);
      expect(expectOk(parseArp(eth.payload))).toMatchObject({ operation: ArpOperation.REPLY, senderMac: GW_MAC, senderIp: GW, targetIp: C1 });
    }
  });

  it('answers an echo request to the gateway with an echo reply carrying the same data', () => {
    const { tx1, c1, drops } = setup();
    tx1.receiveFrame(echoRequest(C1, GW, 7, GW_MAC));
    expect(c1.frames).toHaveLength(1);
    const eth = expectOk(parseEthernet(c1.frames[0]));
    expect(eth).toMatchObject({ dst: macFromIpv4(C1), src: GW_MAC, etherType: EtherType.IPV4 });
    const ipv4 = expectOk(parseIpv4(eth.payload));
    expect(ipv4).toMatchObject({ src: GW, dst: C1, protocol: IpProtocol.ICMP, ttl: 64, dontFragment: false });
    const icmp = expectOk(parseIcmp(ipv4.payload));
    expect(icmp).toMatchObject({ kind: 'echo-reply', identifier: 0x1234, sequence: 7 });
    expect(new Uint8Array(icmp.payload)).toEqual(pingPayload());
    expect(drops.total()).toBe(0);
  });

  it('routes nothing through the gateway yet: other destinations count no-route', () => {
    const { tx1, c1, drops } = setup();
    tx1.receiveFrame(echoRequest(C1, ip('8.8.8.8'), 1, GW_MAC));
    expect(c1.frames).toEqual([]);
    expect(drops.get('no-route')).toBe(1);
  });

  it('never floods a broadcast over the tunnel: local ports get it, not-flooded counted once', () => {
    const { tx1, c2, uplink, drops } = setup();
    const frame = udpBroadcast(C1);
    tx1.receiveFrame(frame);
    expect(c2.frames).toEqual([frame]);
    expect(uplink.sent).toEqual([]);
    expect(drops.get('not-flooded')).toBe(1);
    expect(drops.total()).toBe(1);
  });

  it('a broadcast on a bridge without a tunnel is not a drop', () => {
    const { tx1, c2, drops } = setup({ uplink: false });
    tx1.receiveFrame(udpBroadcast(C1));
    expect(c2.frames).toHaveLength(1);
    expect(drops.total()).toBe(0);
  });

  it('drops unicast to an unknown MAC as no-fdb-entry (no flooding of unknown unicast)', () => {
    const { tx1, c2, uplink, drops } = setup();
    tx1.receiveFrame(echoRequest(C1, ip('10.0.1.77')));
    expect(c2.frames).toEqual([]);
    expect(uplink.sent).toEqual([]);
    expect(drops.get('no-fdb-entry')).toBe(1);
  });

  it('drops a frame larger than MTU + 14 as too-big, and passes one of exactly MTU + 14', () => {
    const { tx1, c2, uplink, drops } = setup({ mtu: 1450 });
    tx1.receiveFrame(udpFrameOfLength(C1, C2, 1465));
    tx1.receiveFrame(udpFrameOfLength(C1, REMOTE, 1465));
    expect(drops.get('too-big')).toBe(2);
    expect(c2.frames).toEqual([]);
    expect(uplink.sent).toEqual([]);
    tx1.receiveFrame(udpFrameOfLength(C1, C2, 1464));
    expect(c2.frames).toHaveLength(1);
  });

  it('delivers tunnel frames to the owning local port only, never back to the tunnel', () => {
    const { bridge, c1, c2, uplink, drops } = setup();
    const toC2 = echoRequest(REMOTE, C2);
    bridge.receiveFromTunnel(toC2);
    expect(c2.frames).toEqual([toC2]);
    bridge.receiveFromTunnel(echoRequest(REMOTE, REMOTE)); // a peer's MAC: would loop back
    bridge.receiveFromTunnel(arpRequest(REMOTE, C1));
    bridge.receiveFromTunnel(new Uint8Array(10));
    expect(c1.frames).toEqual([]);
    expect(uplink.sent).toEqual([]);
    expect(drops.snapshot()).toEqual({ 'no-fdb-entry': 1, 'not-flooded': 1, truncated: 1 });
  });

  it('stops forwarding for a removed port', () => {
    const { bridge, tx1, c2, drops } = setup();
    expect(bridge.removePort('veth2')).toBe(true);
    tx1.receiveFrame(echoRequest(C1, C2));
    expect(c2.frames).toEqual([]);
    expect(drops.get('no-fdb-entry')).toBe(1);
    expect(bridge.removePort('veth2')).toBe(false);
    expect(bridge.ports().map((p) => p.name)).toEqual(['veth1']);
  });

  it('refuses a duplicate port name or MAC, and a multicast MAC', () => {
    const { bridge } = setup();
    const sink = new Recorder();
    expect(() => bridge.addPort('veth1', 0x0242_0000_0001, sink)).toThrow(InvalidArgumentError);
    expect(() => bridge.addPort('veth9', macFromIpv4(C1), sink)).toThrow(InvalidArgumentError);
    expect(() => bridge.addPort('veth9', GW_MAC, sink)).toThrow(InvalidArgumentError);
    expect(() => bridge.addPort('veth9', MAC_BROADCAST, sink)).toThrow(InvalidArgumentError);
  });
});
