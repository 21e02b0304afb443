// The pod lifecycle without a kernel: kubelet's decisions (machine.ts) and the supervisor that runs them, against a
// scripted in-memory runtime and a clock the test moves — init order, native sidecars, restart policies and phases,
// kubelet's back-off (at once, then initial doubling to max, reset after a long run), readiness counted with its
// thresholds, liveness restarts and the sidecars stopped after the app.
import t from 'tap';
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';
import type { PodT } from '../../src/model/topology.js';
import type { ContainerRef, ContainerState, Observed, RuntimeContext, StartItem, WorkloadRuntime } from '../../src/workload/types.js';
import { Backoff, goDuration } from '../../src/workload/lifecycle/backoff.js';
import { FakeClock, iso } from '../../src/workload/lifecycle/clock.js';
import { decide } from '../../src/workload/lifecycle/machine.js';
import { ProbeCounter } from '../../src/workload/lifecycle/probes.js';
import { Supervisor } from '../../src/workload/lifecycle/supervisor.js';
import { FakeExecutor } from '../../src/kernel/fake.js';

const CLUSTER = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: demo}
spec:
  podCIDR: 10.244.0.0/16
  underlay: 172.18.0.0/24
  nodes: [{name: node1}]
`;

function pods(yaml: string): PodT[] {
  const lab = parseLabFiles([{ file: 'lab.yaml', text: CLUSTER + '---\n' + yaml, dir: '/tmp' }]);
  return [...resolveLab(lab).pods];
}

/** A runtime that only remembers: started instances run until the test ends them. */
class ScriptedRuntime implements WorkloadRuntime {
  readonly name = 'scripted';
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  readonly inst = new Map<string, Observed>();
  probeOk = new Map<string, boolean>();
  constructor(readonly clock: FakeClock) {}
  async sync() {
    return { records: [], changes: 0, problems: [] };
  }
  async start(_: RuntimeContext, items: readonly StartItem[]) {
    for (const i of items) {
      const k = `${i.pod.key}/${i.container.name}`;
      const prev = this.inst.get(k);
      this.started.push(`${i.container.name}#${i.attempt}`);
      this.inst.set(k, { attempt: i.attempt, state: { running: { startedAt: iso(this.clock.now()) } }, ...(prev ? { lastState: prev.state } : {}) });
    }
    return [];
  }
  async observe(_: RuntimeContext, ps: readonly PodT[]) {
    return new Map([...this.inst].filter(([k]) => ps.some((p) => k.startsWith(p.key + '/'))));
  }
  /** The container's process ends with this code now. */
  exit(pod: string, c: string, code: number): void {
    const k = `${pod}/${c}`;
    const o = this.inst.get(k)!;
    const startedAt = 'running' in o.state ? o.state.running.startedAt : iso(this.clock.now());
    const state: ContainerState = { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt, finishedAt: iso(this.clock.now()) } };
    this.inst.set(k, { ...o, state });
  }
  async stop(_: RuntimeContext, r: ContainerRef) {
    this.stopped.push(r.container.name);
    if ('running' in (this.inst.get(`${r.pod.key}/${r.container.name}`)?.state ?? {})) this.exit(r.pod.key, r.container.name, 137);
  }
  async exec(_: RuntimeContext, r: ContainerRef) {
    const ok = this.probeOk.get(r.container.name) ?? true;
    return { exitCode: ok ? 0 : 1, stdout: '', stderr: '', timedOut: false };
  }
  async execArgv() {
    return [];
  }
  async logs() {
    return '';
  }
  async followLogs() {}
  owns() {
    return true;
  }
}

const ctx: RuntimeContext = { exec: new FakeExecutor(), dir: '/tmp/x', cluster: 'demo' };

function setup(yaml: string, backoff = { initialSeconds: 10, maxSeconds: 300, resetSeconds: 600 }) {
  const clock = new FakeClock();
  const rt = new ScriptedRuntime(clock);
  const sup = new Supervisor({ runtime: rt, ctx, clock, backoff, pollMs: 1_000_000 });
  const ps = pods(yaml);
  sup.update({ pods: ps, nodes: [{ name: 'node1', netns: 'pl-demo-node1' }] } as never);
  return { clock, rt, sup, pod: ps[0]! };
}

