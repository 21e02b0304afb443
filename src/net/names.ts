// Every kernel name podlab makes, derived from the cluster name and the object's name (pure).
import { sha1Hex, shortHash } from './hash.js';

export const PREFIX = 'pl-';
/** Kernel limit for interface names (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;
/** netns names are files under /run/netns; we keep them readable and short. */
export const NETNS_MAX = 48;

export function clusterPrefix(cluster: string): string {
  return `${PREFIX}${cluster}-`;
}

export function fabricNetns(cluster: string): string {
  return `${PREFIX}${cluster}-fabric`;
}

export function extNetns(cluster: string): string {
  return `${PREFIX}${cluster}-ext`;
}

export function nodeNetns(cluster: string, node: string): string {
  return shorten(`${PREFIX}${cluster}-${node}`, `${cluster}/node/${node}`);
}

export function podNetns(cluster: string, namespace: string, pod: string): string {
  return shorten(`${PREFIX}${cluster}-${namespace}-${pod}`, `${cluster}/pod/${namespace}/${pod}`);
}

function shorten(name: string, seed: string): string {
  if (name.length <= NETNS_MAX) return name;
  return `${name.slice(0, NETNS_MAX - 9)}-${shortHash(seed, 8)}`;
}

/** Host-side veth of a pod on a bridge CNI: "veth" + 8 hex (the CNI bridge plugin uses 4 random bytes; ours are a hash so a re-run finds the same name). */
export function bridgeVethName(cluster: string, namespace: string, pod: string): string {
  return `veth${shortHash(`${cluster}/${namespace}/${pod}`, 8)}`;
}

/** Calico's and the AWS CNI's host veth name: prefix + first 11 hex chars of sha1("<namespace>.<pod>"). */
export function cniVethName(prefix: 'cali' | 'eni', namespace: string, pod: string): string {
  return `${prefix}${sha1Hex(`${namespace}.${pod}`).slice(0, 11)}`;
}

/** The node's port on the fabric bridge (inside the fabric namespace). */
export function fabricPortName(node: string): string {
  const n = `n-${node}`;
  return n.length <= IFNAME_MAX ? n : `n-${shortHash(node, 10)}`;
}

/** A plain VPC host's namespace (mode vpc). */
export function vpcHostNetns(cluster: string, host: string): string {
  return shorten(`${PREFIX}${cluster}-host-${host}`, `${cluster}/host/${host}`);
}

/** A VPC host's port on the VPC router. */
export function vpcHostPortName(host: string): string {
  const n = `h-${host}`;
  return n.length <= IFNAME_MAX ? n : `h-${shortHash(host, 10)}`;
}

/** The upstream router a bgp-mode lab adds on the fabric for MetalLB's BGP mode. */
export function routerNetns(cluster: string): string {
  return `${PREFIX}${cluster}-router`;
}

/** The network load balancer a vpc-mode lab adds on the VPC for LoadBalancer Services. */
export function nlbNetns(cluster: string): string {
  return `${PREFIX}${cluster}-nlb`;
}
