// Label selectors (pure), with the two semantics Kubernetes gives them:
// - a Service's `spec.selector` is a plain map; an empty or absent one selects nothing (the Service has no
//   endpoints computed for it: endpoints are then managed by hand);
// - a metav1.LabelSelector (NetworkPolicy `podSelector`, `namespaceSelector`, Deployments …) has matchLabels and
//   matchExpressions, ANDed; an empty selector `{}` selects everything, a nil one (absent) nothing.
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly SelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

/** Service semantics: every key of a non-empty map must match; an empty or absent selector selects nothing. */
export function serviceSelects(selector: Labels | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/** One requirement, as k8s.io/apimachinery/pkg/labels evaluates it (NotIn and DoesNotExist match a missing key). */
export function requirementMatches(r: SelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(labels[r.key]!);
    case 'NotIn': return !has || !(r.values ?? []).includes(labels[r.key]!);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
  }
}

/** metav1.LabelSelector semantics: undefined selects nothing; `{}` selects everything; matchLabels AND matchExpressions. */
export function labelSelectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (selector.matchExpressions ?? []).every((r) => requirementMatches(r, labels));
}

/** `app=web,tier in (a,b)` — the selector as kubectl prints it (for reports and reasons). */
export function selectorText(selector: LabelSelector | undefined): string {
  if (!selector) return '<none>';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${(r.values ?? []).join(',')})`);
  }
  return parts.length ? parts.join(',') : '<all>';
}
