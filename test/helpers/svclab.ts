// Pure helpers for Service unit tests: a small lab text → Topology, and kube-proxy's rules for one node.
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { resolveLab as resolve } from '../../src/modes/registry.js';
import type { Topology } from '../../src/model/topology.js';

export const CLUSTER = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: u}
spec:
  nodes: [{name: node1}, {name: node2}]
`;

export function pod(name: string, node: string, labels = '{app: web}', ports = '[{containerPort: 8080, name: http}, {containerPort: 8080, protocol: UDP, name: udp}]', ns = 'default'): string {
  return `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: ${labels}}
spec:
  nodeName: ${node}
  containers: [{name: c, ports: ${ports}}]
`;
}

export function svc(name: string, spec: string, ns = 'default'): string {
  return `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec.replace(/^/gm, '  ')}
`;
}

export function lab(...docs: string[]): Topology {
  return resolve(parseLab([{ file: 'lab.yaml', text: CLUSTER + docs.join(''), dir: '/tmp' }]));
}