t.test('back-off: the first restart at once, then 10 s doubling to 5 min, reset after 10 minutes', async (t) => {
  const b = new Backoff();
  const k = 'p/c';
  let now = 0;
  t.notOk(b.inBackoffSince(k, now, now), 'no entry: restart at once');
  b.next(k, now, now);
  const waits: string[] = [];
  for (let i = 0; i < 7; i++) {
    waits.push(goDuration(b.get(k)));
    now = b.until(k, now);
    t.notOk(b.inBackoffSince(k, now - b.get(k), now));
    b.next(k, now, now);
  }
  t.same(waits, ['10s', '20s', '40s', '1m20s', '2m40s', '5m0s', '5m0s']);
  t.notOk(b.inBackoffSince(k, now + 601_000, now + 601_000), 'an instance that ran over 10 minutes restarts at once');
});

t.test('probe thresholds: readiness starts failing, changes after successThreshold / failureThreshold in a row', async (t) => {
  const c = new ProbeCounter('readiness', { action: { type: 'exec', command: ['x'] }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 2, failureThreshold: 3 });
  t.equal(c.result, 'Failure');
  t.same([c.record(true), c.record(true)], [undefined, 'Success']);
  t.same([c.record(false), c.record(false), c.record(true), c.record(false), c.record(false), c.record(false)], [undefined, undefined, undefined, undefined, undefined, 'Failure']);
});

t.test('init containers one after another, the sidecar before the app; phases and kubectl columns', async (t) => {
  const { rt, sup, pod } = setup(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: a, command: [x]}
    - {name: b, command: [x]}
    - {name: side, restartPolicy: Always, command: [x]}
  containers: [{name: app, command: [x]}]
`);
  await sup.pass();
  t.same(rt.started, ['a#0']);
  t.equal(sup.status(pod.key)!.display.status, 'Init:0/3');
  t.equal(sup.status(pod.key)!.phase, 'Pending');
  await sup.pass();
  t.same(rt.started, ['a#0'], 'nothing more while a runs');
  rt.exit(pod.key, 'a', 0);
  await sup.pass();
  t.same(rt.started, ['a#0', 'b#0']);
  rt.exit(pod.key, 'b', 0);
  await sup.pass();
  t.same(rt.started.slice(2), ['side#0'], 'the sidecar starts, the app not yet');
  await sup.pass();
  t.same(rt.started.slice(3), ['app#0'], 'the app once the sidecar runs');
  await sup.pass();
  const s = sup.status(pod.key)!;
  t.equal(s.phase, 'Running');
  t.equal(s.display.ready, '2/2', 'READY counts the sidecar, as kubectl does');
  t.same(s.conditions.filter((c) => c.status === 'True').map((c) => c.type).sort(), ['ContainersReady', 'Initialized', 'PodScheduled', 'Ready']);
});

t.test('runOnce (up without a supervisor) waits through containers made but not yet started: a slow shim under load', async (t) => {
  const { clock, rt, sup, pod } = setup(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: a, command: [x]}
    - {name: side, restartPolicy: Always, command: [x]}
  containers: [{name: app, command: [x]}]
`);
  // Each instance reads as ContainerCreating for two observations before it runs; an init container ends on the next.
  const seen = new Map<string, number>();
  const observe = rt.observe.bind(rt);
  rt.observe = async (c, ps) => {
    for (const [k, o] of rt.inst) {
      const n = (seen.get(`${k}#${o.attempt}`) ?? 0) + 1;
      seen.set(`${k}#${o.attempt}`, n);
      if (n <= 2 && 'running' in o.state) rt.inst.set(k, { ...o, state: { waiting: { reason: 'ContainerCreating' } } });
      else if (n === 3) rt.inst.set(k, { ...o, state: { running: { startedAt: iso(clock.now()) } } });
      else if (n === 4 && k.endsWith('/a')) rt.exit(pod.key, 'a', 0);
    }
    return observe(c, ps);
  };
  let done = false;
  const run = sup.runOnce({ pods: [pod], nodes: [{ name: 'node1', netns: 'pl-demo-node1' }] } as never, 60_000).finally(() => (done = true));
  for (let i = 0; i < 500 && !done; i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(100);
  }
  const reports = await run;
  t.same(rt.started, ['a#0', 'side#0', 'app#0'], 'every container started, in order');
  t.equal(reports[0]!.display.status, 'Running');
});

