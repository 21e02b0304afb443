// spec.vpc of the Cluster (vpc mode only): the emulated AWS VPC — CIDR, subnets, instance type, SNAT settings, hosts.
import type { ModeSchema, ClusterEnv } from '../../input/kinds/cluster.js';
import { RESERVED_NAMES } from '../../input/kinds/cluster.js';
import type { DocCtx, Path } from '../../input/doc.js';
import { checkKeys, int, isObj, str, DNS_LABEL } from '../../input/fields.js';
import type { ClusterSpec, Origin } from '../../input/types.js';
import { parseCidr, overlaps, type Cidr } from '../../net/ip.js';
import { INSTANCE_TYPES } from './instances.js';

/** A plain host inside the VPC that is not a node (a bastion, a database VM): its own subnet, no CNI. */
export interface VpcHostSpec {
  readonly name: string;
  readonly origin: Origin;
}

export interface VpcSpec {
  readonly cidr: string;
  /** Each node (and each VPC host) gets one subnet of this size. */
  readonly subnetMaskSize: number;
  readonly instanceType: string;
  /** AWS_VPC_K8S_CNI_EXTERNALSNAT: true = the node does not SNAT off-VPC pod traffic. */
  readonly externalSNAT: boolean;
  /** AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS. */
  readonly excludeSNATCIDRs: readonly string[];
  readonly hosts: readonly VpcHostSpec[];
}

/** The cluster's spec.vpc (present, with defaults, when the mode is vpc). */
export function vpcSpec(c: Pick<ClusterSpec, 'modeSpecs' | 'mode'>): VpcSpec {
  const v = c.modeSpecs.vpc as VpcSpec | undefined;
  if (!v) throw new Error(`mode ${c.mode} has no spec.vpc (the vpc schema fills in its defaults)`);
  return v;
}

function parseVpc(ctx: DocCtx, v: unknown, o: ClusterEnv): VpcSpec | undefined {
  const base: Path = ['spec', 'vpc'];
  const raw = v === undefined ? {} : v;
  if (!isObj(raw)) {
    ctx.err(base, 'must be a map like {cidr: 10.0.0.0/16, instanceType: t3.medium}');
    return undefined;
  }
  checkKeys(ctx, raw, base, ['cidr', 'subnetMaskSize', 'instanceType', 'externalSNAT', 'excludeSNATCIDRs', 'hosts']);
  let cidr: Cidr | undefined;
  const c = parseCidr(raw.cidr ?? '10.0.0.0/16');
  if (typeof c === 'string') ctx.err([...base, 'cidr'], c);
  else cidr = c;
  if (cidr && (cidr.prefix < 8 || cidr.prefix > 24)) ctx.err([...base, 'cidr'], `${cidr.text}: a VPC CIDR is /16 to /28 in AWS; podlab takes /8 to /24`);
  if (cidr && o.serviceCIDR && overlaps(cidr, o.serviceCIDR)) ctx.err([...base, 'cidr'], `${cidr.text} overlaps serviceCIDR ${o.serviceCIDR.text}`);
  if (cidr && o.underlay && overlaps(cidr, o.underlay)) ctx.err([...base, 'cidr'], `${cidr.text} overlaps the underlay ${o.underlay.text} (the internet side of the VPC)`);
  if (cidr) {
    for (const r of o.hostRoutes) {
      const hc = parseCidr(r.includes('/') ? r : `${r}/32`);
      if (typeof hc !== 'string' && hc.prefix > 0 && overlaps(hc, cidr)) ctx.err([...base, 'cidr'], `${cidr.text} overlaps this host's own route to ${hc.text}; pick another VPC CIDR`);
    }
  }
  const mask = int(ctx, raw.subnetMaskSize, [...base, 'subnetMaskSize'], 16, 27) ?? 24;
  if (cidr && mask < cidr.prefix) ctx.err([...base, 'subnetMaskSize'], `/${mask} is larger than the VPC ${cidr.text}`);
  const instanceType = raw.instanceType === undefined ? 't3.medium' : str(ctx, raw.instanceType, [...base, 'instanceType']);
  if (instanceType !== undefined && !INSTANCE_TYPES[instanceType]) ctx.err([...base, 'instanceType'], `unknown instance type "${instanceType}" (known: ${Object.keys(INSTANCE_TYPES).join(', ')})`);
  let externalSNAT = false;
  if (raw.externalSNAT !== undefined) {
    if (typeof raw.externalSNAT !== 'boolean') ctx.err([...base, 'externalSNAT'], 'must be true or false');
    else externalSNAT = raw.externalSNAT;
  }
  const exclude: string[] = [];
  if (raw.excludeSNATCIDRs !== undefined) {
    if (!Array.isArray(raw.excludeSNATCIDRs)) ctx.err([...base, 'excludeSNATCIDRs'], 'must be a list of CIDRs');
    else raw.excludeSNATCIDRs.forEach((x: unknown, i: number) => {
      const e = parseCidr(x);
      if (typeof e === 'string') ctx.err([...base, 'excludeSNATCIDRs', i], e);
      else exclude.push(e.text);
    });
  }
  const hosts: VpcHostSpec[] = [];
  if (raw.hosts !== undefined) {
    if (!Array.isArray(raw.hosts)) ctx.err([...base, 'hosts'], 'must be a list like [{name: bastion}]');
    else {
      const seen = new Set(o.nodes);
      raw.hosts.forEach((h: unknown, i: number) => {
        const p: Path = [...base, 'hosts', i];
        if (!isObj(h)) return ctx.err(p, 'must be a map like {name: bastion}');
        checkKeys(ctx, h, p, ['name']);
        const n = str(ctx, h.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a host name (DNS label: [a-z0-9-])', max: 20 });
        if (n && RESERVED_NAMES.includes(n)) ctx.err([...p, 'name'], `"${n}" is reserved for podlab's own namespaces`);
        else if (n && seen.has(n)) ctx.err([...p, 'name'], `"${n}" is already a node or host name`);
        if (n) {
          seen.add(n);
          hosts.push({ name: n, origin: { file: ctx.file, line: ctx.lineOf(p) ?? 0 } });
        }
      });
    }
  }
  if (cidr && mask >= cidr.prefix) {
    const count = 2 ** (mask - cidr.prefix);
    const want = o.nodes.length + hosts.length;
    if (count < want) ctx.err([...base, 'cidr'], `${cidr.text} holds only ${count} subnet(s) of /${mask}, but ${want} nodes and hosts need one each`);
  }
  if (!cidr || instanceType === undefined) return undefined;
  return { cidr: cidr.text, subnetMaskSize: mask, instanceType, externalSNAT, excludeSNATCIDRs: exclude, hosts };
}

export const vpcSchema: ModeSchema = {
  mode: 'vpc',
  key: 'vpc',
  onlyInMode: true,
  nodeIpRefused: 'in vpc mode a node\'s primary IP comes from its VPC subnet; remove ip',
  parse: (ctx, raw, env) => parseVpc(ctx, raw, env),
};
