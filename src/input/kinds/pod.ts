// kind: Pod (v1): the pods of the lab — metadata, nodeName, hostname/subdomain, DNS policy, service links, containers
// (command, env, ports, workingDir).
import type { ContainerPort, ContainerSpec, DnsPolicy, PodSpec, Protocol } from '../types.js';
import type { Path, RawDoc } from '../doc.js';
import { bool, checkKeys, int, isObj, labels, str, DNS_LABEL, DNS_SUBDOMAIN, PROTOCOLS } from '../fields.js';

const DNS_POLICIES: readonly DnsPolicy[] = ['ClusterFirst', 'Default'];

/** Kubernetes fields accepted and ignored by this runtime (a notice is printed). */
const IGNORED_CONTAINER_FIELDS = ['image', 'imagePullPolicy', 'resources', 'readinessProbe', 'livenessProbe', 'startupProbe'];

export function parsePod(d: RawDoc, notices: string[]): PodSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  checkKeys(ctx, obj, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (obj.apiVersion !== 'v1') ctx.err(['apiVersion'], `must be "v1" for a Pod, got ${JSON.stringify(obj.apiVersion)}`);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!isObj(obj.metadata)) ctx.err(['metadata'], 'is required');
  checkKeys(ctx, meta, ['metadata'], ['name', 'namespace', 'labels', 'annotations']);
  const name = str(ctx, meta.name, ['metadata', 'name'], { required: true, re: DNS_SUBDOMAIN, what: 'a Pod name (lower-case DNS subdomain)', max: 253 });
  const namespace = str(ctx, meta.namespace, ['metadata', 'namespace'], { re: DNS_LABEL, what: 'a namespace name (DNS label)', max: 63 }) ?? 'default';
  const lbls = labels(ctx, meta.labels, ['metadata', 'labels']);
  const spec = obj.spec;
  if (!isObj(spec)) {
    ctx.err(['spec'], 'is required (spec.containers lists what runs in the pod)');
    return undefined;
  }
  checkKeys(ctx, spec, ['spec'], ['nodeName', 'containers', 'restartPolicy', 'terminationGracePeriodSeconds', 'hostname', 'subdomain', 'enableServiceLinks', 'dnsPolicy']);
  const nodeName = str(ctx, spec.nodeName, ['spec', 'nodeName']);
  const hostname = str(ctx, spec.hostname, ['spec', 'hostname'], { re: DNS_LABEL, what: 'a hostname (DNS label)', max: 63 });
  const subdomain = str(ctx, spec.subdomain, ['spec', 'subdomain'], { re: DNS_LABEL, what: 'a subdomain (DNS label: the name of a headless Service)', max: 63 });
  const enableServiceLinks = bool(ctx, spec.enableServiceLinks, ['spec', 'enableServiceLinks']) ?? true;
  const dnsPolicy = (spec.dnsPolicy ?? 'ClusterFirst') as string;
  if (!DNS_POLICIES.includes(dnsPolicy as DnsPolicy)) {
    ctx.err(['spec', 'dnsPolicy'], dnsPolicy === 'None' || dnsPolicy === 'ClusterFirstWithHostNet'
      ? `dnsPolicy "${dnsPolicy}" is not supported by this version of podlab (supported: ${DNS_POLICIES.join(', ')})`
      : `unknown dnsPolicy "${dnsPolicy}" (one of: ${DNS_POLICIES.join(', ')})`);
  }
  const containers: ContainerSpec[] = [];
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) ctx.err(['spec', 'containers'], 'at least one container is required');
  else {
    const cnames = new Set<string>();
    const ports = new Map<string, string>();
    spec.containers.forEach((c: unknown, i: number) => {
      const p: Path = ['spec', 'containers', i];
      if (!isObj(c)) {
        ctx.err(p, 'must be a map with a name');
        return;
      }
      checkKeys(ctx, c, p, ['name', 'command', 'args', 'env', 'ports', 'workingDir', ...IGNORED_CONTAINER_FIELDS]);
      const cn = str(ctx, c.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a container name (DNS label)', max: 63 });
      if (cn && cnames.has(cn)) ctx.err([...p, 'name'], `duplicate container "${cn}"`);
      if (cn) cnames.add(cn);
      const image = str(ctx, c.image, [...p, 'image']);
      for (const f of IGNORED_CONTAINER_FIELDS) {
        if (c[f] !== undefined) notices.push(`${ctx.file}:${ctx.lineOf([...p, f])}: Pod ${namespace}/${name} container ${cn}: "${f}" is ignored by the process runtime`);
      }
      const strList = (v: unknown, key: string): string[] | undefined => {
        if (v === undefined || v === null) return undefined;
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
          ctx.err([...p, key], 'must be a list of strings');
          return undefined;
        }
        return v.map(String);
      };
      const command = strList(c.command, 'command');
      const args = strList(c.args, 'args');
      if (command && command.length === 0) ctx.err([...p, 'command'], 'must not be empty (leave it out to run the built-in netexec server)');
      if (args && !command) ctx.err([...p, 'args'], 'args without command: the process runtime has no image entrypoint to pass them to');
      const env: Record<string, string> = {};
      if (c.env !== undefined) {
        if (!Array.isArray(c.env)) ctx.err([...p, 'env'], 'must be a list of {name, value}');
        else c.env.forEach((e: unknown, j: number) => {
          if (!isObj(e)) return ctx.err([...p, 'env', j], 'must be {name, value}');
          checkKeys(ctx, e, [...p, 'env', j], ['name', 'value']);
          const en = str(ctx, e.name, [...p, 'env', j, 'name'], { required: true, re: /^[-._a-zA-Z][-._a-zA-Z0-9]*$/, what: 'an environment variable name' });
          if (en) env[en] = e.value === undefined || e.value === null ? '' : String(e.value);
        });
      }
      const cports: ContainerPort[] = [];
      if (c.ports !== undefined) {
        if (!Array.isArray(c.ports)) ctx.err([...p, 'ports'], 'must be a list of {containerPort, protocol}');
        else c.ports.forEach((pt: unknown, j: number) => {
          const pp: Path = [...p, 'ports', j];
          if (!isObj(pt)) return ctx.err(pp, 'must be {containerPort, protocol}');
          checkKeys(ctx, pt, pp, ['containerPort', 'protocol', 'name', 'hostPort']);
          if (pt.hostPort !== undefined) ctx.err([...pp, 'hostPort'], 'hostPort is not supported by podlab');
          if (pt.containerPort === undefined) return ctx.err([...pp, 'containerPort'], 'is required');
          const port = int(ctx, pt.containerPort, [...pp, 'containerPort'], 1, 65535);
          const proto = (pt.protocol ?? 'TCP') as string;
          if (!PROTOCOLS.includes(proto as Protocol)) ctx.err([...pp, 'protocol'], `"${proto}" is not a protocol (TCP, UDP or SCTP)`);
          const pname = str(ctx, pt.name, [...pp, 'name'], { re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, what: 'a port name (IANA_SVC_NAME)', max: 15 });
          if (port === undefined) return;
          const key = `${port}/${proto}`;
          const prev = ports.get(key);
          if (prev) ctx.err([...pp, 'containerPort'], `${key} is already declared by container "${prev}": containers of a pod share one network namespace, so two cannot bind the same port`);
          else ports.set(key, cn ?? `#${i}`);
          cports.push({ containerPort: port, protocol: proto as Protocol, name: pname });
        });
      }
      if (!command && cports.length === 0) ctx.err([...p, 'ports'], 'a container without command runs the built-in netexec server, which needs at least one port to listen on');
      const wd = str(ctx, c.workingDir, [...p, 'workingDir']);
      containers.push({
        name: cn ?? `#${i}`, image, command: command ? [...command, ...(args ?? [])] : undefined,
        env, ports: cports, workingDir: wd ? (wd.startsWith('/') ? wd : `${d.dir}/${wd}`) : d.dir,
      });
    });
  }
  if (ctx.problems.length > before || !name) return undefined;
  return {
    namespace, name, labels: lbls, nodeName, containers, ...(hostname ? { hostname } : {}), ...(subdomain ? { subdomain } : {}),
    enableServiceLinks, dnsPolicy: dnsPolicy as DnsPolicy, origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 },
  };
}

