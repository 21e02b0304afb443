// kind: Pod (v1): the pods of the lab — metadata, then the pod body shared with every pod template (podspec.ts:
// initContainers and sidecars, probes, hooks, volumes, restartPolicy, the runtime annotation podlab.io/runtime).
import type { PodSpec } from '../types.js';
import type { RawDoc } from '../doc.js';
import { isObj } from '../fields.js';
import { parsePodBody, podMeta } from '../podspec.js';
import { objectHead } from './meta.js';

export function parsePod(d: RawDoc): PodSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  const { name, namespace, meta } = objectHead(d, 'v1', { what: 'a Pod name (lower-case DNS subdomain)' });
  const { labels, annotations } = podMeta(ctx, meta, ['metadata']);
  const spec = obj.spec;
  if (!isObj(spec)) {
    ctx.err(['spec'], 'is required (spec.containers lists what runs in the pod)');
    return undefined;
  }
  const body = parsePodBody(ctx, spec, ['spec'], d.dir, labels, annotations);
  if (ctx.problems.length > before || !name) return undefined;
  return { namespace, name, ...body, origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 } };
}
