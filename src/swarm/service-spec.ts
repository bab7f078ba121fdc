/**
 * Service spec validation as swarmkit's control API does it (`manager/controlapi/service.go`
 * `validateServiceSpec`, `validateEndpointSpec`, `validateNetworks`, `checkPortConflicts`, and
 * `common.go` `validateAnnotations`), with its texts and status codes: the daemon shows them as
 * `rpc error: code = … desc = …`, exactly what a user of real Docker reads.
 */
import type { PbPortConfig, PbService, PbServiceSpec, PbTimestamp } from '../wire/swarmkit.js';
import { GrpcCode, GrpcStatusError } from './grpc-client.js';
import type { ClusterStore } from './store.js';

/** `isValidDNSName`: service names become DNS names on their networks. */
const DNS_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
/** DNS label limit. */
export const MAX_SERVICE_NAME = 63;
/** `errInvalidArgument`. */
export const INVALID_ARGUMENT = 'invalid argument';

const invalid = (text: string): GrpcStatusError => new GrpcStatusError(GrpcCode.InvalidArgument, text);

export function validateAnnotations(name: string | undefined): void {
  if (!name) throw invalid('meta: name must be provided');
  if (!DNS_NAME.test(name)) throw invalid('name must be valid as a DNS name component');
  if (name.length > MAX_SERVICE_NAME) throw invalid(`name must be ${MAX_SERVICE_NAME} characters or fewer`);
}

function negative(d: PbTimestamp | null | undefined): boolean {
  return !!d && (d.seconds < 0 || (d.seconds === 0 && d.nanos < 0));
}

/** `validateServiceSpec` (the parts swarmnet's specs carry). */
export function validateServiceSpec(spec: PbServiceSpec | null | undefined): asserts spec is PbServiceSpec {
  if (!spec) throw invalid(INVALID_ARGUMENT);
  validateAnnotations(spec.annotations?.name);
  const task = spec.task;
  if (!task) throw invalid('TaskSpec: missing runtime');
  if (negative(task.restart?.delay)) throw invalid('TaskSpec: restart-delay cannot be negative');
  if (negative(task.restart?.window)) throw invalid('TaskSpec: restart-window cannot be negative');
  if (task.attachment) throw new GrpcStatusError(GrpcCode.Unimplemented, 'RuntimeSpec: unimplemented runtime in service spec');
  if (!task.container) throw invalid('TaskSpec: missing runtime');
  if (!task.container.image) throw invalid('ContainerSpec: image reference must be provided');
  if (!spec.replicated && !spec.global) throw invalid('Unrecognized service mode');
  if (spec.replicated && spec.replicated.replicas < 0) throw invalid('Number of replicas must be non-negative');
  if (negative(spec.update?.delay)) throw invalid('TaskSpec: update-delay cannot be negative');
  if (negative(spec.update?.monitor)) throw invalid('TaskSpec: update-monitor cannot be negative');
  const ratio = spec.update?.max_failure_ratio ?? 0;
  if (ratio < 0 || ratio > 1) throw invalid('TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1');
  validateEndpointSpec(spec);
}

/** `validateEndpointSpec`. */
function validateEndpointSpec(spec: PbServiceSpec): void {
  const endpoint = spec.endpoint;
  if (!endpoint) return;
  const seen = new Set<string>();
  for (const port of endpoint.ports ?? []) {
    if (endpoint.mode === 'DNSRR' && port.publish_mode === 'INGRESS') throw invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
    if (!port.published_port) continue;
    const key = `${port.published_port}/${port.protocol}`;
    if (seen.has(key)) throw invalid('EndpointSpec: duplicate published ports provided');
    seen.add(key);
  }
}

/** `validateNetworks`, plus the allocator's refusal of a network that does not exist. */
export function validateNetworks(store: ClusterStore, spec: PbServiceSpec): void {
  for (const attachment of spec.task.networks ?? []) {
    const network = store.network(attachment.target);
    if (!network) throw new GrpcStatusError(GrpcCode.NotFound, `network ${attachment.target} not found`);
    if (network.spec.ingress) throw invalid(`Service cannot be explicitly attached to the ingress network ${JSON.stringify(network.spec.annotations.name)}`);
  }
}

/** `allocator.IsIngressNetworkNeeded`: the service publishes a port through the routing mesh. */
export function needsIngress(spec: PbServiceSpec): boolean {
  return (spec.endpoint?.ports ?? []).some((p) => p.publish_mode === 'INGRESS');
}

/** `checkPortConflicts`: published ports already taken by another service. */
export function checkPortConflicts(store: ClusterStore, spec: PbServiceSpec, serviceId: string): void {
  const key = (p: PbPortConfig): string => `${p.published_port}/${p.protocol}`;
  const ingress = new Set<string>();
  const host = new Set<string>();
  for (const p of spec.endpoint?.ports ?? []) {
    if (!p.published_port) continue;
    (p.publish_mode === 'HOST' ? host : ingress).add(key(p));
  }
  if (ingress.size === 0 && host.size === 0) return;
  const inUse = (p: PbPortConfig, service: PbService): void => {
    if (!p.published_port) return;
    const name = service.spec.annotations.name;
    if (p.publish_mode === 'HOST') {
      if (ingress.has(key(p))) throw invalid(`port '${p.published_port}' is already in use by service '${name}' (${service.id}) as a host-published port`);
    } else if (ingress.has(key(p)) || host.has(key(p))) {
      throw invalid(`port '${p.published_port}' is already in use by service '${name}' (${service.id}) as an ingress port`);
    }
  };
  for (const service of store.services) {
    if (service.id === serviceId) continue;
    for (const p of service.spec.endpoint?.ports ?? []) inUse(p, service);
    for (const p of service.endpoint?.ports ?? []) inUse(p, service);
  }
}
