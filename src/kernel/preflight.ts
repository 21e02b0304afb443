// Before anything is built: are we root, are the tools there, does the kernel have what the mode needs?
// Kernel features are probed for real, in a throwaway namespace of our own — once per kernel and boot: a passed
// probe is remembered (keyed by kernel release, boot id and what was probed) in the host's state folder, so later
// `up`s skip it. A failed probe is never remembered (after `modprobe` the next run probes again).
import type { Executor } from './exec.js';
import { inNs } from './exec.js';
import type { LinkKind } from '../dataplane/types.js';
import type { LabSpec } from '../input/types.js';
import { PYTHON } from './python.js';

/** Debian/Ubuntu package for each command podlab may need. */
export const PACKAGES: Record<string, string> = {
  ip: 'iproute2', bridge: 'iproute2', 'iptables-restore': 'iptables', 'iptables-save': 'iptables', nft: 'nftables',
  nsenter: 'util-linux', python3: 'python3-minimal', curl: 'curl', ping: 'iputils-ping', sh: 'dash', bird: 'bird2', birdc: 'bird2',
  conntrack: 'conntrack', tcpdump: 'tcpdump', ipset: 'ipset', unbound: 'unbound', 'unbound-control': 'unbound',
};

/** Commands the lab's NetworkPolicies need: ipset for the engine's IP sets in iptables mode, nft in nftables mode. */
export function policyCommands(lab: LabSpec): string[] {
  if (!lab.policies?.length) return [];
  return lab.cluster.proxyMode === 'nftables' ? ['nft'] : ['ipset'];
}

