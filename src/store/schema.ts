// The shape of a lab's state as this podlab reads it (zod): every field the use-cases and the runtimes read, so a
// state that does not have them is refused at once as "corrupt state file PATH: <field>: <why>" instead of failing
// later with a JavaScript error. Objects pass through: fields added by a later version of this layout are kept.
import { z } from 'zod';

const str = z.string();
const strs = z.array(z.string());
const obj = <T extends z.ZodRawShape>(shape: T) => z.object(shape).passthrough();

const node = obj({ name: str, ip: str, netns: str, podCIDR: str, labels: z.record(str).optional() });
const pod = obj({ namespace: str, name: str, key: str, node: str, ip: str, netns: str, labels: z.record(str), containers: z.array(obj({ name: str })), serviceEnv: z.record(str).optional() });
const endpoint = obj({ pod: str, ip: str, node: str });
const service = obj({
  namespace: str, name: str, key: str, type: str, clusterIP: str, externalIPs: strs,
  ports: z.array(obj({ name: str, protocol: str, port: z.number(), endpoints: z.array(endpoint.extend({ port: z.number() })) })),
  endpoints: z.array(endpoint),
});

export const topologySchema = obj({
  cluster: str, mode: str, proxyMode: str, podCIDR: str, serviceCIDR: str, underlay: str, mtu: z.number(),
  nodes: z.array(node), pods: z.array(pod), services: z.array(service).optional(),
  external: obj({ ip: str, netns: str, ports: z.array(z.number()) }), fabric: obj({ netns: str }),
  hosts: z.array(obj({ name: str, netns: str })).optional(),
  pending: z.array(obj({ key: str, reason: str })).optional(),
});

export const procSchema = obj({ pod: str, container: str, pid: z.number().int().positive(), netns: str, log: str });

export const stateSchema = obj({
  version: z.literal(2), cluster: str, files: strs, applied: strs.optional(), deleted: strs.optional(),
  mode: str.optional(), proxyMode: str.optional(), topology: topologySchema,
  allocations: obj({
    nodes: z.record(obj({ ip: str, podCIDR: str })).optional(),
    pods: z.record(obj({ node: str, ip: str, env: z.record(str).optional() })).optional(),
    services: z.record(z.unknown()).optional(),
    lastReserved: z.record(str).optional(),
  }),
  rules: z.record(z.record(obj({ want: str, saved: str }))),
  processes: z.array(procSchema),
  converged: z.boolean().optional(), planHashes: z.record(str).optional(), updatedAt: str,
});

/** The first problem of a value against a schema, as "field.path[2]: why", or undefined when it fits. */
export function firstProblem(schema: z.ZodTypeAny, v: unknown): string | undefined {
  const r = schema.safeParse(v);
  if (r.success) return undefined;
  const i = r.error.issues[0]!;
  const path = i.path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : String(k)), '');
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem${r.error.issues.length > 2 ? 's' : ''})` : '';
  return `${path ? `"${path}"` : 'the state'}: ${i.message.toLowerCase()}${more}`;
}
