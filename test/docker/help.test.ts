import { describe, expect, it } from 'vitest';
import { Command, type CommandDef } from '../../src/docker/command.js';
import { runDocker } from '../../src/docker/docker.js';
import { boolKind, stringKind, type FlagDef, type FlagKind } from '../../src/docker/flags.js';
import { renderHelp } from '../../src/docker/help.js';
import { FakeEngine, INACTIVE_INFO, WORKER_INFO } from './fake-engine.js';

const HELP: FlagDef = { name: 'help', shorthand: 'h', usage: 'Print usage', kind: boolKind(), hidden: true, shorthandDeprecated: 'use --help' };
const root = (subcommands: CommandDef[]): Command =>
  new Command({ use: 'docker [OPTIONS] COMMAND [ARG...]', short: 'A self-sufficient runtime for containers', persistentFlags: [HELP], subcommands });
const run = async (): Promise<void> => {};

/** pflag's `stringSlice` value type (usage shows `strings`). */
const stringSliceKind: FlagKind<readonly string[]> = {
  type: 'stringSlice',
  initial: [],
  defValue: '[]',
  zeroDefault: true,
  set: (prev, text) => ({ ok: true, value: [...prev, text] }),
};

describe('help layout against docker/cli goldens', () => {
  it('renders e2e/stack/testdata/stack-deploy-help.golden (usage, aliases, wrapped options)', () => {
    // Flags as declared in cli/command/stack/deploy.go.
    const deploy: CommandDef = {
      use: 'deploy [OPTIONS] STACK',
      aliases: ['up'],
      short: 'Deploy a new stack or update an existing stack',
      run,
      flags: [
        { name: 'compose-file', shorthand: 'c', usage: 'Path to a Compose file, or "-" to read from stdin', kind: stringSliceKind },
        { name: 'with-registry-auth', usage: 'Send registry authentication details to Swarm agents', kind: boolKind() },
        { name: 'prune', usage: 'Prune services that are no longer referenced', kind: boolKind() },
        {
          name: 'resolve-image',
          usage: 'Query the registry to resolve image digest and supported platforms ("always", "changed", "never")',
          kind: stringKind('always'),
        },
        { name: 'detach', shorthand: 'd', usage: 'Exit immediately instead of waiting for the stack services to converge', kind: boolKind(true) },
        { name: 'quiet', shorthand: 'q', usage: 'Suppress progress output', kind: boolKind() },
      ],
    };
    const cmd = root([{ use: 'stack [OPTIONS]', short: 'Manage Swarm stacks', run, subcommands: [deploy] }]).children[0].children[0];
    expect(renderHelp(cmd)).toBe(
      'Usage:  docker stack deploy [OPTIONS] STACK\n' +
        '\n' +
        'Deploy a new stack or update an existing stack\n' +
        '\n' +
        'Aliases:\n' +
        '  docker stack deploy, docker stack up\n' +
        '\n' +
        'Options:\n' +
        '  -c, --compose-file strings   Path to a Compose file, or "-" to read\n' +
        '                               from stdin\n' +
        '  -d, --detach                 Exit immediately instead of waiting for\n' +
        '                               the stack services to converge (default true)\n' +
        '      --prune                  Prune services that are no longer referenced\n' +
        '  -q, --quiet                  Suppress progress output\n' +
        '      --resolve-image string   Query the registry to resolve image digest\n' +
        '                               and supported platforms ("always",\n' +
        '                               "changed", "never") (default "always")\n' +
        '      --with-registry-auth     Send registry authentication details to\n' +
        '                               Swarm agents\n',
    );
  });

  it('renders e2e/cli-plugins/testdata/docker-help-helloworld.golden (subcommand listing)', () => {
    const hello: CommandDef = {
      use: 'helloworld',
      short: 'A basic Hello World plugin for tests',
      run,
      flags: [
        { name: 'context', shorthand: 'c', usage: 'Is it Christmas?', kind: stringKind() },
        { name: 'debug', shorthand: 'D', usage: 'Enable debug', kind: boolKind() },
        { name: 'pre-run', usage: 'Log from prerun hook', kind: boolKind() },
        { name: 'who', usage: 'Who are we addressing?', kind: stringKind() },
      ],
      subcommands: [
        { use: 'goodbye', short: 'Say Goodbye instead of Hello', run },
        { use: 'apiversion', short: 'Print the API version of the server', run },
        { use: 'exitstatus2', short: 'Exit with status 2', run },
      ],
    };
    const cmd = root([hello]).children[0];
    expect(renderHelp(cmd)).toBe(
      'Usage:  docker helloworld [OPTIONS] COMMAND\n\nA basic Hello World plugin for tests\n\nOptions:\n' +
        '  -c, --context string   Is it Christmas?\n' +
        '  -D, --debug            Enable debug\n' +
        '      --pre-run          Log from prerun hook\n' +
        '      --who string       Who are we addressing?\n\nCommands:\n' +
        '  apiversion  Print the API version of the server\n' +
        '  exitstatus2 Exit with status 2\n' +
        '  goodbye     Say Goodbye instead of Hello\n\n' +
        "Run 'docker helloworld COMMAND --help' for more information on a command.\n",
    );
    // e2e/cli-plugins/testdata/docker-help-helloworld-goodbye.golden
    expect(renderHelp(cmd.findChild('goodbye')!)).toBe('Usage:  docker helloworld goodbye\n\nSay Goodbye instead of Hello\n');
  });
});