t.test('a failing init container under Never fails the pod; under Always it is retried with back-off', async (t) => {
  const never = setup(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: Never
  initContainers: [{name: a, command: [x]}]
  containers: [{name: app, command: [x]}]
`);
  await never.sup.pass();
  never.rt.exit(never.pod.key, 'a', 1);
  await never.sup.pass();
  t.equal(never.sup.status(never.pod.key)!.phase, 'Failed');
  t.equal(never.sup.status(never.pod.key)!.display.status, 'Init:Error');
  t.same(never.rt.started, ['a#0'], 'the app never starts');

  const always = setup(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: a, command: [x]}]
  containers: [{name: app, command: [x]}]
`);
  await always.sup.pass();
  always.rt.exit(always.pod.key, 'a', 1);
  await always.sup.pass();
  t.same(always.rt.started, ['a#0', 'a#1'], 'the first restart at once');
  always.rt.exit(always.pod.key, 'a', 1);
  await always.sup.pass();
  t.equal(always.sup.status(always.pod.key)!.display.status, 'Init:CrashLoopBackOff');
  t.equal(always.sup.status(always.pod.key)!.phase, 'Pending');
  always.clock.advance(9_000);
  await always.sup.pass();
  t.equal(always.rt.started.length, 2, 'still backing off after 9 s');
  always.clock.advance(1_000);
  await always.sup.pass();
  t.same(always.rt.started, ['a#0', 'a#1', 'a#2'], 'restarted 10 s after it ended');
});

