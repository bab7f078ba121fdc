/**
 * The `ScenarioTarget` (what `swarmnet run` and `swarmnet shell` drive) over a real `Cluster`:
 * `docker` lines run through each host's docker command layer, placeholders read the cluster's
 * state the way a user would (the join token from a manager's `swarm inspect`).
 */
import type { Cluster } from '../cluster/index.js';
import type { CommandOutput, ScenarioTarget } from './scenario/target.js';

export class ClusterTarget implements ScenarioTarget {
  constructor(readonly cluster: Cluster) {}

  docker(host: string, argv: readonly string[]): Promise<CommandOutput> {
    return this.cluster.host(host).docker(argv);
  }

  address(host: string): string {
    return this.cluster.host(host).underlay.address;
  }

  async joinToken(role: 'worker' | 'manager'): Promise<string> {
    for (const name of this.cluster.hosts) {
      const handle = this.cluster.host(name);
      if (handle.state !== 'running') continue;
      const info = await handle.engine.call('info', {});
      if (!info.Swarm.ControlAvailable) continue;
      const swarm = await handle.engine.call('swarmInspect', {});
      return role === 'worker' ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager;
    }
    throw new Error(`no ${role} join token yet: no host is a swarm manager (run "docker swarm init" first)`);
  }

  async task(service: string, slot: number): Promise<{ readonly container: string; readonly host: string }> {
    throw new Error(`no task ${service}.${slot}: swarmnet does not run services yet`);
  }

  kill(host: string): Promise<void> {
    return this.cluster.kill(host);
  }
}
