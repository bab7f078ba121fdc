/**
 * The underlay: how VXLAN datagrams travel between hosts. One small interface, so that a
 * fault-injecting wrapper (latency, loss, partitions) and an in-memory network for deterministic
 * tests slot in without touching the data plane (DESIGN.md, "Faults as first-class operations").
 */

/** An underlay address: a loopback IPv4 address (dotted) and a UDP port. */
export interface UnderlayEndpoint {
  readonly address: string;
  readonly port: number;
}

/** Called for every datagram received; `data` is the UDP payload and is the handler's to keep. */
export type DatagramHandler = (data: Uint8Array, fromAddress: string, fromPort: number) => void;

export interface Underlay {
  /** Where peers send to reach this host (the bound data-path socket). */
  readonly local: UnderlayEndpoint;
  /** The source port datagrams leave from (what a capture of the outer UDP header shows). */
  readonly sourcePort: number;
  /**
   * Sends one datagram made of `chunks` (gathered, not concatenated). Never throws: a socket
   * error is counted by the implementation and reported through `onSendError`.
   */
  send(chunks: readonly Uint8Array[], address: string, port: number): void;
  /** Installs the receive handler (one per underlay). */
  onDatagram(handler: DatagramHandler): void;
  onSendError(handler: (error: Error) => void): void;
  close(): Promise<void>;
}
