/**
 * `docker info` — cli `cli/command/system/info.go` (`prettyPrintInfo`, `prettyPrintServerInfo`,
 * `printSwarmInfo`, `formatInfo`): the `Client:` block, then `Server:` with every line the cli
 * prints for the fields the daemon sends. Lines the cli prints only when non-empty are left out
 * when the daemon does not send the field; unconditional ones print Go's zero value, as the real
 * CLI would for a daemon that omits them. `--format` runs a template over the same data.
 */
import type { SwarmInfo, SystemInfo } from '../host/engine-api.js';
import { noArgs, StatusError, type CommandDef, type RunContext } from './command.js';
import { errorMessageOf } from './errors.js';
import { stringKind } from './flags.js';
import { CLIENT_PLATFORM, CLIENT_VERSION } from './client-version.js';
import { parseTemplate } from './template-parse.js';
import { executeTemplate } from './template.js';
import { bytesSize, humanDuration } from './units.js';
import { INSPECT_FORMAT_HELP } from './node.js';

export type Info = SystemInfo;

/** Go's `fmt.Println` of its operands: joined by spaces, then a newline. */
const println = (...parts: readonly (string | number | boolean)[]): string => `${parts.join(' ')}\n`;
const nonEmpty = (label: string, value: string | undefined): string => (value !== undefined && value !== '' ? println(label, value) : '');

function clientSection(ctx: RunContext): string {
  return `${println('Client:', CLIENT_PLATFORM)}${println(' Version:   ', CLIENT_VERSION)}${println(' Context:   ', 'default')}${println(' Debug Mode:', ctx.debug)}`;
}

/** cli `printSwarmInfo`. */
export function swarmSection(swarm: SwarmInfo): string {
  let s = println(' Swarm:', swarm.LocalNodeState);
  if (swarm.LocalNodeState === 'inactive' || swarm.LocalNodeState === 'locked') return s;
  s += println('  NodeID:', swarm.NodeID);
  if (swarm.Error !== '') s += println('  Error:', swarm.Error);
  s += println('  Is Manager:', swarm.ControlAvailable);
  const c = swarm.Cluster;
  if (c !== undefined && swarm.ControlAvailable && swarm.Error === '' && swarm.LocalNodeState !== 'error') {
    s += println('  ClusterID:', c.ID);
    s += println('  Managers:', swarm.Managers ?? 0);
    s += println('  Nodes:', swarm.Nodes ?? 0);
    // Each pool is followed by two spaces, so the line ends in them; a nil list prints neither line.
    if (c.DefaultAddrPool != null) {
      s += println('  Default Address Pool:', c.DefaultAddrPool.map((p) => `${p}  `).join(''));
      s += println('  SubnetSize:', c.SubnetSize);
    }
    if (c.DataPathPort > 0) s += println('  Data Path Port:', c.DataPathPort);
    s += println('  Orchestration:');
    s += println('   Task History Retention Limit:', c.Spec.Orchestration.TaskHistoryRetentionLimit);
    s += println('  Raft:');
    s += println('   Snapshot Interval:', c.Spec.Raft.SnapshotInterval);
    s += `   Number of Old Snapshots to Retain: ${c.Spec.Raft.KeepOldSnapshots}\n`;
    s += println('   Heartbeat Tick:', c.Spec.Raft.HeartbeatTick);
    s += println('   Election Tick:', c.Spec.Raft.ElectionTick);
    s += println('  Dispatcher:');
    s += println('   Heartbeat Period:', humanDuration(c.Spec.Dispatcher.HeartbeatPeriod));
    s += println('  CA Configuration:');
    s += println('   Expiry Duration:', humanDuration(c.Spec.CAConfig.NodeCertExpiry));
    s += println('   Force Rotate:', c.Spec.CAConfig.ForceRotate ?? 0);
    s += println('  Autolock Managers:', c.Spec.EncryptionConfig.AutoLockManagers);
    s += println('  Root Rotation In Progress:', c.RootRotationInProgress);
  }
  s += println('  Node Address:', swarm.NodeAddr);
  const managers = (swarm.RemoteManagers ?? []).map((m) => m.Addr).sort();
  if (managers.length > 0) s += `${println('  Manager Addresses:')}${managers.map((m) => `   ${m}\n`).join('')}`;
  return s;
}

