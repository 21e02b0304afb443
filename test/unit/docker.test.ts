// The Docker engine layer without an engine: engine errors, image names and the missing-image message, the busybox
// rootfs tar, ELF linkage, labels and names, command/args mapping, Kubernetes container states, log demux.
import t from 'tap';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import tar from 'tar-stream';
import {
  connectEngine, socketOf, EngineError, splitRef, refProblem, ImageMissingError, elfLinkage, containerName, labelsFor, LABEL,
  entrypointCmd, toContainerState, finishedAfterStart, demux, sandboxSpecProblems, type Busybox,
} from '../../src/workload/docker/index.js';
import { busyboxRootfs, pauseRootfs, appletLinks } from '../../src/workload/docker/rootfs.js';
import { labelFilter } from '../../src/workload/docker/labels.js';
import { dockerRuntime } from '../../src/workload/docker/runtime.js';
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';
import { effectiveRuntime } from '../../src/input/podspec.js';
import { dockerPods } from '../../src/lab/docker.js';
import { nodeNetns } from '../../src/net/names.js';

t.test('engine: a missing, non-socket, stale or remote DOCKER_HOST is a clear error naming what to do', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podlab-docker-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const none = await connectEngine({ host: `unix://${dir}/docker.sock` }).catch((e) => e);
  t.type(none, EngineError);
  t.match(none.message, new RegExp(`no Docker engine: ${dir}/docker.sock does not exist`));
  t.match(none.message, /scripts\/dockerd\.sh start.*--iptables=false.*--bridge=none.*DOCKER_HOST=unix:\/\//);
  writeFileSync(join(dir, 'file'), '');
  t.match((await connectEngine({ host: `unix://${dir}/file` }).catch((e) => e)).message, /is not a socket/);
  // A socket nobody listens on (the engine died and left it).
  await execa('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind('${dir}/stale.sock')`]);
  const stale = await connectEngine({ host: `unix://${dir}/stale.sock` }).catch((e) => e);
  t.match(stale.message, /is unreachable: nothing listens on it \(a stale socket: the engine is not running\)/);
  t.match((await connectEngine({ host: 'tcp://10.0.0.1:2375' }).catch((e) => e)).message, /needs the engine on this host through a unix socket.*\/proc\/<pid>\/ns\/net/);
  t.same(socketOf(undefined), { socketPath: '/var/run/docker.sock', host: 'unix:///var/run/docker.sock' });
  t.same(socketOf('unix:///run/x.sock'), { socketPath: '/run/x.sock', host: 'unix:///run/x.sock' });
});

t.test('image names: split, validated; the missing-image message lists every image and how to provide it', async (t) => {
  t.same(splitRef('podlab/busybox'), { repo: 'podlab/busybox', tag: 'latest' });
  t.same(splitRef('localhost:5000/app:v1'), { repo: 'localhost:5000/app', tag: 'v1' });
  t.same(splitRef('localhost:5000/app'), { repo: 'localhost:5000/app', tag: 'latest' });
  t.equal(refProblem('podlab/busybox:latest'), undefined);
  t.match(refProblem('Podlab/Busybox'), /not a valid image name/);
  t.match(refProblem('x:bad tag'), /tag "bad tag" is not valid/);
  const e = new ImageMissingError([{ image: 'nginx:1.27', where: 'a.yaml:3: Pod x/a spec.containers[0].image' }, { image: 'nginx:1.27', where: 'a.yaml:9: Pod x/b spec.containers[0].image' }], 'unix:///run/d.sock');
  t.match(e.message, /^an image is missing:\n/);
  t.match(e.message, /a\.yaml:3: Pod x\/a .*image "nginx:1\.27" is not in the Docker engine at unix:\/\/\/run\/d\.sock/);
  t.match(e.message, /a\.yaml:9: Pod x\/b/);
  t.equal(e.message.match(/provide it with/g)?.length, 1, 'the hint once per image');
});

t.test('ELF linkage: static busybox-static vs a dynamic binary', async (t) => {
  const elf = (type: number) => {
    const b = Buffer.alloc(64 + 56);
    b.writeUInt32BE(0x7f454c46, 0);
    b[4] = 2; b[5] = 1; // ELF64, little-endian
    b.writeBigUInt64LE(64n, 32); // e_phoff
    b.writeUInt16LE(56, 54); // e_phentsize
    b.writeUInt16LE(1, 56); // e_phnum
    b.writeUInt32LE(type, 64); // p_type
    return b;
  };
  t.equal(elfLinkage(elf(1)), 'static', 'PT_LOAD only');
  t.equal(elfLinkage(elf(3)), 'dynamic', 'PT_INTERP');
  t.equal(elfLinkage(Buffer.from('#!/bin/sh\necho hi\n')), 'not-elf');
});

async function entries(buf: Buffer): Promise<Map<string, { type: string; mode: number; linkname?: string; body: string }>> {
  const x = tar.extract();
  const out = new Map<string, { type: string; mode: number; linkname?: string; body: string }>();
  x.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => { out.set(h.name, { type: h.type ?? '', mode: h.mode ?? 0, ...(h.linkname ? { linkname: h.linkname } : {}), body: Buffer.concat(chunks).toString() }); next(); });
    stream.resume();
  });
  const done = new Promise((r) => x.on('finish', r));
  x.end(buf);
  await done;
  return out;
}

