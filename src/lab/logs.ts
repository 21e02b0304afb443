// `podlab logs POD [-c CONTAINER] [--previous]`: a pod container's output (the current instance, or the one before
// its last restart), from the runtime; a system pod's (the DNS pod, the ingress controller) from its component's log.
import { labContext, runtimeContext, type LabContext } from './context.js';
import { labState, targetContainer } from './targets.js';
import { systemLog } from '../workload/dns/server.js';

export async function logsOf(cluster: string, podName: string, container: string | undefined, o: Partial<LabContext> = {}, opts: { previous?: boolean } = {}): Promise<{ text: string }> {
  const ctx = labContext(o);
  const st = await labState(ctx, cluster);
  const ref = targetContainer(st.topology, podName, container);
  const rctx = runtimeContext(ctx, cluster);
  if (ref.pod.system) {
    if (opts.previous) throw new Error(`previous terminated container "${ref.container.name}" in pod "${ref.pod.name}" not found (a system pod is not restarted by a lifecycle)`);
    const f = systemLog(rctx, st.topology, st.processes, ref.pod);
    return { text: f ? (await ctx.exec.files.read(f)) ?? '' : '' };
  }
  return { text: await ctx.runtime.logs(rctx, ref, { previous: !!opts.previous }) };
}