/**
 * moby `security.DecodeOptions` then the cli's printing: `name=seccomp,profile=builtin` gives
 * `  seccomp` and `   Profile: builtin`; an option without a name is skipped.
 */
function securityOptions(opts: readonly string[]): string {
  let s = '';
  for (const opt of opts) {
    let name = '';
    const profiles: string[] = [];
    for (const field of opt.split(',')) {
      const eq = field.indexOf('=');
      const k = eq < 0 ? field : field.slice(0, eq);
      const v = eq < 0 ? '' : field.slice(eq + 1);
      if (k === 'name') name = v;
      else if (k === 'profile') profiles.push(v);
    }
    if (name === '') continue;
    s += `  ${name}\n${profiles.map((p) => println('   Profile:', p)).join('')}`;
  }
  return s === '' ? '' : ` Security Options:\n${s}`;
}

const pairs = (list: readonly (readonly [string, string])[] | undefined | null, indent: string): string =>
  (list ?? []).map(([k, v]) => `${indent}${k}: ${v}\n`).join('');

/** cli `prettyPrintServerInfo`; warnings are returned apart, for stderr. */
export function serverSection(info: Info, clientDebug: boolean): { text: string; warnings: string } {
  let s = println(' Containers:', info.Containers);
  s += println('  Running:', info.ContainersRunning);
  s += println('  Paused:', info.ContainersPaused);
  s += println('  Stopped:', info.ContainersStopped);
  s += println(' Images:', info.Images);
  s += nonEmpty(' Server Version:', info.ServerVersion);
  s += nonEmpty(' Storage Driver:', info.Driver);
  s += pairs(info.DriverStatus, '  ');
  s += pairs(info.SystemStatus, ' ');
  s += nonEmpty(' Logging Driver:', info.LoggingDriver);
  s += nonEmpty(' Cgroup Driver:', info.CgroupDriver);
  s += nonEmpty(' Cgroup Version:', info.CgroupVersion);
  const plugins = info.Plugins ?? {};
  s += println(' Plugins:');
  s += println('  Volume:', (plugins.Volume ?? []).join(' '));
  s += println('  Network:', (plugins.Network ?? []).join(' '));
  if ((plugins.Authorization ?? []).length > 0) s += println('  Authorization:', plugins.Authorization!.join(' '));
  s += println('  Log:', (plugins.Log ?? []).join(' '));
  if ((info.CDISpecDirs ?? []).length > 0) s += ` CDI spec directories:\n${info.CDISpecDirs!.map((d) => `  ${d}\n`).join('')}`;
  if ((info.DiscoveredDevices ?? []).length > 0) {
    s += ` Discovered Devices:\n${info.DiscoveredDevices!.map((d) => `  ${d.Source}: ${d.ID}\n`).join('')}`;
  }
  s += swarmSection(info.Swarm);
  // Go ranges over a map here, in no fixed order; the daemon's order is as good as any.
  const runtimes = Object.keys(info.Runtimes ?? {});
  if (runtimes.length > 0) {
    s += println(' Runtimes:', runtimes.join(' '));
    s += println(' Default Runtime:', info.DefaultRuntime ?? '');
  }
  if (info.OSType === 'linux') {
    s += println(' Init Binary:', info.InitBinary ?? '');
    s += println(' containerd version:', info.ContainerdCommit?.ID ?? '');
    s += println(' runc version:', info.RuncCommit?.ID ?? '');
    s += println(' init version:', info.InitCommit?.ID ?? '');
    s += securityOptions(info.SecurityOptions ?? []);
  }
  if (info.OSType === 'windows') s += println(' Default Isolation:', info.Isolation ?? '');
  s += nonEmpty(' Kernel Version:', info.KernelVersion);
  s += nonEmpty(' Operating System:', info.OperatingSystem);
  s += nonEmpty(' OSType:', info.OSType);
  s += nonEmpty(' Architecture:', info.Architecture);
  s += println(' CPUs:', info.NCPU);
  s += println(' Total Memory:', bytesSize(info.MemTotal));
  s += nonEmpty(' Name:', info.Name);
  s += nonEmpty(' ID:', info.ID);
  s += println(' Docker Root Dir:', info.DockerRootDir ?? '');
  s += println(' Debug Mode:', info.Debug ?? false);
  if (info.Debug === true || clientDebug) {
    s += println('  File Descriptors:', info.NFd ?? 0);
    s += println('  Goroutines:', info.NGoroutines ?? 0);
    s += println('  System Time:', info.SystemTime ?? '');
    s += println('  EventsListeners:', info.NEventsListener ?? 0);
  }
  s += nonEmpty(' HTTP Proxy:', info.HTTPProxy);
  s += nonEmpty(' HTTPS Proxy:', info.HTTPSProxy);
  s += nonEmpty(' No Proxy:', info.NoProxy);
  if ((info.Labels ?? []).length > 0) s += ` Labels:\n${info.Labels!.map((l) => `  ${l}\n`).join('')}`;
  s += println(' Experimental:', info.ExperimentalBuild ?? false);
  const reg = info.RegistryConfig;
  const cidrs = reg?.InsecureRegistryCIDRs ?? [];
  const indexes = Object.values(reg?.IndexConfigs ?? {});
  if (cidrs.length > 0 || indexes.length > 0) {
    s += println(' Insecure Registries:');
    for (const r of indexes) if (!r.Secure) s += `  ${r.Name}\n`;
    for (const c of cidrs) s += `  ${c}\n`;
  }
  if ((reg?.Mirrors ?? []).length > 0) s += ` Registry Mirrors:\n${reg!.Mirrors!.map((m) => `  ${m}\n`).join('')}`;
  s += println(' Live Restore Enabled:', info.LiveRestoreEnabled ?? false);
  if ((info.ProductLicense ?? '') !== '') s += println(' Product License:', info.ProductLicense!);
  if ((info.DefaultAddressPools ?? []).length > 0) {
    s += ` Default Address Pools:\n${info.DefaultAddressPools!.map((p) => `   Base: ${p.Base}, Size: ${p.Size}\n`).join('')}`;
  }
  if (info.FirewallBackend != null) s += println(' Firewall Backend:', info.FirewallBackend.Driver) + pairs(info.FirewallBackend.Info, '  ');
  if (info.NRI != null) s += ` NRI:\n${pairs(info.NRI.Info, '  ')}`;
  s += '\n';
  return { text: s, warnings: (info.Warnings ?? []).map((w) => `${w}\n`).join('') };
}

