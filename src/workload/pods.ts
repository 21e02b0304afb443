// What every runtime gives a pod besides its network: where its files live in the lab's folder, the environment
// its containers get, and /etc/hosts as kubelet writes it (/etc/netns/<pod netns>/hosts, which `ip netns exec`
// binds over /etc/hosts for every process of the pod; Docker containers get it as a bind mount).
import { join } from 'node:path';
import type { PodT } from '../model/topology.js';
import type { ContainerSpec } from '../input/types.js';
import type { RuntimeContext } from './types.js';
import { podHostname } from './types.js';

/** <lab>/pods/<ns>_<pod>: the pod's folder (its UTS namespace file, volumes, containers' state and logs). */
export const podDir = (ctx: RuntimeContext, p: Pick<PodT, 'namespace' | 'name'>): string => join(ctx.dir, 'pods', `${p.namespace}_${p.name}`);
export const containerDir = (ctx: RuntimeContext, p: Pick<PodT, 'namespace' | 'name'>, c: string): string => join(podDir(ctx, p), 'containers', c);
export const volumeDir = (ctx: RuntimeContext, p: Pick<PodT, 'namespace' | 'name'>, v: string): string => join(podDir(ctx, p), 'volumes', v);
/** The bind-mounted UTS namespace of a process pod (its hostname), like /run/netns/<name> for the network one. */
export const utsFile = (ctx: RuntimeContext, p: Pick<PodT, 'namespace' | 'name'>): string => join(podDir(ctx, p), 'uts');
export const netnsEtc = (netns: string): string => `/etc/netns/${netns}`;
export const hostsFile = (netns: string): string => `${netnsEtc(netns)}/hosts`;
export const CLUSTER_DOMAIN = 'cluster.local';
/** The log of a process podlab runs for a system pod (the DNS pod's unbound) or the external host: <lab>/logs/. */
export function containerLog(dir: string, pod: { namespace: string; name: string }, container: string): string {
  return join(dir, 'logs', `${pod.namespace}_${pod.name}_${container}.log`);
}

/** kubelet's managedHostsFileContent: localhost lines, the pod's IP and hostname (FQDN with a subdomain), hostAliases. */
export function hostsFileText(p: Pick<PodT, 'name' | 'namespace' | 'ip' | 'hostname' | 'subdomain' | 'hostAliases'>, domain = CLUSTER_DOMAIN): string {
  const host = podHostname(p);
  let s = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  s += p.subdomain ? `${p.ip}\t${host}.${p.subdomain}.${p.namespace}.svc.${domain}\t${host}\n` : `${p.ip}\t${host}\n`;
  if (p.hostAliases?.length) {
    s += '\n# Entries added by HostAliases.\n';
    for (const a of p.hostAliases) s += `${a.ip}\t${a.hostnames.join('\t')}\n`;
  }
  return s;
}

/**
 * The container's environment: what podlab always sets, the service links the pod got when it was created, then the
 * container's own `env` (which wins, as in the kubelet).
 */
export function containerEnv(p: PodT, c: ContainerSpec): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', HOSTNAME: podHostname(p), // a hostNetwork pod's is its node's, as in Kubernetes
    ...(p.serviceEnv ?? {}),
    POD_NAME: p.name, POD_NAMESPACE: p.namespace, POD_IP: p.ip, NODE_NAME: p.node, ...c.env,
  };
}
