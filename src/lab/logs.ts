// `podlab logs POD [-c CONTAINER] [--previous]`: a pod container's output (the current instance, or the one before
// its last restart), from the runtime.
import { labContext, runtimeContext, type LabContext } from './context.js';
import { labState, targetContainer } from './targets.js';

export async function logsOf(cluster: string, podName: string, container: string | undefined, o: Partial<LabContext> = {}, opts: { previous?: boolean } = {}): Promise<{ text: string }> {
  const ctx = labContext(o);
  const st = await labState(ctx, cluster);
  const ref = targetContainer(st.topology, podName, container);
  return { text: await ctx.runtime.logs(runtimeContext(ctx, cluster), ref, { previous: !!opts.previous }) };
}
