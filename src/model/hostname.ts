// A pod's hostname (pure): what `hostname` prints in it and what netexec's /hostname answers.

/**
 * kubelet's GeneratePodHostNameAndDomain: spec.hostname, else the pod's name (at most 63 characters, no trailing
 * dot or dash); a hostNetwork pod shares its node's UTS namespace, so it has the node's hostname (as the e2e
 * network tests expect of host-network endpoints).
 */
export function podHostname(p: { readonly name: string; readonly hostname?: string; readonly hostNetwork?: boolean; readonly node?: string }): string {
  if (p.hostNetwork && p.node) return p.node;
  return p.hostname ?? p.name.slice(0, 63).replace(/[-.]+$/, '');
}