t.test('restartPolicy: Always restarts a completed container, OnFailure only a failed one, Never none', async (t) => {
  const run = async (policy: string, code: number) => {
    const s = setup(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: ${policy}
  containers: [{name: app, command: [x]}]
`);
    await s.sup.pass();
    s.rt.exit(s.pod.key, 'app', code);
    await s.sup.pass();
    await s.sup.pass();
    return { starts: s.rt.started.length, phase: s.sup.status(s.pod.key)!.phase, status: s.sup.status(s.pod.key)!.display.status };
  };
  t.same(await run('Always', 0), { starts: 2, phase: 'Running', status: 'Running' });
  t.same(await run('OnFailure', 0), { starts: 1, phase: 'Succeeded', status: 'Completed' });
  t.same(await run('OnFailure', 2), { starts: 2, phase: 'Running', status: 'Running' });
  t.same(await run('Never', 0), { starts: 1, phase: 'Succeeded', status: 'Completed' });
  t.same(await run('Never', 2), { starts: 1, phase: 'Failed', status: 'Error' });
});

t.test('sidecars are stopped after the app is done, last started first', async (t) => {
  const { rt, sup, pod } = setup(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: Never
  initContainers:
    - {name: s1, restartPolicy: Always, command: [x]}
    - {name: s2, restartPolicy: Always, command: [x]}
  containers: [{name: app, command: [x]}]
`);
  for (let i = 0; i < 4; i++) await sup.pass();
  t.same(rt.started, ['s1#0', 's2#0', 'app#0']);
  rt.exit(pod.key, 'app', 0);
  await sup.pass();
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  await sup.pass();
  t.same(rt.stopped, ['s2', 's1']);
  t.equal(sup.status(pod.key)!.phase, 'Succeeded');
  t.same(rt.started, ['s1#0', 's2#0', 'app#0'], 'nothing restarted');
  await sup.stop();
});

t.test('readiness and liveness: an unready container makes the pod not Ready; a failed liveness probe restarts it', async (t) => {
  const { clock, rt, sup, pod } = setup(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      command: [x]
      readinessProbe: {exec: {command: [r]}, periodSeconds: 1, failureThreshold: 2}
    - name: live
      command: [x]
      livenessProbe: {exec: {command: [l]}, periodSeconds: 1, failureThreshold: 1}
`);
  const readyEvents: boolean[] = [];
  sup.on('ready', (r: { ready: boolean }) => readyEvents.push(r.ready));
  await sup.pass();
  await sup.pass();
  t.notOk(sup.status(pod.key)!.ready, 'not Ready before the first readiness probe');
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await sup.pass();
  };
  clock.advance(0);
  await settle();
  t.ok(sup.status(pod.key)!.ready, 'Ready after one success');
  rt.probeOk.set('app', false);
  clock.advance(1000);
  await settle();
  t.ok(sup.status(pod.key)!.ready, 'one failure of two: still Ready');
  clock.advance(1000);
  await settle();
  t.notOk(sup.status(pod.key)!.ready, 'two failures in a row: not Ready');
  t.same(readyEvents, [false, true, false], 'told: not ready at first, ready, not ready');
  rt.probeOk.set('live', false);
  clock.advance(1000);
  await settle();
  await settle();
  t.ok(rt.stopped.includes('live'), 'the liveness failure stopped the container');
  t.ok(rt.started.includes('live#1'), 'and it was started again');
  await sup.stop();
});

t.test('down stops the lab\'s podlab supervise by its heartbeat: only a live supervise process of this host, SIGTERM then SIGKILL', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { tmpdir, hostname } = await import('node:os');
  const { join } = await import('node:path');
  const { spawn } = await import('node:child_process');
  const { LocalExecutor } = await import('../../src/substrate/local.js');
  const { stopOtherSupervisor } = await import('../../src/lab/lifecycle.js');
  const dir = mkdtempSync(join(tmpdir(), 'podlab-unit-sup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const rctx: RuntimeContext = { exec: new LocalExecutor(), dir, cluster: 'x' };
  mkdirSync(join(dir, 'lifecycle'));
  const beat = (pid: number, by = 'podlab supervise', host = hostname()) => writeFileSync(join(dir, 'lifecycle', 'supervisor.json'), JSON.stringify({ pid, host, since: new Date().toISOString(), beat: new Date().toISOString(), by }));
  // Stand-ins whose command line is a supervise's (or not); one ignores SIGTERM.
  const proc = (argv: string[]) => {
    const p = spawn('python3', argv, { stdio: 'ignore' });
    const exited = new Promise<string | null>((r) => p.on('exit', (_c, sig) => r(sig)));
    t.teardown(() => { if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); });
    return { pid: p.pid!, exited, alive: () => p.exitCode === null && p.signalCode === null };
  };
  const sleeper = ['-c', 'import time; time.sleep(60)'];
  await new Promise((r) => setTimeout(r, 200));
  t.equal(await stopOtherSupervisor(rctx), undefined, 'no heartbeat: nothing');
  const other = proc([...sleeper, 'not-it']);
  beat(other.pid);
  t.equal(await stopOtherSupervisor(rctx), undefined, 'a pid that is no supervise (reused) is left alone');
  t.ok(other.alive());
  const daemon = proc([...sleeper, 'supervise']);
  beat(daemon.pid, 'daemon');
  t.equal(await stopOtherSupervisor(rctx), undefined, 'the daemon stops its own supervisor');
  beat(daemon.pid, 'podlab supervise', 'elsewhere');
  t.equal(await stopOtherSupervisor(rctx), undefined, 'another host\'s process is not ours to signal');
  t.ok(daemon.alive());
  const sup = proc([...sleeper, 'supervise']);
  await new Promise((r) => setTimeout(r, 200));
  beat(sup.pid);
  t.same(await stopOtherSupervisor(rctx), { pid: sup.pid, by: 'podlab supervise' });
  t.equal(await sup.exited, 'SIGTERM', 'stopped by SIGTERM');
  const stubborn = proc(['-c', 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)', 'supervise']);
  await new Promise((r) => setTimeout(r, 300));
  beat(stubborn.pid);
  t.same(await stopOtherSupervisor(rctx, { graceMs: 300 }), { pid: stubborn.pid, by: 'podlab supervise', killed: true });
  t.equal(await stubborn.exited, 'SIGKILL', 'killed after the grace');
});
