// iptables-restore text composed from fragments (flannel's masquerade, kube-proxy's chains, …) (pure).

export type Table = 'raw' | 'mangle' | 'nat' | 'filter';

export interface Fragment {
  readonly table: Table;
  /** Custom chains this fragment declares. */
  readonly chains: readonly string[];
  /** Rules in iptables-restore syntax ("-A CHAIN …"). */
  readonly rules: readonly string[];
}

const BUILTIN: Record<Table, readonly string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};
const ORDER: readonly Table[] = ['raw', 'mangle', 'nat', 'filter'];

/**
 * Render whole tables (iptables-restore replaces each table it names). Fragments keep their order.
 * `always`: tables written even when empty, in a namespace whose rules there are all ours (a node): a table we
 * no longer use is flushed, as kube-proxy's cleanup does when it leaves iptables mode.
 */
export function renderRestore(fragments: readonly Fragment[], o: { always?: readonly Table[] } = {}): string | undefined {
  const always = o.always ?? [];
  if (fragments.length === 0 && always.length === 0) return undefined;
  const out: string[] = [];
  for (const table of ORDER) {
    const fs = fragments.filter((f) => f.table === table);
    if (fs.length === 0 && !always.includes(table)) continue;
    out.push(`*${table}`);
    for (const c of BUILTIN[table]) out.push(`:${c} ACCEPT [0:0]`);
    const seen = new Set<string>();
    for (const f of fs) for (const c of f.chains) if (!seen.has(c)) { seen.add(c); out.push(`:${c} - [0:0]`); }
    for (const f of fs) out.push(...f.rules);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/** Quote a comment the way iptables-save does: bare when it has no spaces. */
export function comment(text: string): string {
  return /[\s"]/.test(text) ? `-m comment --comment "${text.replace(/"/g, '\\"')}"` : `-m comment --comment ${text}`;
}