t.test('the busybox rootfs: the binary, a link per applet, users, hosts, sticky /tmp; the pause rootfs: busybox alone', async (t) => {
  const bb: Busybox = {
    path: '/bin/busybox', version: '1.35.0', banner: 'BusyBox v1.35.0 (test) multi-call binary.', sha256: 'x',
    applets: ['bin/busybox', 'bin/sh', 'usr/bin/wget', 'usr/sbin/httpd', 'bin/sh'], content: Buffer.from('\x7fELF-not-really'), mtime: new Date(1_700_000_000_000),
  };
  t.same(appletLinks(bb), ['bin/sh', 'usr/bin/wget', 'usr/sbin/httpd'], 'busybox itself is not a link; duplicates once');
  const e = await entries(await busyboxRootfs(bb));
  t.equal(e.get('bin/busybox')?.body, '\x7fELF-not-really');
  t.equal(e.get('bin/busybox')?.mode, 0o755);
  t.same([e.get('bin/sh')?.type, e.get('bin/sh')?.linkname], ['symlink', '/bin/busybox']);
  t.equal(e.get('usr/sbin/httpd')?.linkname, '/bin/busybox');
  t.match(e.get('etc/passwd')?.body, /^root:x:0:0:root:\/root:\/bin\/sh$/m);
  t.match(e.get('etc/passwd')?.body, /^nobody:x:65534:/m);
  t.match(e.get('etc/hosts')?.body, /^127\.0\.0\.1\tlocalhost$/m);
  t.equal(e.get('tmp')?.mode, 0o1777);
  t.match(e.get('etc/os-release')?.body, /VERSION_ID=1\.35\.0/);
  const p = await entries(await pauseRootfs(bb));
  t.same([...p.keys()].sort(), ['bin', 'bin/busybox', 'dev', 'etc', 'proc', 'sys']);
  const again = await busyboxRootfs(bb);
  t.ok(again.equals(await busyboxRootfs(bb)), 'the same busybox gives the same tar byte for byte');
});

