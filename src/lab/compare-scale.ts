// The larger copy of a lab for `podlab compare`'s dataplane-size step (pure: text in, text out). The file with
// the Cluster document gets nodes added up to the wanted count, each with one netexec pod (as a DaemonSet would
// put on every node), so per-node figures grow as they would with nodes. Container commands keep running from
// the original file's folder (workingDir made explicit), since the copy lives elsewhere.
import { parseAllDocuments, isMap, isSeq, type Document } from 'yaml';

export interface SourceText {
  readonly file: string;
  readonly text: string;
  /** Absolute folder of the file (a container's default working directory). */
  readonly dir: string;
}

export interface ScaledCopy {
  /** Index in the sources of the file that was rewritten (the one with the Cluster document). */
  readonly index: number;
  readonly text: string;
  readonly addedNodes: readonly string[];
  readonly addedPods: readonly string[];
}

export const SCALE_POD_PREFIX = 'scale-';
export const SCALE_NAMESPACE = 'default';

const kindOf = (d: Document) => String(d.get('kind') ?? '');

/** A copy with `nodes` nodes, or the reason there is none (the lab already has that many, or no Cluster document). */
export function scaledCopy(sources: readonly SourceText[], nodes: number): ScaledCopy | string {
  const index = sources.findIndex((s) => parseAllDocuments(s.text).some((d) => kindOf(d as Document) === 'Cluster'));
  if (index < 0) return 'no Cluster document in the files';
  const src = sources[index]!;
  const docs = parseAllDocuments(src.text) as Document[];
  const cluster = docs.find((d) => kindOf(d) === 'Cluster')!;
  const seq = cluster.getIn(['spec', 'nodes']);
  if (!isSeq(seq)) return 'the Cluster document has no spec.nodes list';
  const names = new Set(seq.items.map((n) => (isMap(n) ? String(n.get('name')) : '')));
  if (names.size >= nodes) return `the lab already has ${names.size} nodes`;
  const addedNodes: string[] = [];
  for (let i = 1; names.size < nodes; i++) {
    const name = `node${i}`;
    if (names.has(name)) continue;
    names.add(name);
    addedNodes.push(name);
    seq.add(cluster.createNode({ name }));
  }
  for (const d of docs) {
    if (kindOf(d) !== 'Pod') continue;
    const cs = d.getIn(['spec', 'containers']);
    if (!isSeq(cs)) continue;
    for (const c of cs.items) if (isMap(c) && c.has('command') && !c.has('workingDir')) c.set('workingDir', src.dir);
  }
  const texts = docs.map((d, i) => {
    const s = String(d);
    return i > 0 && !s.startsWith('---') ? `---\n${s}` : s;
  });
  const addedPods = addedNodes.map((n) => `${SCALE_NAMESPACE}/${SCALE_POD_PREFIX}${n}`);
  for (const n of addedNodes) {
    texts.push(`---
apiVersion: v1
kind: Pod
metadata: {name: ${SCALE_POD_PREFIX}${n}, namespace: ${SCALE_NAMESPACE}, labels: {app: podlab-scale}}
spec:
  nodeName: ${n}
  containers:
    - name: netexec
      ports: [{containerPort: 8080}]
`);
  }
  return { index, text: texts.join(''), addedNodes, addedPods };
}
