// httpGet and tcpSocket probes (and httpGet hooks) from the pod's node, as kubelet runs them: one prober.py process
// for the whole lab, started on first use, answering many probes at once (a thread each, in the node's namespace).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { PYTHON } from '../../kernel/python.js';

export const PROBER_PY = fileURLToPath(new URL('../../../src/workload/lifecycle/prober.py', import.meta.url));

export interface ProbeOutcome {
  readonly ok: boolean;
  readonly message: string;
}

export interface HttpTarget { readonly host: string; readonly port: number; readonly path: string; readonly scheme: 'HTTP' | 'HTTPS'; readonly headers: readonly { readonly name: string; readonly value: string }[] }

export interface Prober {
  http(netns: string, t: HttpTarget, timeoutMs: number): Promise<ProbeOutcome>;
  tcp(netns: string, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome>;
  close(): void;
}

/** The real prober: prober.py in the host's root namespace (it enters the node namespaces itself). */
export class NetnsProber implements Prober {
  private child?: ChildProcess;
  private seq = 0;
  private waiting = new Map<number, (o: ProbeOutcome) => void>();

  private proc(): ChildProcess {
    if (this.child && this.child.exitCode === null && !this.child.killed) return this.child;
    const c = spawn(PYTHON, [PROBER_PY], { stdio: ['pipe', 'pipe', 'inherit'] });
    c.on('error', () => undefined);
    c.on('exit', () => {
      for (const [, r] of this.waiting) r({ ok: false, message: 'prober exited' });
      this.waiting.clear();
    });
    createInterface({ input: c.stdout! }).on('line', (l) => {
      try {
        const m = JSON.parse(l) as { id: number; ok: boolean; message: string };
        const r = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        r?.({ ok: m.ok, message: m.message });
      } catch {
        /* not ours */
      }
    });
    c.unref();
    (c.stdin as unknown as { unref?: () => void }).unref?.();
    (c.stdout as unknown as { unref?: () => void }).unref?.();
    this.child = c;
    return c;
  }

  private ask(req: Record<string, unknown>, timeoutMs: number): Promise<ProbeOutcome> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      // The prober's own timeout is the probe's; this one only guards against a stuck helper.
      const guard = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ ok: false, message: `probe did not answer in ${timeoutMs + 2000} ms` });
      }, timeoutMs + 2000);
      guard.unref();
      this.waiting.set(id, (o) => {
        clearTimeout(guard);
        resolve(o);
      });
      this.proc().stdin!.write(JSON.stringify({ id, ...req, timeout: timeoutMs / 1000 }) + '\n');
    });
  }

  http(netns: string, t: HttpTarget, timeoutMs: number): Promise<ProbeOutcome> {
    return this.ask({ kind: 'http', netns, host: t.host, port: t.port, path: t.path, scheme: t.scheme, headers: t.headers.map((h) => [h.name, h.value]) }, timeoutMs);
  }

  tcp(netns: string, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
    return this.ask({ kind: 'tcp', netns, host, port }, timeoutMs);
  }

  close(): void {
    this.child?.stdin?.end();
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }
}