export class PreflightError extends Error {
  constructor(readonly missing: string[]) {
    super(`this machine cannot build the lab yet:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
    this.name = 'PreflightError';
  }
}

/** Whether this kernel can make an SCTP socket (which also loads the sctp module where it is a module). */
async function hasSctp(exec: Executor): Promise<boolean> {
  const r = await exec.run([PYTHON, '-c', 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132).close()'], { host: exec.host });
  return r.code === 0;
}

/** Every place the lab uses SCTP, as "file:line: Kind ns/name field: port/SCTP" (for the preflight message). */
export function sctpUsers(lab: LabSpec): string[] {
  const out: string[] = [];
  for (const p of lab.pods) {
    p.containers.forEach((c, ci) => c.ports.forEach((port, pi) => {
      if (port.protocol === 'SCTP') out.push(`${p.origin.file}:${p.origin.line}: Pod ${p.namespace}/${p.name} spec.containers[${ci}].ports[${pi}]: ${port.containerPort}/SCTP`);
    }));
  }
  for (const w of lab.workloads ?? []) {
    w.template.containers.forEach((c, ci) => c.ports.forEach((port, pi) => {
      if (port.protocol === 'SCTP') out.push(`${w.origin.file}:${w.origin.line}: ${w.key} spec.template.spec.containers[${ci}].ports[${pi}]: ${port.containerPort}/SCTP`);
    }));
  }
  for (const s of lab.services) {
    s.ports.forEach((port, pi) => {
      if (port.protocol === 'SCTP') out.push(`${s.origin.file}:${s.origin.line}: Service ${s.key} spec.ports[${pi}]: ${port.port}/SCTP`);
    });
  }
  return out;
}

async function hasCommands(exec: Executor, cmds: readonly string[]): Promise<boolean[]> {
  // One shell for all of them: prints one 0/1 per command.
  const script = cmds.map((c) => `command -v ${c} >/dev/null 2>&1 && echo 1 || echo 0`).join('\n');
  const r = await exec.run(['sh', '-s'], { host: exec.host }, { input: script + '\n' });
  const bits = r.stdout.trim().split('\n');
  return cmds.map((_, i) => bits[i] === '1');
}

/** The state folder (store/file.ts's stateRoot: kernel/ sits below store/, so it reads the same variable). */
const CACHE = () => `${process.env.PODLAB_STATE_DIR ?? '/run/podlab'}/preflight.json`;

/** What a passed kernel probe is remembered by: the host's kernel release, its boot, and what was probed. */
export async function probeKey(exec: Executor, probed: object): Promise<string> {
  const [kernel, boot] = await Promise.all([exec.files.read('/proc/sys/kernel/osrelease'), exec.files.read('/proc/sys/kernel/random/boot_id')]);
  return JSON.stringify({ kernel: (kernel ?? '').trim(), boot: (boot ?? '').trim(), probed });
}

async function passedProbes(exec: Executor): Promise<string[]> {
  try {
    return (JSON.parse((await exec.files.read(CACHE())) ?? '{}') as { passed?: string[] }).passed ?? [];
  } catch {
    return [];
  }
}

async function rememberProbe(exec: Executor, key: string): Promise<void> {
  try {
    const boot = (JSON.parse(key) as { boot: string }).boot;
    const passed = [...(await passedProbes(exec)).filter((k) => k !== key && (JSON.parse(k) as { boot: string }).boot === boot), key];
    await exec.files.write(CACHE(), JSON.stringify({ passed }, null, 1) + '\n');
  } catch {
    /* a cache we cannot write only costs the probe next time */
  }
}

/** Checks commands and kernel features; throws PreflightError naming each missing piece and how to get it. */
export async function preflight(exec: Executor, need: { commands: readonly string[]; linkKinds: readonly LinkKind[]; bridgeNetfilter?: boolean; sctp?: readonly string[]; root?: boolean }): Promise<void> {
  const missing: string[] = [];
  if (need.root === false) missing.push('root: podlab creates network namespaces; run it as root (sudo)');
  const cmds = [...new Set(['ip', 'nsenter', 'python3', ...need.commands])];
  const have = await hasCommands(exec, cmds);
  const noCmd = cmds.filter((_, i) => !have[i]);
  if (noCmd.length) {
    const pkgs = [...new Set(noCmd.map((c) => PACKAGES[c] ?? c))];
    missing.push(`command${noCmd.length > 1 ? 's' : ''} ${noCmd.join(', ')}: apt-get install ${pkgs.join(' ')}`);
  }
  if (missing.length) throw new PreflightError(missing);

  const wantIptables = need.commands.includes('iptables-restore');
  const key = await probeKey(exec, { linkKinds: [...need.linkKinds].sort(), iptablesNat: wantIptables, sctp: !!need.sctp?.length });
  const known = (await passedProbes(exec)).includes(key);
  if (need.sctp?.length && !known && !(await hasSctp(exec))) {
    const users = need.sctp.slice(0, 10).map((u) => `      ${u}`).join('\n') + (need.sctp.length > 10 ? `\n      … and ${need.sctp.length - 10} more` : '');
    missing.push(`kernel support for SCTP (module sctp: socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) fails here); these use protocol SCTP:\n${users}\n    use a kernel with SCTP, or TCP/UDP ports`);
  }
  if (need.bridgeNetfilter && !(await exec.files.exists('/proc/sys/net/bridge/bridge-nf-call-iptables'))) {
    missing.push('kernel module br_netfilter (bridge netfilter, so Service replies on a node bridge go through conntrack): run `modprobe br_netfilter` (podlab does not load modules itself)');
  }
  if (known || (need.linkKinds.length === 0 && !wantIptables)) {
    if (missing.length) throw new PreflightError(missing);
    if (!known && need.sctp?.length) await rememberProbe(exec, key);
    return;
  }
  // Probe link kinds in a namespace of our own; it is removed right after.
  const probe = `pl-probe-${process.pid}`;
  const root = { host: exec.host };
  const add = await exec.run(['ip', 'netns', 'add', probe], root);
  if (add.code !== 0) {
    missing.push(`network namespaces: \`ip netns add\` failed: ${add.stderr.trim()}`);
    throw new PreflightError(missing);
  }
  try {
    for (const kind of need.linkKinds) {
      const args = kind === 'vxlan' ? ['type', 'vxlan', 'id', '42', 'dstport', '8472'] : kind === 'veth' ? ['type', 'veth', 'peer', 'name', 'probe1'] : ['type', kind];
      const r = await exec.run(['ip', 'link', 'add', 'name', 'probe0', ...args], inNs(probe, exec.host));
      if (r.code !== 0) missing.push(`kernel support for ${kind} links (${r.stderr.trim() || 'ip link add failed'}); this mode needs it`);
      else await exec.run(['ip', 'link', 'del', 'probe0'], inNs(probe, exec.host));
    }
    if (wantIptables) {
      const r = await exec.run(['iptables-restore', '-w', '5'], inNs(probe, exec.host), { input: '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE --random-fully\nCOMMIT\n' });
      if (r.code !== 0) missing.push(`iptables NAT (MASQUERADE, mark) in a namespace: ${r.stderr.trim()}`);
    }
  } finally {
    await exec.run(['ip', 'netns', 'del', probe], root);
  }
  if (missing.length) throw new PreflightError(missing);
  await rememberProbe(exec, key);
}
