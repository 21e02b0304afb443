// Resync: make the kernel and the processes hold again what was last applied to a lab — its state's topology, not the
// files as they are now on disk (an edited file takes effect with `podlab up`, not behind the user's back). The
// daemon's reconcile loop calls it on a period and when the kernel reports drift; it reads the kernel each time.
import { labContext, type LabContext } from './context.js';
import { desiredOf, provenanceOf, reconcile, type Desired, type UpResult } from './reconcile.js';
import { labState } from './targets.js';

export interface ResyncOptions extends Partial<LabContext> {
  /** Read back only these namespaces (drift was heard of there); others are taken as holding their plan. */
  readonly scope?: ReadonlySet<string>;
  /** The desired state, when the caller keeps it (it must be desiredOf the lab's current state). */
  readonly desired?: Desired;
}

export async function resync(cluster: string, o: ResyncOptions = {}): Promise<UpResult> {
  const ctx = labContext(o);
  const st = await labState(ctx, cluster);
  // A process of ours still running in a namespace that was deleted (it keeps it alive, unnamed) is stopped: its
  // namespace is made again and the process with it.
  for (const p of st.processes) if (ctx.exec.alive(p.pid) && !ctx.exec.alive(p.pid, p.netns)) ctx.exec.signal(p.pid, 'SIGKILL');
  // A state that was never marked converged is a change that was cut short: read everything back, roll it forward.
  return reconcile(ctx, o.desired ?? desiredOf(st), st, provenanceOf(st), { scope: st.converged ? o.scope : undefined, keepFaults: true });
}
