// What a set of Ops changes, as objects a person reads: "route 10.244.1.0/24 in pl-demo-node1, added". Pure: derived
// from the commands diffNs decided, so a repair can be logged and streamed as an event saying what drifted.
import type { Ops } from './ops.js';

export type ChangeKind = 'link' | 'address' | 'route' | 'neighbour' | 'fdb' | 'rule' | 'sysctl' | 'iptables' | 'nftables' | 'ipset'
  | 'namespace' | 'process';

export interface Change {
  readonly netns: string;
  readonly kind: ChangeKind;
  /** The object: a route's destination, a link's name, an address, a sysctl key, a table, a container. */
  readonly object: string;
  /** What was done: added (it was missing), removed (it should not be there), changed (it differed). */
  readonly action: 'added' | 'removed' | 'changed';
}

function ipChange(netns: string, line: string): Change | undefined {
  const w = line.split(/\s+/);
  const [what, verb] = [w[0], w[1]];
  switch (what) {
    case 'link': {
      if (verb === 'add') return { netns, kind: 'link', object: w[3]!, action: 'added' };
      if (verb === 'del') return { netns, kind: 'link', object: w[2]!, action: 'removed' };
      if (verb === 'set') {
        return { netns, kind: 'link', object: w[2] === 'dev' ? w[3]! : w[2]!, action: 'changed' };
      }
      return undefined;
    }
    case 'addr':
      return { netns, kind: 'address', object: `${w[2]} dev ${w[4]}`, action: verb === 'del' ? 'removed' : 'added' };
    case 'route':
      return { netns, kind: 'route', object: w[2]!, action: verb === 'del' ? 'removed' : 'added' };
    case 'neigh':
      return { netns, kind: 'neighbour', object: `${w[2]} dev ${w[w.indexOf('dev') + 1]}`, action: verb === 'del' ? 'removed' : 'added' };
    case 'rule':
      return { netns, kind: 'rule', object: w.slice(2).join(' '), action: verb === 'del' ? 'removed' : 'added' };
    default:
      return undefined;
  }
}

/**
 * The objects an Ops touches, one Change each. Link settings of one link (mtu, master, up) fold into one "changed";
 * a link created with its settings is one "added".
 */
export function describeOps(o: Ops): Change[] {
  const out: Change[] = [];
  const seen = new Set<string>();
  const push = (c: Change | undefined) => {
    if (!c) return;
    const k = `${c.kind}|${c.object}`;
    if (c.kind === 'link' && c.action === 'changed' && (seen.has(`link|${c.object}|added`) || seen.has(k))) return;
    seen.add(c.action === 'added' ? `${k}|added` : k);
    out.push(c);
  };
  for (const [k] of [...o.sysctlsBefore, ...o.sysctlsAfter]) push({ netns: o.netns, kind: 'sysctl', object: k, action: 'changed' });
  for (const l of o.ip) push(ipChange(o.netns, l));
  for (const l of o.bridge) {
    const w = l.split(/\s+/);
    push({ netns: o.netns, kind: 'fdb', object: `${w[2]} dev ${w[4]} dst ${w[6]}`, action: w[1] === 'del' ? 'removed' : 'added' });
  }
  for (const r of o.rulesets) {
    push({ netns: o.netns, kind: r.engine, object: r.engine === 'iptables' ? 'rule set' : r.engine === 'ipset' ? 'IP sets' : `table ${r.table}`, action: r.delete ? 'removed' : 'changed' });
  }
  return out;
}

/** One line: "route 10.244.1.0/24 in pl-demo-node1". */
export function changeText(c: Change): string {
  return `${c.kind} ${c.object} in ${c.netns}`;
}