export const infoCommand: CommandDef = {
  use: 'info [OPTIONS]',
  short: 'Display system-wide information',
  categoryTop: '12',
  aliasesText: 'docker system info, docker info',
  args: noArgs,
  flags: [{ name: 'format', shorthand: 'f', usage: INSPECT_FORMAT_HELP, kind: stringKind() }],
  run: async (ctx) => {
    const format = ctx.flags.string('format');
    let info: Info | undefined;
    let serverError: string | undefined;
    try {
      info = (await ctx.engine.call('info', {})) as Info;
    } catch (e) {
      serverError = errorMessageOf(e);
    }
    if (format !== '') return formatInfo(ctx, info, serverError, format);
    ctx.stdout(`${clientSection(ctx)}\n${println('Server:')}`);
    if (info !== undefined) {
      const server = serverSection(info, ctx.debug);
      ctx.stdout(server.text);
      ctx.stderr(server.warnings);
    }
    if (serverError !== undefined) {
      ctx.stderr(println('ERROR:', serverError));
      throw new StatusError('errors pretty printing info');
    }
  },
};

/** cli `formatInfo`: the template sees the server fields at the top level plus `ClientInfo`. */
function formatInfo(ctx: RunContext, info: Info | undefined, serverError: string | undefined, format: string): void {
  if (serverError !== undefined) ctx.stderr(`${serverError}\n`);
  const data: Record<string, unknown> = {
    ...(info ?? {}),
    ...(serverError !== undefined ? { ServerErrors: [serverError] } : {}),
    ClientInfo: { Debug: ctx.debug, Platform: { Name: CLIENT_PLATFORM }, Version: CLIENT_VERSION, Context: 'default', Plugins: [], Warnings: null },
  };
  const parsed = parseTemplate(format === 'json' ? '{{json .}}' : format);
  if (!parsed.ok) throw new StatusError(`template parsing error: ${parsed.error}`, 64);
  // Go writes the template's output as it goes, so a failure still prints what came before it.
  const r = executeTemplate(parsed.template, data);
  ctx.stdout(`${r.ok ? r.output : r.partial}\n`);
  if (!r.ok) throw new StatusError(r.error);
}
