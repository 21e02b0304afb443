// Which charts the report draws, from the report (pure): latency, throughput, encapsulation, build and
// convergence time, dataplane size — each with a short "how to read this".
import { fmtMs } from './summary.js';
import type { Bar, Chart, Group } from './svg.js';
import { SIZE_KEYS, type CompareReport, type DataplaneSize, type ModeReport } from './types.js';

const SIZE_TITLE: Readonly<Record<keyof DataplaneSize, string>> = {
  routes: 'routes per node', rules: 'ip rules per node', neighbours: 'programmed neighbour entries per node', fdb: 'programmed fdb entries per node',
  iptablesRules: 'iptables rules per node', nftRules: 'kube-proxy nft rules per node', nftElements: 'kube-proxy nft set/map elements per node', bgpSessions: 'BGP sessions per node',
};

export function chartsOf(r: CompareReport): Chart[] {
  const modes = r.modeOrder;
  const ms = modes.map((m) => r.modes[m]!);
  const legend = modes.map((m, i) => ({ label: m, series: i }));
  const bars = (f: (m: ModeReport) => number | null | undefined, text: (v: number) => string = String): Bar[] =>
    ms.map((m, i) => {
      const v = f(m) ?? null;
      return { series: i, label: modes[i]!, value: v, ...(v === null ? {} : { text: text(v) }) };
    });
  const ms3 = (v: number) => `${v.toFixed(3)} ms`;
  const charts: Chart[] = [];

  charts.push({
    id: 'chart-latency', title: 'Latency', legend,
    how: 'Shorter is faster. Each bar is a median (p50) or 99th percentile (p99) of round trips measured in that mode. Cross-node against same-node shows what leaving the node costs (VXLAN encapsulation, routing through the VPC); "via ClusterIP" against "direct" shows kube-proxy\'s NAT lookup on the first packet of each new connection.',
    groups: [
      { title: 'ping pod → pod, cross-node: p50', bars: bars((m) => m.rttMs?.p50, ms3) },
      { title: 'ping pod → pod, cross-node: p99', bars: bars((m) => m.rttMs?.p99, ms3) },
      { title: 'ping pod → pod, same node: p50', bars: bars((m) => m.rttSameNodeMs?.p50, ms3) },
      { title: 'request → remote pod, direct: p50', bars: bars((m) => m.serviceRttMs?.direct?.p50, ms3) },
      { title: 'request → ClusterIP → remote pod: p50', bars: bars((m) => m.serviceRttMs?.clusterIP?.p50, ms3) },
    ],
  });

  const gb = (v: number) => `${v.toFixed(2)} Gbit/s`;
  charts.push({
    id: 'chart-throughput', title: 'Throughput', legend,
    how: 'Longer is better in the first three groups. The ratio is pod → pod TCP throughput divided by node → node on the same underlay, measured in the same mode: 1.0 (the line) means the pod network costs nothing over the bare underlay. The last group is the CPU time the sender and receiver spent per GB moved: shorter is cheaper.',
    groups: [
      { title: 'pod → pod as a share of node → node', max: Math.max(1.2, ...ms.map((m) => m.throughput.ratio ?? 0)), marker: { value: 1, label: 'ceiling' }, bars: bars((m) => m.throughput.ratio, (v) => v.toFixed(2)) },
      { title: 'pod → pod, cross-node', bars: bars((m) => m.throughput.podToPodGbps, gb) },
      { title: 'node → node (the ceiling)', bars: bars((m) => m.throughput.nodeToNodeGbps, gb) },
      { title: 'CPU seconds per GB, pod → pod', bars: bars((m) => m.throughput.cpuSecondsPerGB.podToPod, (v) => `${v.toFixed(2)} s`) },
    ],
  });

  const by = (v: number) => `${v} B`;
  charts.push({
    id: 'chart-overhead', title: 'Encapsulation and MTU', legend,
    how: 'The first group is what one cross-node packet grew by on the underlay, captured with tcpdump on the pod\'s eth0 and on the node\'s eth0: VXLAN adds 50 bytes (outer IPv4 20 + UDP 8 + VXLAN 8 + the inner Ethernet header 14); routed modes add none. The pod MTU and the largest packet that crossed with DF set show where those bytes come from: a 1450-byte pod MTU on a 1500-byte underlay.',
    groups: [
      { title: 'bytes added on the wire', max: Math.max(60, ...ms.map((m) => m.overheadBytes ?? 0)), bars: bars((m) => m.overheadBytes, by) },
      { title: 'pod MTU', bars: bars((m) => m.podMtu, by) },
      { title: 'largest DF packet pod → pod', bars: bars((m) => m.largestDfPacket, by) },
    ],
  });

  const sizes = [...new Set(ms.flatMap((m) => m.dataplane.map((d) => d.nodes)))].sort((a, b) => a - b);
  const time = (v: number) => fmtMs(v);
  const timeGroups: Group[] = [
    ...sizes.map((n) => ({ title: `build the lab, ${n} nodes`, bars: bars((m) => m.dataplane.find((d) => d.nodes === n)?.buildMs ?? (n === sizes[0] ? m.buildMs : null), time) })),
    { title: 'new pod answers from another node', bars: bars((m) => m.convergence.podReadyMs, time) },
  ];
  if (ms.some((m) => m.convergence.routeWithdrawMs !== null)) {
    timeGroups.push({ title: "a node's routes withdrawn after bgp-down", bars: bars((m) => m.convergence.routeWithdrawMs, time).map((b) => (b.value === null ? { ...b, text: 'no routing protocol' } : b)) });
    timeGroups.push({ title: '… and back after bgp-up', bars: bars((m) => m.convergence.routeRestoreMs, time).map((b) => (b.value === null ? { ...b, text: 'no routing protocol' } : b)) });
  }
  if (!sizes.length) timeGroups.unshift({ title: 'build the lab', bars: bars((m) => m.buildMs, time) });
  charts.push({
    id: 'chart-time', title: 'Build and convergence time', legend,
    how: 'Shorter is faster. Build is podlab\'s `up` from nothing until the lab is ready (in bgp: until every BGP session is Established and every route installed). "New pod answers" runs from `podlab apply` of one more pod until it answers a request from another node. The BGP bars time a fault: BIRD stopped on a node until every peer has withdrawn its routes, then started until they are back.',
    groups: timeGroups,
  });

  const sizeGroups: Group[] = SIZE_KEYS.filter((k) => ms.some((m) => m.dataplane.some((d) => d.perNode[k] > 0))).map((k) => ({
    title: SIZE_TITLE[k],
    bars: ms.flatMap((m, i) => sizes.map((n, j) => {
      const d = m.dataplane.find((x) => x.nodes === n);
      return { series: i, label: `${modes[i]} · ${n} nodes`, value: d ? d.perNode[k] : null, alt: j > 0, ...(d ? { text: String(d.perNode[k]) } : {}) };
    })),
  }));
  const sizeLegend = modes.flatMap((m, i) => sizes.map((n, j) => ({ label: `${m} · ${n} nodes`, series: i, alt: j > 0 })));
  charts.push({
    id: 'chart-dataplane', title: 'Dataplane size per node', legend: sizeLegend,
    how: `What each node's kernel holds, read back after the build (mean over the nodes; neighbour and fdb entries learned from traffic are left out)${sizes.length > 1 ? `, at ${sizes.join(' and ')} nodes: the lighter bar of each pair is the larger lab, so the pair shows how the figure grows with nodes` : ''}. Shorter is leaner. Overlay needs a route, a neighbour and an fdb entry per remote node; bgp a route per remote block and a BGP session per peer; vpc keeps pod routes in the VPC router instead of the nodes.`,
    groups: sizeGroups.length ? sizeGroups : [{ title: 'routes per node', bars: bars(() => null) }],
  });
  return charts;
}