t.test('labels and names: podlab.* labels on everything, dockershim-shaped names', async (t) => {
  const r = { cluster: 'demo', namespace: 'shop', pod: 'web-1' };
  t.same(labelsFor(r, 'container', 'nginx', { [LABEL.attempt]: '2' }), {
    'podlab.cluster': 'demo', 'podlab.pod': 'shop/web-1', 'podlab.container': 'nginx', 'podlab.role': 'container', 'podlab.attempt': '2',
  });
  t.equal(containerName(r, 'nginx', 2), 'pl-demo_nginx_web-1_shop_2');
  t.equal(containerName(r, 'POD', 0), 'pl-demo_POD_web-1_shop_0');
  t.same(labelFilter({ a: '1', b: undefined, c: 'x' }), { label: ['a=1', 'c=x'] });
  t.same(sandboxSpecProblems({ ...r, netns: 'pl-demo-shop-web-1', hostname: 'web-1' }), []);
  const bad = sandboxSpecProblems({ ...r, netns: 'pl-other-x', hostname: 'Web_1', hostAliases: [{ ip: '1.2.3.4', hostnames: ['a b'] }] });
  t.match(bad.join('\n'), /netns: "pl-other-x" must start with pl-demo-/);
  t.match(bad.join('\n'), /hostname: "Web_1" is not a DNS label/);
  t.match(bad.join('\n'), /hostAliases: "a b" is not a host name/);
});

t.test('command/args → Entrypoint/Cmd as Kubernetes defines them', async (t) => {
  t.same(entrypointCmd({}), {}, 'neither: the image\'s ENTRYPOINT and CMD');
  t.same(entrypointCmd({ command: ['httpd', '-f'] }), { Entrypoint: ['httpd', '-f'] }, 'command: replaces ENTRYPOINT, the image CMD is dropped by the engine');
  t.same(entrypointCmd({ args: ['-p', '80'] }), { Cmd: ['-p', '80'] }, 'args: the image\'s ENTRYPOINT with these arguments');
  t.same(entrypointCmd({ command: ['sh', '-c'], args: ['echo hi'] }), { Entrypoint: ['sh', '-c'], Cmd: ['echo hi'] });
});

