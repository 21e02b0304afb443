// How the controllers name what they make (pure): kube-controller-manager's pod-template-hash (FNV-32a, printed in
// decimal, safe-encoded into its alphabet without vowels), and the 5-character suffix of generated pod names, drawn
// from the same alphabet — random in Kubernetes, derived here from the lab, the owner and the replica's slot, so a
// re-`up` gives every pod the same name (and so the same address).
import { sha256 } from '../../net/hash.js';

/** k8s.io/apimachinery/pkg/util/rand: the alphabet of generated names (no vowels, no 0, 1, 3: no words). */
export const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bits (Go's hash/fnv New32a). */
export function fnv32a(s: string | Uint8Array): number {
  const bytes = typeof s === 'string' ? new TextEncoder().encode(s) : s;
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character of s mapped into ALPHANUMS by its code modulo the alphabet's size. */
export function safeEncode(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[ch.codePointAt(0)! % ALPHANUMS.length];
  return out;
}

/**
 * controller.ComputeHash: fnv32a over the template, then the collision count as 8 little-endian bytes when there is
 * one, printed in decimal and safe-encoded. Kubernetes hashes Go's spew dump of the defaulted template; podlab hashes
 * the canonical JSON of the template as written, so the value differs from a real cluster's for the same YAML, but it
 * has the same shape, length range and stability (same template, same hash).
 */
export function computeHash(canonicalTemplate: string, collisionCount?: number): string {
  const t = new TextEncoder().encode(canonicalTemplate);
  let bytes: Uint8Array = t;
  if (collisionCount !== undefined) {
    bytes = new Uint8Array(t.length + 8);
    bytes.set(t);
    new DataView(bytes.buffer).setUint32(t.length, collisionCount >>> 0, true);
  }
  return safeEncode(String(fnv32a(bytes)));
}

/** A deterministic 5-character suffix for the `slot`-th pod of `owner` in `cluster` (utilrand.String(5)'s shape). */
export function suffix(cluster: string, owner: string, slot: number | string, n = 5): string {
  const h = sha256(`${cluster}/${owner}/${slot}`);
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHANUMS[h[i]! % ALPHANUMS.length];
  return out;
}

/** A uid-shaped identifier (8-4-4-4-12 hex) derived from a seed: controller-uid labels. */
export function uidFor(seed: string): string {
  const h = sha256(`uid:${seed}`).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const GROUP: Readonly<Record<string, string>> = { Deployment: 'deployment.apps', ReplicaSet: 'replicaset.apps', StatefulSet: 'statefulset.apps', DaemonSet: 'daemonset.apps', Job: 'job.batch', CronJob: 'cronjob.batch' };
/** kubectl's "deployment.apps/web". */
export const kubectlName = (kind: string, name: string): string => `${GROUP[kind] ?? kind.toLowerCase()}/${name}`;
