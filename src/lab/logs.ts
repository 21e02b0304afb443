// `podlab logs POD [-c CONTAINER]`: a pod container's output, from the runtime's log file.
import { labContext, runtimeContext, type LabContext } from './context.js';
import { labState } from './targets.js';

export async function logsOf(cluster: string, podName: string, container: string | undefined, o: Partial<LabContext> = {}): Promise<{ text: string }> {
  const ctx = labContext(o);
  const st = await labState(ctx, cluster);
  const key = podName.includes('/') ? podName : `default/${podName}`;
  const pod = st.topology.pods.find((p) => p.key === key);
  if (!pod) throw new Error(`no pod "${key}" (pods: ${st.topology.pods.map((p) => p.key).join(', ')})`);
  const cname = container ?? pod.containers[0]!.name;
  if (!pod.containers.some((c) => c.name === cname)) throw new Error(`pod ${key} has no container "${cname}" (containers: ${pod.containers.map((c) => c.name).join(', ')})`);
  const f = ctx.runtime.logPath(runtimeContext(ctx, cluster), pod, cname);
  return { text: (await ctx.exec.files.read(f)) ?? '' };
}