const NODE_LS_HELP = `Usage:  docker node ls [OPTIONS]

List nodes in the swarm

Aliases:
  docker node ls, docker node list

Options:
  -f, --filter filter   Filter output based on conditions provided
      --format string   Format output using a custom template:
                        'table':            Print output in table format
                        with column headers (default)
                        'table TEMPLATE':   Print output in table format
                        using the given Go template
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given
                        Go template.
                        Refer to https://docs.docker.com/go/formatting/
                        for more information about formatting output with
                        templates
  -q, --quiet           Only display IDs
`;

const NODE_HELP = `Usage:  docker node COMMAND

Manage Swarm nodes

Commands:
  demote      Demote one or more nodes from manager in the swarm
  inspect     Display detailed information on one or more nodes
  ls          List nodes in the swarm
  promote     Promote one or more nodes to manager in the swarm
  ps          List tasks running on one or more nodes, defaults to current node
  rm          Remove one or more nodes from the swarm
  update      Update a node

Run 'docker node COMMAND --help' for more information on a command.
`;

describe('docker … --help', () => {
  it('prints a leaf command help on stdout, exit 0', async () => {
    const r = await runDocker(['node', 'ls', '--help'], new FakeEngine());
    expect(r).toEqual({ stdout: NODE_LS_HELP, stderr: '', exitCode: 0 });
  });

  it('prints the same help for `docker help node ls`, and -h with its deprecation notice', async () => {
    expect((await runDocker(['help', 'node', 'ls'], new FakeEngine())).stdout).toBe(NODE_LS_HELP);
    const h = await runDocker(['node', 'ls', '-h'], new FakeEngine());
    expect(h.stdout).toBe(`Flag shorthand -h has been deprecated, use --help\n${NODE_LS_HELP}`);
    expect(h.exitCode).toBe(0);
  });

  it('shows help even with other arguments or flags after --help', async () => {
    expect((await runDocker(['node', 'ls', '--help', 'extra', '-q'], new FakeEngine())).stdout).toBe(NODE_LS_HELP);
    expect((await runDocker(['--help', 'node', 'ls'], new FakeEngine())).stdout).toBe(NODE_LS_HELP);
  });

  it('lists subcommands of a management command; run bare it prints to stderr', async () => {
    expect((await runDocker(['node', '--help'], new FakeEngine())).stdout).toBe(NODE_HELP);
    expect(await runDocker(['node'], new FakeEngine())).toEqual({ stdout: '', stderr: NODE_HELP, exitCode: 0 });
  });

  it('has no Options section for a command without flags', async () => {
    const r = await runDocker(['node', 'promote', '--help'], new FakeEngine());
    expect(r.stdout).toBe('Usage:  docker node promote NODE [NODE...]\n\nPromote one or more nodes to manager in the swarm\n');
  });

  it('prints the root help with its sections and guides link', async () => {
    const r = await runDocker(['--help'], new FakeEngine());
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith('Usage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\nCommon Commands:\n  run         Create and run a new container from an image\n  exec        Execute a command in a running container\n  ps          List containers\n  info        Display system-wide information\n\nManagement Commands:\n  container   Manage containers\n  network     Manage networks\n\nSwarm Commands:\n  node        Manage Swarm nodes\n  service     Manage Swarm services\n  swarm       Manage Swarm\n\nCommands:\n  attach      Attach local standard input, output, and error streams to a running container\n  create      Create a new container\n  inspect     Return low-level information on Docker objects\n  kill        Kill one or more running containers\n  logs        Fetch the logs of a container\n  rm          Remove one or more containers\n  start       Start one or more stopped containers\n  stop        Stop one or more running containers\n\nGlobal Options:\n      --config string      Location of client config files (default\n')).toBe(true);
    expect(r.stdout).toContain('  -v, --version            Print version information and quit\n');
    expect(r.stdout.endsWith("\n\nRun 'docker COMMAND --help' for more information on a command.\n\nFor more help on how to use Docker, head to https://docs.docker.com/go/guides/\n")).toBe(true);
    // `docker` alone prints the same to stderr; `docker -h` sends pflag's notice to stderr too.
    expect(await runDocker([], new FakeEngine())).toEqual({ stdout: '', stderr: r.stdout, exitCode: 0 });
    expect(await runDocker(['-h'], new FakeEngine())).toEqual({
      stdout: r.stdout,
      stderr: 'Flag shorthand -h has been deprecated, use --help\n',
      exitCode: 0,
    });
  });

  it('hides what the node cannot run, as docker does from its swarm status', async () => {
    const worker = await runDocker(['--help'], new FakeEngine({ info: () => WORKER_INFO }));
    expect(worker.stdout).toContain('\n\nSwarm Commands:\n  swarm       Manage Swarm\n\nCommands:');
    const inactive = await runDocker(['swarm', '--help'], new FakeEngine({ info: () => INACTIVE_INFO }));
    expect(inactive.stdout).toBe(
      "Usage:  docker swarm COMMAND\n\nManage Swarm\n\nCommands:\n  init        Initialize a swarm\n  join        Join a swarm as a node and/or manager\n\nRun 'docker swarm COMMAND --help' for more information on a command.\n",
    );
    const workerSwarm = await runDocker(['swarm', '--help'], new FakeEngine({ info: () => WORKER_INFO }));
    expect(workerSwarm.stdout).toContain('  join        Join a swarm as a node and/or manager\n  leave       Leave the swarm\n\n');
    expect(workerSwarm.stdout).not.toContain('join-token');
  });

  it('prints `swarm update` help when no flag is given', async () => {
    const r = await runDocker(['swarm', 'update'], new FakeEngine());
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith('Usage:  docker swarm update [OPTIONS]\n\nUpdate the swarm\n\nOptions:\n      --autolock')).toBe(true);
  });

  it('answers `docker help` with the root help and unknown topics with an error', async () => {
    expect((await runDocker(['help'], new FakeEngine())).stdout).toBe((await runDocker(['--help'], new FakeEngine())).stdout);
    expect(await runDocker(['help', 'nosuch'], new FakeEngine())).toEqual({ stdout: '', stderr: 'unknown help topic: nosuch\n', exitCode: 1 });
    expect((await runDocker(['help', 'node', 'nosuch'], new FakeEngine())).stderr).toBe('unknown help topic: nosuch\n');
  });

  it('shows the real flag defaults of swarm init', async () => {
    const r = await runDocker(['swarm', 'init', '--help'], new FakeEngine());
    expect(r.stdout).toContain('      --default-addr-pool ipNetSlice           default address pool in\n                                               CIDR format (default [])\n');
    expect(r.stdout).toContain('      --listen-addr node-addr                  Listen address (format:\n                                               "<ip|interface>[:port]")\n                                               (default 0.0.0.0:2377)\n');
    expect(r.stdout).toContain('      --cert-expiry duration                   Validity period for node\n                                               certificates\n                                               (ns|us|ms|s|m|h) (default\n                                               2160h0m0s)\n');
  });
});
