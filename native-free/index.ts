/**
 * `swarmnet/native-free`: the same library, guaranteed never to load a native addon.
 *
 * swarmnet can use the optional `raw-socket` addon (main thread only) to put real ESP (IP
 * protocol 50) on the wire. Everything it backs has a pure-Node counterpart here — ESP carried in
 * UDP with RFC 3948 framing (`classifyUdpEncapsulated` and the constants in `wire/esp`), egress
 * without raw ICMP — and code that imports this entry point gets only those. Nothing exported from
 * the main entry loads `raw-socket` yet either; this entry is the contract that it never will.
 */
export * from '../src/index.js';

