// Pure helpers for workload unit tests: a small lab text → LabSpec / Topology, and documents to put in it.
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';
import type { LabSpec } from '../../src/input/types.js';
import type { Allocations, Topology } from '../../src/model/topology.js';

export function cluster(nodes: string[] = ['node1: {}', 'node2: {}', 'node3: {}'], name = 'wl'): string {
  return `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: ${name}}
spec:
  nodes:
${nodes.map((n) => {
    const i = n.indexOf(':');
    const nn = i < 0 ? n : n.slice(0, i);
    const rest = i < 0 ? '' : n.slice(i + 1).trim();
    const extra = rest && rest !== '{}' ? rest.replace(/^\{|\}$/g, '') : '';
    return `    - {name: ${nn}${extra ? ', ' + extra : ''}}`;
  }).join('\n')}
`;
}

export const parse = (text: string): LabSpec => parseLabFiles([{ file: 'lab.yaml', text, dir: '/tmp' }]);
/** The topology of a file set, without the system pods every lab has (the cluster DNS): the user's pods only. */
export const topo = (text: string, prev: Allocations = {}, progressive = false): Topology => userPods(resolveLab(parse(text), prev, { progressive }));
export const userPods = (t: Topology): Topology => ({ ...t, pods: t.pods.filter((p) => !p.system), pending: t.pending?.filter((p) => !(p as { system?: string }).system) });

/** The problems of an invalid file set, as "path: message" lines (file:line kept in `lines`). */
export function problems(text: string): { all: string[]; lines: Map<string, number | undefined> } {
  try {
    resolveLab(parse(text));
  } catch (e) {
    if (e instanceof SpecError) return { all: e.problems.map((p) => `${p.path}: ${p.message}`), lines: new Map(e.problems.map((p) => [`${p.path}: ${p.message}`, p.line])) };
    throw e;
  }
  throw new Error('expected a SpecError');
}

export function deployment(name: string, replicas: number, o: { ns?: string; labels?: string; spec?: string; strategy?: string; container?: string; podSpec?: string } = {}): string {
  return `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${o.ns ?? 'default'}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
${o.strategy ? `  strategy: ${o.strategy}\n` : ''}${o.spec ?? ''}  template:
    metadata: {labels: {app: ${name}${o.labels ? ', ' + o.labels : ''}}}
    spec:
${o.podSpec ?? ''}      containers: [${o.container ?? `{name: web, ports: [{containerPort: 8080, name: http}]}`}]
`;
}

/** A Job `pi` whose pods exit 0, with `spec` lines (two-space indented, each ending in a newline) before its template. */
export const job = (spec: string, restartPolicy = 'Never') => `---
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
${spec}  template:
    spec:
      restartPolicy: ${restartPolicy}
      containers: [{name: c, command: [sh, -c, "exit 0"]}]
`;