t.test('Docker states in Kubernetes words', async (t) => {
  const base = { Running: false, OOMKilled: false, ExitCode: 0, Error: '', StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' };
  t.same(toContainerState({ ...base, Status: 'created' }), { waiting: { reason: 'ContainerCreating' } });
  t.same(toContainerState({ ...base, Status: 'running', Running: true, StartedAt: '2026-01-01T00:00:01.5Z' }), { running: { startedAt: '2026-01-01T00:00:01.5Z' } });
  const times = { StartedAt: '2026-01-01T00:00:01Z', FinishedAt: '2026-01-01T00:00:02Z' };
  t.same(toContainerState({ ...base, ...times, Status: 'exited' }), { terminated: { exitCode: 0, reason: 'Completed', startedAt: times.StartedAt, finishedAt: times.FinishedAt } });
  t.same(toContainerState({ ...base, ...times, Status: 'exited', ExitCode: 3 }), { terminated: { exitCode: 3, reason: 'Error', startedAt: times.StartedAt, finishedAt: times.FinishedAt } });
  t.equal((toContainerState({ ...base, ...times, Status: 'exited', ExitCode: 137, OOMKilled: true }) as { terminated: { reason: string } }).terminated.reason, 'OOMKilled');
  const early = { StartedAt: '2026-12-01T20:56:36.018807004Z', FinishedAt: '2026-12-01T20:56:36.017874334Z' }; // as dockerd 20.10 recorded `exit 3`
  t.same(toContainerState({ ...base, ...early, Status: 'exited', ExitCode: 3 }), { terminated: { exitCode: 3, reason: 'Error', startedAt: early.StartedAt, finishedAt: early.StartedAt } }, 'finish never before start');
  t.equal(finishedAfterStart('2026-01-01T00:00:01.5Z', '2026-01-01T00:00:01.49999Z'), '2026-01-01T00:00:01.5Z', 'fractions of any length');
  t.equal(finishedAfterStart('2026-01-01T00:00:01.5Z', '2026-01-01T00:00:01.50001Z'), '2026-01-01T00:00:01.50001Z');
  t.same(toContainerState({ ...base, Status: 'created', ExitCode: 127, Error: 'exec: "x": executable file not found in $PATH' }), {
    terminated: { exitCode: 127, reason: 'ContainerCannotRun', message: 'exec: "x": executable file not found in $PATH' },
  });
});

t.test('log demux: stdout and stderr frames in order; a TTY log is plain', async (t) => {
  const frame = (k: number, s: string) => Buffer.concat([Buffer.from([k, 0, 0, 0]), (() => { const b = Buffer.alloc(4); b.writeUInt32BE(Buffer.byteLength(s)); return b; })(), Buffer.from(s)]);
  const f = demux(Buffer.concat([frame(1, 'out1\n'), frame(2, 'err\n'), frame(1, 'out2\n')]));
  t.same(f.map((x) => [x.stream, x.data.toString()]), [['stdout', 'out1\n'], ['stderr', 'err\n'], ['stdout', 'out2\n']]);
  t.same(demux(Buffer.from('plain text\n')).map((x) => [x.stream, x.data.toString()]), [['stdout', 'plain text\n']]);
  t.same(demux(Buffer.alloc(0)), []);
});

t.test('hostNetwork pods never go through Docker: process pods in their node\'s namespace, with a notice', async (t) => {
  const lab = (annotation = '', clusterRuntime = 'docker') => `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: dkh}
spec:
  runtime: ${clusterRuntime}
  nodes: [{name: node1}]
---
apiVersion: v1
kind: Pod
metadata: {name: hn, namespace: default${annotation ? `, annotations: {podlab.io/runtime: ${annotation}}` : ''}}
spec:
  hostNetwork: true
  containers: [{name: c, image: podlab/busybox:latest, ports: [{containerPort: 9100}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: box, namespace: default}
spec:
  containers: [{name: c, image: podlab/busybox:latest, command: [sleep, '3600']}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: c, image: podlab/busybox:latest, ports: [{containerPort: 9200}]}]
`;
  const parsed = parseLabFiles([{ file: 'lab.yaml', text: lab(), dir: '/tmp' }]);
  const tp = resolveLab(parsed);
  const rt = (n: string) => tp.pods.find((p) => p.name === n || p.name.startsWith(`${n}-`))!;
  t.equal(rt('hn').runtime, undefined, 'the hostNetwork pod is a process pod');
  t.equal(rt('hn').netns, nodeNetns('dkh', 'node1'), 'in its node\'s namespace');
  t.equal(rt('agent').runtime, undefined, 'a DaemonSet\'s hostNetwork pods too');
  t.equal(rt('box').runtime, 'docker', 'the other pods run in Docker');
  t.same(dockerPods(parsed).map((p) => p.name), ['box'], 'only the docker pods need an engine and images');
  const notices = parsed.notices.filter((n) => /hostNetwork/.test(n));
  t.equal(notices.length, 2, notices.join('\n'));
  t.match(notices[0], /^lab\.yaml:\d+: Pod default\/hn: a hostNetwork pod runs as a process pod in its node's namespace, not in Docker/);
  t.match(notices[1], /DaemonSet default\/agent: a hostNetwork pod runs as a process pod/);
  // Asked by the annotation alone; and no notice where nothing asked for docker.
  const byAnn = parseLabFiles([{ file: 'lab.yaml', text: lab('docker', 'process'), dir: '/tmp' }]);
  t.equal(byAnn.notices.filter((n) => /Pod default\/hn: a hostNetwork pod/.test(n)).length, 1);
  t.equal(resolveLab(byAnn).pods.find((p) => p.name === 'hn')!.runtime, undefined);
  t.equal(parseLabFiles([{ file: 'lab.yaml', text: lab('', 'process'), dir: '/tmp' }]).notices.filter((n) => /hostNetwork pod runs/.test(n)).length, 0);
  t.equal(effectiveRuntime({ hostNetwork: true, runtime: 'docker' }, { runtime: 'docker' }), 'process');
  t.equal(effectiveRuntime({ system: 'dns' }, { runtime: 'docker' }), undefined, 'system pods are run by their component');
  t.equal(effectiveRuntime({}, { runtime: 'docker' }), 'docker');
  // The docker runtime itself never takes one (and so never links a sandbox under a node's name).
  t.equal(dockerRuntime.makesNetns({ ...rt('box'), hostNetwork: true }), false);
  t.equal(dockerRuntime.makesNetns(rt('box')), true);
});
