// kube-proxy's partial sync (pkg/proxy/iptables/proxier.go, MinimizeIPTablesRestore): when the kernel is known to
// hold the previous rule set, write only the chains that changed with `iptables-restore --noflush` — a user chain
// declared (":KUBE-SVC-… - [0:0]") is flushed and refilled, a built-in chain is flushed with -F, a chain that went
// away is flushed and deleted (-X) after every rule that jumped to it has been rewritten. Pure.

interface Table {
  readonly name: string;
  /** Chain → its declaration line (built-in chains carry a policy, user chains "-"). */
  readonly decl: Map<string, string>;
  /** Chain → its rules, in order. */
  readonly rules: Map<string, string[]>;
}

function parse(text: string): Map<string, Table> | undefined {
  const tables = new Map<string, Table>();
  let cur: Table | undefined;
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      cur = { name: line.slice(1), decl: new Map(), rules: new Map() };
      tables.set(cur.name, cur);
    } else if (line === 'COMMIT') cur = undefined;
    else if (!cur) return undefined;
    else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0]!;
      cur.decl.set(chain, line);
      if (!cur.rules.has(chain)) cur.rules.set(chain, []);
    } else if (line.startsWith('-A ')) {
      const chain = line.slice(3).split(' ')[0]!;
      const rs = cur.rules.get(chain);
      if (!rs) return undefined; // a rule for an undeclared chain: not a text we wrote
      rs.push(line);
    } else return undefined; // anything else (-I, -D, -N …): not a text we render
  }
  return tables;
}

const builtin = (decl: string) => !decl.includes(' - ');
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export interface Partial {
  /** `iptables-restore --noflush` input, or "" when nothing changed. */
  readonly text: string;
  /** Chains rewritten, created or deleted. */
  readonly chains: number;
}

/**
 * The `--noflush` restore that takes the kernel from `before` to `after` (both full restore texts as rendered by
 * dataplane/iptables.ts), or undefined when only a full restore can (the set of tables or a policy changed).
 */
export function partialRestore(before: string, after: string): Partial | undefined {
  const a = parse(before);
  const b = parse(after);
  if (!a || !b) return undefined;
  if (a.size !== b.size || [...b.keys()].some((t) => !a.has(t))) return undefined;
  const out: string[] = [];
  let chains = 0;
  for (const [name, nt] of b) {
    const ot = a.get(name)!;
    const body: string[] = [];
    const decls: string[] = [];
    const gone: string[] = [];
    for (const [chain, decl] of nt.decl) {
      const old = ot.decl.get(chain);
      if (old !== undefined && builtin(old) !== builtin(decl)) return undefined;
      if (builtin(decl)) {
        if (old !== decl) return undefined; // a policy changed
        if (same(ot.rules.get(chain) ?? [], nt.rules.get(chain)!)) continue;
        body.push(`-F ${chain}`, ...nt.rules.get(chain)!);
      } else {
        if (old !== undefined && same(ot.rules.get(chain)!, nt.rules.get(chain)!)) continue;
        decls.push(decl); // declaring an existing chain flushes it under --noflush
        body.push(...nt.rules.get(chain)!);
      }
      chains++;
    }
    for (const [chain, decl] of ot.decl) {
      if (nt.decl.has(chain)) continue;
      if (builtin(decl)) return undefined;
      decls.push(decl);
      gone.push(`-X ${chain}`);
      chains++;
    }
    if (decls.length + body.length + gone.length === 0) continue;
    out.push(`*${name}`, ...decls, ...body, ...gone, 'COMMIT');
  }
  return { text: out.length ? out.join('\n') + '\n' : '', chains };
}
