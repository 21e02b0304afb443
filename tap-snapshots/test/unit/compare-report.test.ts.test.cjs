/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/unit/compare-report.test.ts > TAP > HTML: one self-contained page, light and dark, parity matrix and charts > report.html 1`] = `
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>podlab compare: overlay · bgp · vpc (demo)</title>
<style>
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d232b; --muted: #5b6673; --line: #d9dee4; --head: #f3f5f8;
  --pass: #1f7a3d; --pass-bg: #e6f4ea; --fail: #b3261e; --fail-bg: #fce8e6; --diff: #8a5a00; --diff-bg: #fff4d6;
  --s0: #2f6fdf; --s1: #d9731a; --s2: #2e9e5b; --s3: #8e5bd6; --s4: #c43c6e; --s5: #6b7a8a; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14181d; --fg: #e6e9ed; --muted: #9aa5b1; --line: #313942; --head: #1c2229;
    --pass: #7fd39a; --pass-bg: #173322; --fail: #ff9b93; --fail-bg: #3d1b19; --diff: #f0c36a; --diff-bg: #3a2f12;
    --s0: #6d9cf0; --s1: #f09a4f; --s2: #5fc48a; --s3: #b08cf0; --s4: #ea7aa3; --s5: #9aa8b6; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 4px; }
.meta, .how, footer { color: var(--muted); } .how { margin: 4px 0 10px; max-width: 900px; }
.verdict { font-weight: 600; padding: 6px 10px; border-radius: 6px; display: inline-block; }
.verdict.ok { color: var(--pass); background: var(--pass-bg); } .verdict.bad { color: var(--fail); background: var(--fail-bg); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; } td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.pass { color: var(--pass); background: var(--pass-bg); } td.fail { color: var(--fail); background: var(--fail-bg); font-weight: 600; }
td.absent { color: var(--muted); }
tr.level-behaviour td.parity, tr.level-only td.parity { color: var(--diff); background: var(--diff-bg); }
tr.level-unexpected td.parity { color: var(--fail); background: var(--fail-bg); font-weight: 600; }
td.why { font-size: 12.5px; color: var(--muted); } tr.section th { background: transparent; border-left: 0; border-right: 0; padding-top: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
figure.chart { margin: 18px 0 26px; } figure.chart figcaption h3 { margin: 0; }
svg.bars { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg.bars text { fill: var(--fg); } svg.bars text.group { font-weight: 600; } svg.bars text.na, svg.bars text.marker-label { fill: var(--muted); }
svg.bars line.marker { stroke: var(--muted); stroke-dasharray: 4 3; }
.s0 { fill: var(--s0); background: var(--s0); } .s1 { fill: var(--s1); background: var(--s1); } .s2 { fill: var(--s2); background: var(--s2); }
.s3 { fill: var(--s3); background: var(--s3); } .s4 { fill: var(--s4); background: var(--s4); } .s5 { fill: var(--s5); background: var(--s5); }
.alt { fill-opacity: 0.45; opacity: 0.85; }
ul.problems li { color: var(--fail); }
</style>
</head>
<body>
<main>
<header>
<h1>podlab compare: overlay · bgp · vpc</h1>
<p class="meta">lab <code>demo</code> from <code>/labs/lab.yaml</code> · started 2026-12-01T20:00:00.000Z · 1m 21s in all · Linux 6.1.0-test, 2 CPUs</p>
<p class="verdict bad">Not every mode passed or could be measured: see the problems below.</p>

</header>
<section id="measured-section">
<h2>Measured</h2>
<p class="how"><strong>How to read this:</strong> one column per mode, each built from the same lab file, one after another, on the same machine. A dash means it was not measured (or does not apply); for dataplane figures, "a → b" is the value at the smaller and the larger lab.</p>
<table id="measured"><tr><th></th><th><span class="swatch s0"></span>overlay</th><th><span class="swatch s1"></span>bgp</th><th><span class="swatch s2"></span>vpc</th></tr><tr class="section"><th colspan="4">Checks</th></tr><tr data-row="checks"><td>checks passed</td><td class="num">5/5</td><td class="num">4/5</td><td class="num">6/6</td></tr><tr class="section"><th colspan="4">Encapsulation and MTU</th></tr><tr data-row="encapsulation"><td>encapsulation on the underlay</td><td class="num">VXLAN (UDP 8472)</td><td class="num">none</td><td class="num">none</td></tr><tr data-row="overheadBytes"><td>bytes added on the wire</td><td class="num">50</td><td class="num">0</td><td class="num">0</td></tr><tr data-row="podMtu"><td>pod MTU</td><td class="num">1450</td><td class="num">1500</td><td class="num">1500</td></tr><tr data-row="largestDfPacket"><td>largest DF packet pod → pod</td><td class="num">1450</td><td class="num">1500</td><td class="num">1500</td></tr><tr class="section"><th colspan="4">Latency (ms, p50 / p99)</th></tr><tr data-row="rttMs"><td>ping pod → pod, cross-node</td><td class="num">0.214 / 0.319</td><td class="num">0.138 / 0.201</td><td class="num">0.162 / 0.194</td></tr><tr data-row="rttSameNodeMs"><td>ping pod → pod, same node</td><td class="num">0.100 / 0.180</td><td class="num">0.100 / 0.180</td><td class="num">0.100 / 0.180</td></tr><tr data-row="serviceDirect"><td>request → remote pod, direct</td><td class="num">0.200 / 0.900 (UDP)</td><td class="num">0.200 / 0.900 (UDP)</td><td class="num">0.200 / 0.900 (UDP)</td></tr><tr data-row="serviceClusterIP"><td>request → ClusterIP → remote pod</td><td class="num">0.240 / 1.100 (UDP)</td><td class="num">0.250 / 1.100 (UDP)</td><td class="num">0.250 / 1.100 (UDP)</td></tr><tr data-row="kubeProxyMs"><td>kube-proxy's cost (p50 difference)</td><td class="num">0.040 ms</td><td class="num">0.050 ms</td><td class="num">0.050 ms</td></tr><tr class="section"><th colspan="4">Throughput (iperf3, TCP)</th></tr><tr data-row="podToPodGbps"><td>pod → pod, cross-node (Gbit/s)</td><td class="num">6.00</td><td class="num">7.50</td><td class="num">7.50</td></tr><tr data-row="nodeToNodeGbps"><td>node → node, same underlay (Gbit/s)</td><td class="num">8.00</td><td class="num">8.00</td><td class="num">8.00</td></tr><tr data-row="throughputRatio"><td>pod → pod as a share of node → node</td><td class="num">0.75</td><td class="num">0.94</td><td class="num">0.94</td></tr><tr data-row="cpuSecondsPerGB"><td>CPU seconds per GB, pod → pod (node → node)</td><td class="num">0.90 (0.60)</td><td class="num">0.80 (0.60)</td><td class="num">0.80 (0.60)</td></tr><tr class="section"><th colspan="4">Build and convergence</th></tr><tr data-row="build3"><td>build the lab, 3 nodes</td><td class="num">1.10 s</td><td class="num">1.10 s</td><td class="num">1.10 s</td></tr><tr data-row="build10"><td>build the lab, 10 nodes</td><td class="num">3.00 s</td><td class="num">3.00 s</td><td class="num">3.00 s</td></tr><tr data-row="podReadyMs"><td>new pod answers from another node</td><td class="num">700 ms</td><td class="num">700 ms</td><td class="num">700 ms</td></tr><tr data-row="routeWithdrawMs"><td>a node's routes withdrawn after bgp-down</td><td class="num">–</td><td class="num">1.53 s</td><td class="num">–</td></tr><tr data-row="routeRestoreMs"><td>… and back after bgp-up</td><td class="num">–</td><td class="num">952 ms</td><td class="num">–</td></tr><tr class="section"><th colspan="4">Dataplane per node (mean, 3 → 10 nodes)</th></tr><tr data-row="size-routes"><td>routes</td><td class="num">5 → 12</td><td class="num">7 → 13</td><td class="num">4 → 3</td></tr><tr data-row="size-rules"><td>ip rules</td><td class="num">0 → 0</td><td class="num">0 → 0</td><td class="num">3 → 2</td></tr><tr data-row="size-neighbours"><td>neighbour entries (programmed)</td><td class="num">2 → 9</td><td class="num">0 → 0</td><td class="num">0 → 0</td></tr><tr data-row="size-fdb"><td>fdb entries (programmed)</td><td class="num">5 → 11</td><td class="num">0 → 0</td><td class="num">0 → 0</td></tr><tr data-row="size-iptablesRules"><td>iptables rules</td><td class="num">70 → 70</td><td class="num">70 → 70</td><td class="num">70 → 70</td></tr><tr data-row="size-bgpSessions"><td>BGP sessions</td><td class="num">0 → 0</td><td class="num">2 → 9</td><td class="num">0 → 0</td></tr><tr data-row="underlayRoutes"><td>routes in the underlay (VPC router / bridge)</td><td class="num">1 → 1</td><td class="num">1 → 1</td><td class="num">10 → 24</td></tr></table>
</section>
<section id="parity-section">
<h2>Check parity</h2>
<p class="how"><strong>How to read this:</strong> every check podlab generates (and every declared one) ran in every mode; a row is one category, a cell the checks passed out of those run. <em>same</em>: the modes agree and for the same reason. <em>same result, different mechanism</em>: the same outcome, reached differently (the why column quotes each mode's basis from the expectation model). <em>differs, as expected</em>: the model expects another outcome in another mode. <em>FAILS</em>: a check did not pass. 1 check(s) same, 2 different mechanism, 1 different outcome, 1 in some modes only, 1 failing.</p>
<table id="parity"><tr><th>category</th><th><span class="swatch s0"></span>overlay</th><th><span class="swatch s1"></span>bgp</th><th><span class="swatch s2"></span>vpc</th><th>parity</th><th>why (from the expectation model)</th></tr><tr class="level-unexpected" data-category="pod-to-pod/cross-node"><td>pod-to-pod/cross-node</td><td class="num pass">1/1</td><td class="num fail">0/1</td><td class="num pass">1/1</td><td class="parity">FAILS</td><td class="why">1 check(s) did not pass: fails in bgp: expected an answer, got dropped on all 3 tries (timed out (no SYN-ACK, no RST)) (expected ok; E2 (BGP): pod→pod cross node, routed, no NAT) — passes in overlay, vpc</td></tr><tr class="level-mechanism" data-category="pod-to-node/other"><td>pod-to-node/other</td><td class="num pass">1/1</td><td class="num pass">1/1</td><td class="num pass">1/1</td><td class="parity">same result, different mechanism</td><td class="why">overlay: E6: pod→other node IP, flannel MASQUERADEs to the client node eth0 IP · bgp: E6 (BGP): pod→other node IP is outside the pool: cali-nat-outgoing MASQUERADEs to the client node IP · vpc: E6 (AWS): pod→other node IP, not NATed (node IP ∈ VPC CIDR: AWS-SNAT-CHAIN-0 RETURN)</td></tr><tr class="level-mechanism" data-category="mtu"><td>mtu</td><td class="num pass">1/1</td><td class="num pass">1/1</td><td class="num pass">1/1</td><td class="parity">same result, different mechanism</td><td class="why">overlay: pod MTU 1450: a 1422-byte DF ping payload crosses unfragmented · bgp: pod MTU 1500: a 1472-byte DF ping payload crosses unfragmented · vpc: pod MTU 1500: a 1472-byte DF ping payload crosses unfragmented</td></tr><tr class="level-same" data-category="service/cluster-ip"><td>service/cluster-ip</td><td class="num pass">1/1</td><td class="num pass">1/1</td><td class="num pass">1/1</td><td class="parity">same</td><td class="why">E7/E8: pod→ClusterIP 10.96.0.10:8080, DNAT only (no MASQ for traffic from the pod CIDR), random over 3 endpoint(s)</td></tr><tr class="level-behaviour" data-category="pod-to-external"><td>pod-to-external</td><td class="num pass">1/1</td><td class="num pass">1/1</td><td class="num pass">1/1</td><td class="parity">differs, as expected</td><td class="why">1 of 1 check(s) expected to differ — overlay: E17: pod→external, MASQUERADE to the node eth0 IP · bgp: E17: pod→external, MASQUERADE to the node eth0 IP · vpc: E17 (AWS, externalSNAT: true): the pod IP leaves the node un-NATed and the internet gateway drops it</td></tr><tr class="level-only" data-category="vpc-host-to-pod"><td>vpc-host-to-pod</td><td class="num absent">–</td><td class="num absent">–</td><td class="num pass">1/1</td><td class="parity">only in some modes</td><td class="why">only in vpc — vpc: pod IPs are native VPC IPs; the VPC router delivers to the ENI holding the secondary IP</td></tr></table>
<h3>Checks whose result differs by mode</h3>
<table id="parity-rows"><tr><th>check</th><th>overlay</th><th>bgp</th><th>vpc</th><th>why</th></tr><tr class="level-unexpected"><td>pod-to-pod/cross-node: TCP shop/web-1 → shop/web-2:8080</td><td class="pass">ok</td><td class="fail">FAIL: expected ok, observed dropped (timed out)</td><td class="pass">ok</td><td class="why">fails in bgp: expected an answer, got dropped on all 3 tries (timed out (no SYN-ACK, no RST)) (expected ok; E2 (BGP): pod→pod cross node, routed, no NAT) — passes in overlay, vpc</td></tr><tr class="level-behaviour"><td>pod-to-external: TCP shop/web-1 → external:8080</td><td class="pass">ok from NODE 172.18.0.11</td><td class="pass">ok from NODE 172.18.0.11</td><td class="pass">blocked</td><td class="why">expected to differ — overlay: ok from NODE 172.18.0.11 (E17: pod→external, MASQUERADE to the node eth0 IP) · bgp: ok from NODE 172.18.0.11 (E17: pod→external, MASQUERADE to the node eth0 IP) · vpc: blocked (E17 (AWS, externalSNAT: true): the pod IP leaves the node un-NATed and the internet gateway drops it)</td></tr><tr class="level-only"><td>vpc-host-to-pod: TCP host/bastion → shop/web-2:8080</td><td class="absent">not generated</td><td class="absent">not generated</td><td class="pass">ok</td><td class="why">only in vpc (not generated in overlay, bgp) — vpc: pod IPs are native VPC IPs; the VPC router delivers to the ENI holding the secondary IP</td></tr></table>
</section>
<section id="charts">
<h2>Charts</h2>
<figure class="chart" id="chart-latency"><figcaption><h3>Latency</h3><p class="how"><strong>How to read this:</strong> Shorter is faster. Each bar is a median (p50) or 99th percentile (p99) of round trips measured in that mode. Cross-node against same-node shows what leaving the node costs (VXLAN encapsulation, routing through the VPC); &quot;via ClusterIP&quot; against &quot;direct&quot; shows kube-proxy's NAT lookup on the first packet of each new connection.</p></figcaption><svg class="bars" role="img" aria-labelledby="chart-latency-title" viewBox="0 0 760 498" width="760" height="498" xmlns="http://www.w3.org/2000/svg"><title id="chart-latency-title">Latency</title><rect class="sw s0" x="0" y="4" width="12" height="12" rx="2"/><text class="legend" x="17" y="14">overlay</text><rect class="sw s1" x="84" y="4" width="12" height="12" rx="2"/><text class="legend" x="101" y="14">bgp</text><rect class="sw s2" x="140" y="4" width="12" height="12" rx="2"/><text class="legend" x="157" y="14">vpc</text><text class="group" x="0" y="43">ping pod → pod, cross-node: p50</text><text class="label" x="162" y="66" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="55" width="430" height="14" rx="2"><title>overlay: 0.214 ms</title></rect><text class="value" x="606" y="66">0.214 ms</text><text class="label" x="162" y="86" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="75" width="277.3" height="14" rx="2"><title>bgp: 0.138 ms</title></rect><text class="value" x="453.3" y="86">0.138 ms</text><text class="label" x="162" y="106" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="95" width="325.5" height="14" rx="2"><title>vpc: 0.162 ms</title></rect><text class="value" x="501.5" y="106">0.162 ms</text><text class="group" x="0" y="137">ping pod → pod, cross-node: p99</text><text class="label" x="162" y="160" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="149" width="430" height="14" rx="2"><title>overlay: 0.319 ms</title></rect><text class="value" x="606" y="160">0.319 ms</text><text class="label" x="162" y="180" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="169" width="270.9" height="14" rx="2"><title>bgp: 0.201 ms</title></rect><text class="value" x="446.9" y="180">0.201 ms</text><text class="label" x="162" y="200" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="189" width="261.5" height="14" rx="2"><title>vpc: 0.194 ms</title></rect><text class="value" x="437.5" y="200">0.194 ms</text><text class="group" x="0" y="231">ping pod → pod, same node: p50</text><text class="label" x="162" y="254" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="243" width="430" height="14" rx="2"><title>overlay: 0.100 ms</title></rect><text class="value" x="606" y="254">0.100 ms</text><text class="label" x="162" y="274" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="263" width="430" height="14" rx="2"><title>bgp: 0.100 ms</title></rect><text class="value" x="606" y="274">0.100 ms</text><text class="label" x="162" y="294" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="283" width="430" height="14" rx="2"><title>vpc: 0.100 ms</title></rect><text class="value" x="606" y="294">0.100 ms</text><text class="group" x="0" y="325">request → remote pod, direct: p50</text><text class="label" x="162" y="348" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="337" width="430" height="14" rx="2"><title>overlay: 0.200 ms</title></rect><text class="value" x="606" y="348">0.200 ms</text><text class="label" x="162" y="368" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="357" width="430" height="14" rx="2"><title>bgp: 0.200 ms</title></rect><text class="value" x="606" y="368">0.200 ms</text><text class="label" x="162" y="388" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="377" width="430" height="14" rx="2"><title>vpc: 0.200 ms</title></rect><text class="value" x="606" y="388">0.200 ms</text><text class="group" x="0" y="419">request → ClusterIP → remote pod: p50</text><text class="label" x="162" y="442" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="431" width="412.8" height="14" rx="2"><title>overlay: 0.240 ms</title></rect><text class="value" x="588.8" y="442">0.240 ms</text><text class="label" x="162" y="462" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="451" width="430" height="14" rx="2"><title>bgp: 0.250 ms</title></rect><text class="value" x="606" y="462">0.250 ms</text><text class="label" x="162" y="482" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="471" width="430" height="14" rx="2"><title>vpc: 0.250 ms</title></rect><text class="value" x="606" y="482">0.250 ms</text></svg></figure>
<figure class="chart" id="chart-throughput"><figcaption><h3>Throughput</h3><p class="how"><strong>How to read this:</strong> Longer is better in the first three groups. The ratio is pod → pod TCP throughput divided by node → node on the same underlay, measured in the same mode: 1.0 (the line) means the pod network costs nothing over the bare underlay. The last group is the CPU time the sender and receiver spent per GB moved: shorter is cheaper.</p></figcaption><svg class="bars" role="img" aria-labelledby="chart-throughput-title" viewBox="0 0 760 404" width="760" height="404" xmlns="http://www.w3.org/2000/svg"><title id="chart-throughput-title">Throughput</title><rect class="sw s0" x="0" y="4" width="12" height="12" rx="2"/><text class="legend" x="17" y="14">overlay</text><rect class="sw s1" x="84" y="4" width="12" height="12" rx="2"/><text class="legend" x="101" y="14">bgp</text><rect class="sw s2" x="140" y="4" width="12" height="12" rx="2"/><text class="legend" x="157" y="14">vpc</text><text class="group" x="0" y="43">pod → pod as a share of node → node</text><text class="label" x="162" y="66" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="55" width="268.8" height="14" rx="2"><title>overlay: 0.75</title></rect><text class="value" x="444.8" y="66">0.75</text><text class="label" x="162" y="86" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="75" width="336.1" height="14" rx="2"><title>bgp: 0.94</title></rect><text class="value" x="512.1" y="86">0.94</text><text class="label" x="162" y="106" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="95" width="336.1" height="14" rx="2"><title>vpc: 0.94</title></rect><text class="value" x="512.1" y="106">0.94</text><line class="marker" x1="528.3" x2="528.3" y1="52" y2="112"/><text class="marker-label" x="531.3" y="49">ceiling</text><text class="group" x="0" y="137">pod → pod, cross-node</text><text class="label" x="162" y="160" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="149" width="344" height="14" rx="2"><title>overlay: 6.00 Gbit/s</title></rect><text class="value" x="520" y="160">6.00 Gbit/s</text><text class="label" x="162" y="180" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="169" width="430" height="14" rx="2"><title>bgp: 7.50 Gbit/s</title></rect><text class="value" x="606" y="180">7.50 Gbit/s</text><text class="label" x="162" y="200" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="189" width="430" height="14" rx="2"><title>vpc: 7.50 Gbit/s</title></rect><text class="value" x="606" y="200">7.50 Gbit/s</text><text class="group" x="0" y="231">node → node (the ceiling)</text><text class="label" x="162" y="254" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="243" width="430" height="14" rx="2"><title>overlay: 8.00 Gbit/s</title></rect><text class="value" x="606" y="254">8.00 Gbit/s</text><text class="label" x="162" y="274" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="263" width="430" height="14" rx="2"><title>bgp: 8.00 Gbit/s</title></rect><text class="value" x="606" y="274">8.00 Gbit/s</text><text class="label" x="162" y="294" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="283" width="430" height="14" rx="2"><title>vpc: 8.00 Gbit/s</title></rect><text class="value" x="606" y="294">8.00 Gbit/s</text><text class="group" x="0" y="325">CPU seconds per GB, pod → pod</text><text class="label" x="162" y="348" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="337" width="430" height="14" rx="2"><title>overlay: 0.90 s</title></rect><text class="value" x="606" y="348">0.90 s</text><text class="label" x="162" y="368" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="357" width="382.2" height="14" rx="2"><title>bgp: 0.80 s</title></rect><text class="value" x="558.2" y="368">0.80 s</text><text class="label" x="162" y="388" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="377" width="382.2" height="14" rx="2"><title>vpc: 0.80 s</title></rect><text class="value" x="558.2" y="388">0.80 s</text></svg></figure>
<figure class="chart" id="chart-overhead"><figcaption><h3>Encapsulation and MTU</h3><p class="how"><strong>How to read this:</strong> The first group is what one cross-node packet grew by on the underlay, captured with tcpdump on the pod's eth0 and on the node's eth0: VXLAN adds 50 bytes (outer IPv4 20 + UDP 8 + VXLAN 8 + the inner Ethernet header 14); routed modes add none. The pod MTU and the largest packet that crossed with DF set show where those bytes come from: a 1450-byte pod MTU on a 1500-byte underlay.</p></figcaption><svg class="bars" role="img" aria-labelledby="chart-overhead-title" viewBox="0 0 760 310" width="760" height="310" xmlns="http://www.w3.org/2000/svg"><title id="chart-overhead-title">Encapsulation and MTU</title><rect class="sw s0" x="0" y="4" width="12" height="12" rx="2"/><text class="legend" x="17" y="14">overlay</text><rect class="sw s1" x="84" y="4" width="12" height="12" rx="2"/><text class="legend" x="101" y="14">bgp</text><rect class="sw s2" x="140" y="4" width="12" height="12" rx="2"/><text class="legend" x="157" y="14">vpc</text><text class="group" x="0" y="43">bytes added on the wire</text><text class="label" x="162" y="66" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="55" width="358.3" height="14" rx="2"><title>overlay: 50 B</title></rect><text class="value" x="534.3" y="66">50 B</text><text class="label" x="162" y="86" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="75" width="0" height="14" rx="2"><title>bgp: 0 B</title></rect><text class="value" x="176" y="86">0 B</text><text class="label" x="162" y="106" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="95" width="0" height="14" rx="2"><title>vpc: 0 B</title></rect><text class="value" x="176" y="106">0 B</text><text class="group" x="0" y="137">pod MTU</text><text class="label" x="162" y="160" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="149" width="415.7" height="14" rx="2"><title>overlay: 1450 B</title></rect><text class="value" x="591.7" y="160">1450 B</text><text class="label" x="162" y="180" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="169" width="430" height="14" rx="2"><title>bgp: 1500 B</title></rect><text class="value" x="606" y="180">1500 B</text><text class="label" x="162" y="200" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="189" width="430" height="14" rx="2"><title>vpc: 1500 B</title></rect><text class="value" x="606" y="200">1500 B</text><text class="group" x="0" y="231">largest DF packet pod → pod</text><text class="label" x="162" y="254" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="243" width="415.7" height="14" rx="2"><title>overlay: 1450 B</title></rect><text class="value" x="591.7" y="254">1450 B</text><text class="label" x="162" y="274" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="263" width="430" height="14" rx="2"><title>bgp: 1500 B</title></rect><text class="value" x="606" y="274">1500 B</text><text class="label" x="162" y="294" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="283" width="430" height="14" rx="2"><title>vpc: 1500 B</title></rect><text class="value" x="606" y="294">1500 B</text></svg></figure>
<figure class="chart" id="chart-time"><figcaption><h3>Build and convergence time</h3><p class="how"><strong>How to read this:</strong> Shorter is faster. Build is podlab's \`up\` from nothing until the lab is ready (in bgp: until every BGP session is Established and every route installed). &quot;New pod answers&quot; runs from \`podlab apply\` of one more pod until it answers a request from another node. The BGP bars time a fault: BIRD stopped on a node until every peer has withdrawn its routes, then started until they are back.</p></figcaption><svg class="bars" role="img" aria-labelledby="chart-time-title" viewBox="0 0 760 498" width="760" height="498" xmlns="http://www.w3.org/2000/svg"><title id="chart-time-title">Build and convergence time</title><rect class="sw s0" x="0" y="4" width="12" height="12" rx="2"/><text class="legend" x="17" y="14">overlay</text><rect class="sw s1" x="84" y="4" width="12" height="12" rx="2"/><text class="legend" x="101" y="14">bgp</text><rect class="sw s2" x="140" y="4" width="12" height="12" rx="2"/><text class="legend" x="157" y="14">vpc</text><text class="group" x="0" y="43">build the lab, 3 nodes</text><text class="label" x="162" y="66" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="55" width="430" height="14" rx="2"><title>overlay: 1.10 s</title></rect><text class="value" x="606" y="66">1.10 s</text><text class="label" x="162" y="86" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="75" width="430" height="14" rx="2"><title>bgp: 1.10 s</title></rect><text class="value" x="606" y="86">1.10 s</text><text class="label" x="162" y="106" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="95" width="430" height="14" rx="2"><title>vpc: 1.10 s</title></rect><text class="value" x="606" y="106">1.10 s</text><text class="group" x="0" y="137">build the lab, 10 nodes</text><text class="label" x="162" y="160" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="149" width="430" height="14" rx="2"><title>overlay: 3.00 s</title></rect><text class="value" x="606" y="160">3.00 s</text><text class="label" x="162" y="180" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="169" width="430" height="14" rx="2"><title>bgp: 3.00 s</title></rect><text class="value" x="606" y="180">3.00 s</text><text class="label" x="162" y="200" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="189" width="430" height="14" rx="2"><title>vpc: 3.00 s</title></rect><text class="value" x="606" y="200">3.00 s</text><text class="group" x="0" y="231">new pod answers from another node</text><text class="label" x="162" y="254" text-anchor="end">overlay</text><rect class="bar s0" x="170" y="243" width="430" height="14" rx="2"><title>overlay: 700 ms</title></rect><text class="value" x="606" y="254">700 ms</text><text class="label" x="162" y="274" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="263" width="430" height="14" rx="2"><title>bgp: 700 ms</title></rect><text class="value" x="606" y="274">700 ms</text><text class="label" x="162" y="294" text-anchor="end">vpc</text><rect class="bar s2" x="170" y="283" width="430" height="14" rx="2"><title>vpc: 700 ms</title></rect><text class="value" x="606" y="294">700 ms</text><text class="group" x="0" y="325">a node's routes withdrawn after bgp-down</text><text class="label" x="162" y="348" text-anchor="end">overlay</text><text class="na" x="174" y="348">no routing protocol</text><text class="label" x="162" y="368" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="357" width="430" height="14" rx="2"><title>bgp: 1.53 s</title></rect><text class="value" x="606" y="368">1.53 s</text><text class="label" x="162" y="388" text-anchor="end">vpc</text><text class="na" x="174" y="388">no routing protocol</text><text class="group" x="0" y="419">… and back after bgp-up</text><text class="label" x="162" y="442" text-anchor="end">overlay</text><text class="na" x="174" y="442">no routing protocol</text><text class="label" x="162" y="462" text-anchor="end">bgp</text><rect class="bar s1" x="170" y="451" width="430" height="14" rx="2"><title>bgp: 952 ms</title></rect><text class="value" x="606" y="462">952 ms</text><text class="label" x="162" y="482" text-anchor="end">vpc</text><text class="na" x="174" y="482">no routing protocol</text></svg></figure>
<figure class="chart" id="chart-dataplane"><figcaption><h3>Dataplane size per node</h3><p class="how"><strong>How to read this:</strong> What each node's kernel holds, read back after the build (mean over the nodes; neighbour and fdb entries learned from traffic are left out), at 3 and 10 nodes: the lighter bar of each pair is the larger lab, so the pair shows how the figure grows with nodes. Shorter is leaner. Overlay needs a route, a neighbour and an fdb entry per remote node; bgp a route per remote block and a BGP session per peer; vpc keeps pod routes in the VPC router instead of the nodes.</p></figcaption><svg class="bars" role="img" aria-labelledby="chart-dataplane-title" viewBox="0 0 760 970" width="760" height="970" xmlns="http://www.w3.org/2000/svg"><title id="chart-dataplane-title">Dataplane size per node</title><rect class="sw s0" x="0" y="4" width="12" height="12" rx="2"/><text class="legend" x="17" y="14">overlay · 3 nodes</text><rect class="sw s0 alt" x="154" y="4" width="12" height="12" rx="2"/><text class="legend" x="171" y="14">overlay · 10 nodes</text><rect class="sw s1" x="315" y="4" width="12" height="12" rx="2"/><text class="legend" x="332" y="14">bgp · 3 nodes</text><rect class="sw s1 alt" x="441" y="4" width="12" height="12" rx="2"/><text class="legend" x="458" y="14">bgp · 10 nodes</text><rect class="sw s2" x="574" y="4" width="12" height="12" rx="2"/><text class="legend" x="591" y="14">vpc · 3 nodes</text><rect class="sw s2 alt" x="0" y="22" width="12" height="12" rx="2"/><text class="legend" x="17" y="32">vpc · 10 nodes</text><text class="group" x="0" y="61">routes per node</text><text class="label" x="162" y="84" text-anchor="end">overlay · 3 nodes</text><rect class="bar s0" x="170" y="73" width="165.4" height="14" rx="2"><title>overlay · 3 nodes: 5</title></rect><text class="value" x="341.4" y="84">5</text><text class="label" x="162" y="104" text-anchor="end">overlay · 10 nodes</text><rect class="bar s0 alt" x="170" y="93" width="396.9" height="14" rx="2"><title>overlay · 10 nodes: 12</title></rect><text class="value" x="572.9" y="104">12</text><text class="label" x="162" y="124" text-anchor="end">bgp · 3 nodes</text><rect class="bar s1" x="170" y="113" width="231.5" height="14" rx="2"><title>bgp · 3 nodes: 7</title></rect><text class="value" x="407.5" y="124">7</text><text class="label" x="162" y="144" text-anchor="end">bgp · 10 nodes</text><rect class="bar s1 alt" x="170" y="133" width="430" height="14" rx="2"><title>bgp · 10 nodes: 13</title></rect><text class="value" x="606" y="144">13</text><text class="label" x="162" y="164" text-anchor="end">vpc · 3 nodes</text><rect class="bar s2" x="170" y="153" width="132.3" height="14" rx="2"><title>vpc · 3 nodes: 4</title></rect><text class="value" x="308.3" y="164">4</text><text class="label" x="162" y="184" text-anchor="end">vpc · 10 nodes</text><rect class="bar s2 alt" x="170" y="173" width="99.2" height="14" rx="2"><title>vpc · 10 nodes: 3</title></rect><text class="value" x="275.2" y="184">3</text><text class="group" x="0" y="215">ip rules per node</text><text class="label" x="162" y="238" text-anchor="end">overlay · 3 nodes</text><rect class="bar s0" x="170" y="227" width="0" height="14" rx="2"><title>overlay · 3 nodes: 0</title></rect><text class="value" x="176" y="238">0</text><text class="label" x="162" y="258" text-anchor="end">overlay · 10 nodes</text><rect class="bar s0 alt" x="170" y="247" width="0" height="14" rx="2"><title>overlay · 10 nodes: 0</title></rect><text class="value" x="176" y="258">0</text><text class="label" x="162" y="278" text-anchor="end">bgp · 3 nodes</text><rect class="bar s1" x="170" y="267" width="0" height="14" rx="2"><title>bgp · 3 nodes: 0</title></rect><text class="value" x="176" y="278">0</text><text class="label" x="162" y="298" text-anchor="end">bgp · 10 nodes</text><rect class="bar s1 alt" x="170" y="287" width="0" height="14" rx="2"><title>bgp · 10 nodes: 0</title></rect><text class="value" x="176" y="298">0</text><text class="label" x="162" y="318" text-anchor="end">vpc · 3 nodes</text><rect class="bar s2" x="170" y="307" width="430" height="14" rx="2"><title>vpc · 3 nodes: 3</title></rect><text class="value" x="606" y="318">3</text><text class="label" x="162" y="338" text-anchor="end">vpc · 10 nodes</text><rect class="bar s2 alt" x="170" y="327" width="286.7" height="14" rx="2"><title>vpc · 10 nodes: 2</title></rect><text class="value" x="462.7" y="338">2</text><text class="group" x="0" y="369">programmed neighbour entries per node</text><text class="label" x="162" y="392" text-anchor="end">overlay · 3 nodes</text><rect class="bar s0" x="170" y="381" width="95.6" height="14" rx="2"><title>overlay · 3 nodes: 2</title></rect><text class="value" x="271.6" y="392">2</text><text class="label" x="162" y="412" text-anchor="end">overlay · 10 nodes</text><rect class="bar s0 alt" x="170" y="401" width="430" height="14" rx="2"><title>overlay · 10 nodes: 9</title></rect><text class="value" x="606" y="412">9</text><text class="label" x="162" y="432" text-anchor="end">bgp · 3 nodes</text><rect class="bar s1" x="170" y="421" width="0" height="14" rx="2"><title>bgp · 3 nodes: 0</title></rect><text class="value" x="176" y="432">0</text><text class="label" x="162" y="452" text-anchor="end">bgp · 10 nodes</text><rect class="bar s1 alt" x="170" y="441" width="0" height="14" rx="2"><title>bgp · 10 nodes: 0</title></rect><text class="value" x="176" y="452">0</text><text class="label" x="162" y="472" text-anchor="end">vpc · 3 nodes</text><rect class="bar s2" x="170" y="461" width="0" height="14" rx="2"><title>vpc · 3 nodes: 0</title></rect><text class="value" x="176" y="472">0</text><text class="label" x="162" y="492" text-anchor="end">vpc · 10 nodes</text><rect class="bar s2 alt" x="170" y="481" width="0" height="14" rx="2"><title>vpc · 10 nodes: 0</title></rect><text class="value" x="176" y="492">0</text><text class="group" x="0" y="523">programmed fdb entries per node</text><text class="label" x="162" y="546" text-anchor="end">overlay · 3 nodes</text><rect class="bar s0" x="170" y="535" width="195.5" height="14" rx="2"><title>overlay · 3 nodes: 5</title></rect><text class="value" x="371.5" y="546">5</text><text class="label" x="162" y="566" text-anchor="end">overlay · 10 nodes</text><rect class="bar s0 alt" x="170" y="555" width="430" height="14" rx="2"><title>overlay · 10 nodes: 11</title></rect><text class="value" x="606" y="566">11</text><text class="label" x="162" y="586" text-anchor="end">bgp · 3 nodes</text><rect class="bar s1" x="170" y="575" width="0" height="14" rx="2"><title>bgp · 3 nodes: 0</title></rect><text class="value" x="176" y="586">0</text><text class="label" x="162" y="606" text-anchor="end">bgp · 10 nodes</text><rect class="bar s1 alt" x="170" y="595" width="0" height="14" rx="2"><title>bgp · 10 nodes: 0</title></rect><text class="value" x="176" y="606">0</text><text class="label" x="162" y="626" text-anchor="end">vpc · 3 nodes</text><rect class="bar s2" x="170" y="615" width="0" height="14" rx="2"><title>vpc · 3 nodes: 0</title></rect><text class="value" x="176" y="626">0</text><text class="label" x="162" y="646" text-anchor="end">vpc · 10 nodes</text><rect class="bar s2 alt" x="170" y="635" width="0" height="14" rx="2"><title>vpc · 10 nodes: 0</title></rect><text class="value" x="176" y="646">0</text><text class="group" x="0" y="677">iptables rules per node</text><text class="label" x="162" y="700" text-anchor="end">overlay · 3 nodes</text><rect class="bar s0" x="170" y="689" width="430" height="14" rx="2"><title>overlay · 3 nodes: 70</title></rect><text class="value" x="606" y="700">70</text><text class="label" x="162" y="720" text-anchor="end">overlay · 10 nodes</text><rect class="bar s0 alt" x="170" y="709" width="430" height="14" rx="2"><title>overlay · 10 nodes: 70</title></rect><text class="value" x="606" y="720">70</text><text class="label" x="162" y="740" text-anchor="end">bgp · 3 nodes</text><rect class="bar s1" x="170" y="729" width="430" height="14" rx="2"><title>bgp · 3 nodes: 70</title></rect><text class="value" x="606" y="740">70</text><text class="label" x="162" y="760" text-anchor="end">bgp · 10 nodes</text><rect class="bar s1 alt" x="170" y="749" width="430" height="14" rx="2"><title>bgp · 10 nodes: 70</title></rect><text class="value" x="606" y="760">70</text><text class="label" x="162" y="780" text-anchor="end">vpc · 3 nodes</text><rect class="bar s2" x="170" y="769" width="430" height="14" rx="2"><title>vpc · 3 nodes: 70</title></rect><text class="value" x="606" y="780">70</text><text class="label" x="162" y="800" text-anchor="end">vpc · 10 nodes</text><rect class="bar s2 alt" x="170" y="789" width="430" height="14" rx="2"><title>vpc · 10 nodes: 70</title></rect><text class="value" x="606" y="800">70</text><text class="group" x="0" y="831">BGP sessions per node</text><text class="label" x="162" y="854" text-anchor="end">overlay · 3 nodes</text><rect class="bar s0" x="170" y="843" width="0" height="14" rx="2"><title>overlay · 3 nodes: 0</title></rect><text class="value" x="176" y="854">0</text><text class="label" x="162" y="874" text-anchor="end">overlay · 10 nodes</text><rect class="bar s0 alt" x="170" y="863" width="0" height="14" rx="2"><title>overlay · 10 nodes: 0</title></rect><text class="value" x="176" y="874">0</text><text class="label" x="162" y="894" text-anchor="end">bgp · 3 nodes</text><rect class="bar s1" x="170" y="883" width="95.6" height="14" rx="2"><title>bgp · 3 nodes: 2</title></rect><text class="value" x="271.6" y="894">2</text><text class="label" x="162" y="914" text-anchor="end">bgp · 10 nodes</text><rect class="bar s1 alt" x="170" y="903" width="430" height="14" rx="2"><title>bgp · 10 nodes: 9</title></rect><text class="value" x="606" y="914">9</text><text class="label" x="162" y="934" text-anchor="end">vpc · 3 nodes</text><rect class="bar s2" x="170" y="923" width="0" height="14" rx="2"><title>vpc · 3 nodes: 0</title></rect><text class="value" x="176" y="934">0</text><text class="label" x="162" y="954" text-anchor="end">vpc · 10 nodes</text><rect class="bar s2 alt" x="170" y="943" width="0" height="14" rx="2"><title>vpc · 10 nodes: 0</title></rect><text class="value" x="176" y="954">0</text></svg></figure>
</section>
<section id="details">
<h2>Between what</h2>
<ul><li>overlay: crossNode shop/web-1 (node1) → shop/web-2 (node2); nodeToNode node1 → node2</li><li>bgp: crossNode shop/web-1 (node1) → shop/web-2 (node2); nodeToNode node1 → node2</li><li>vpc: crossNode shop/web-1 (node1) → shop/web-2 (node2); nodeToNode node1 → node2</li></ul>
<h3>Notes</h3><ul><li>overlay: the 10-node lab is a generated copy</li></ul>
</section>
<footer><p>Generated by <code>podlab compare</code>. The figures are in report.json (schema: docs/compare.md); this page needs no network.</p></footer>
</main>
</body>
</html>

`

exports[`test/unit/compare-report.test.ts > TAP > Markdown and terminal reports > report.md 1`] = `
# podlab compare: overlay · bgp · vpc

Lab \`demo\` from \`/labs/lab.yaml\`, started 2026-12-01T20:00:00.000Z, 1m 21s in all, on Linux 6.1.0-test (2 CPUs).

**Not every mode passed or could be measured**: see the problems below.

## Check parity

Each category of checks, per mode: checks passed / run. *Parity* says whether the modes agree; *why* quotes the expectation model (the matrix rows E1–E19 of reference/dataplane.md).

| category | overlay | bgp | vpc | parity | why |
| --- | --- | --- | --- | --- | --- |
| pod-to-pod/cross-node | 1/1 | 0/1 | 1/1 | FAILS | 1 check(s) did not pass: fails in bgp: expected an answer, got dropped on all 3 tries (timed out (no SYN-ACK, no RST)) (expected ok; E2 (BGP): pod→pod cross node, routed, no NAT) — passes in overlay, vpc |
| pod-to-node/other | 1/1 | 1/1 | 1/1 | same result, different mechanism | overlay: E6: pod→other node IP, flannel MASQUERADEs to the client node eth0 IP · bgp: E6 (BGP): pod→other node IP is outside the pool: cali-nat-outgoing MASQUERADEs to the client node IP · vpc: E6 (AWS): pod→other node IP, not NATed (node IP ∈ VPC CIDR: AWS-SNAT-CHAIN-0 RETURN) |
| mtu | 1/1 | 1/1 | 1/1 | same result, different mechanism | overlay: pod MTU 1450: a 1422-byte DF ping payload crosses unfragmented · bgp: pod MTU 1500: a 1472-byte DF ping payload crosses unfragmented · vpc: pod MTU 1500: a 1472-byte DF ping payload crosses unfragmented |
| service/cluster-ip | 1/1 | 1/1 | 1/1 | same | E7/E8: pod→ClusterIP 10.96.0.10:8080, DNAT only (no MASQ for traffic from the pod CIDR), random over 3 endpoint(s) |
| pod-to-external | 1/1 | 1/1 | 1/1 | differs, as expected | 1 of 1 check(s) expected to differ — overlay: E17: pod→external, MASQUERADE to the node eth0 IP · bgp: E17: pod→external, MASQUERADE to the node eth0 IP · vpc: E17 (AWS, externalSNAT: true): the pod IP leaves the node un-NATed and the internet gateway drops it |
| vpc-host-to-pod | – | – | 1/1 | only in some modes | only in vpc — vpc: pod IPs are native VPC IPs; the VPC router delivers to the ENI holding the secondary IP |

### Checks whose result differs by mode

| check | overlay | bgp | vpc | why |
| --- | --- | --- | --- | --- |
| pod-to-pod/cross-node: TCP shop/web-1 → shop/web-2:8080 | ok | **FAIL**: expected ok, observed dropped (timed out) | ok | fails in bgp: expected an answer, got dropped on all 3 tries (timed out (no SYN-ACK, no RST)) (expected ok; E2 (BGP): pod→pod cross node, routed, no NAT) — passes in overlay, vpc |
| pod-to-external: TCP shop/web-1 → external:8080 | ok from NODE 172.18.0.11 | ok from NODE 172.18.0.11 | blocked | expected to differ — overlay: ok from NODE 172.18.0.11 (E17: pod→external, MASQUERADE to the node eth0 IP) · bgp: ok from NODE 172.18.0.11 (E17: pod→external, MASQUERADE to the node eth0 IP) · vpc: blocked (E17 (AWS, externalSNAT: true): the pod IP leaves the node un-NATed and the internet gateway drops it) |
| vpc-host-to-pod: TCP host/bastion → shop/web-2:8080 | – | – | ok | only in vpc (not generated in overlay, bgp) — vpc: pod IPs are native VPC IPs; the VPC router delivers to the ENI holding the secondary IP |

## Measured

### Checks

|  | overlay | bgp | vpc |
| --- | --- | --- | --- |
| checks passed | 5/5 | 4/5 | 6/6 |

### Encapsulation and MTU

|  | overlay | bgp | vpc |
| --- | --- | --- | --- |
| encapsulation on the underlay | VXLAN (UDP 8472) | none | none |
| bytes added on the wire | 50 | 0 | 0 |
| pod MTU | 1450 | 1500 | 1500 |
| largest DF packet pod → pod | 1450 | 1500 | 1500 |

### Latency (ms, p50 / p99)

|  | overlay | bgp | vpc |
| --- | --- | --- | --- |
| ping pod → pod, cross-node | 0.214 / 0.319 | 0.138 / 0.201 | 0.162 / 0.194 |
| ping pod → pod, same node | 0.100 / 0.180 | 0.100 / 0.180 | 0.100 / 0.180 |
| request → remote pod, direct | 0.200 / 0.900 (UDP) | 0.200 / 0.900 (UDP) | 0.200 / 0.900 (UDP) |
| request → ClusterIP → remote pod | 0.240 / 1.100 (UDP) | 0.250 / 1.100 (UDP) | 0.250 / 1.100 (UDP) |
| kube-proxy's cost (p50 difference) | 0.040 ms | 0.050 ms | 0.050 ms |

### Throughput (iperf3, TCP)

|  | overlay | bgp | vpc |
| --- | --- | --- | --- |
| pod → pod, cross-node (Gbit/s) | 6.00 | 7.50 | 7.50 |
| node → node, same underlay (Gbit/s) | 8.00 | 8.00 | 8.00 |
| pod → pod as a share of node → node | 0.75 | 0.94 | 0.94 |
| CPU seconds per GB, pod → pod (node → node) | 0.90 (0.60) | 0.80 (0.60) | 0.80 (0.60) |

### Build and convergence

|  | overlay | bgp | vpc |
| --- | --- | --- | --- |
| build the lab, 3 nodes | 1.10 s | 1.10 s | 1.10 s |
| build the lab, 10 nodes | 3.00 s | 3.00 s | 3.00 s |
| new pod answers from another node | 700 ms | 700 ms | 700 ms |
| a node's routes withdrawn after bgp-down | – | 1.53 s | – |
| … and back after bgp-up | – | 952 ms | – |

### Dataplane per node (mean, 3 → 10 nodes)

|  | overlay | bgp | vpc |
| --- | --- | --- | --- |
| routes | 5 → 12 | 7 → 13 | 4 → 3 |
| ip rules | 0 → 0 | 0 → 0 | 3 → 2 |
| neighbour entries (programmed) | 2 → 9 | 0 → 0 | 0 → 0 |
| fdb entries (programmed) | 5 → 11 | 0 → 0 | 0 → 0 |
| iptables rules | 70 → 70 | 70 → 70 | 70 → 70 |
| BGP sessions | 0 → 0 | 2 → 9 | 0 → 0 |
| routes in the underlay (VPC router / bridge) | 1 → 1 | 1 → 1 | 10 → 24 |

### Relative to the best mode

1.00 is the best mode; 1.30 means 30 % more (slower, larger); for the throughput ratio, 0.80 means 80 % of the best.

| metric | overlay | bgp | vpc |
| --- | --- | --- | --- |
| ping cross-node p50 | 1.55 | 1.00 | 1.17 |
| ping cross-node p99 | 1.64 | 1.04 | 1.00 |
| ping same node p50 | 1.00 | 1.00 | 1.00 |
| request via ClusterIP p50 | 1.00 | 1.04 | 1.04 |
| throughput ratio (share of the best) | 0.80 | 1.00 | 1.00 |
| CPU seconds per GB | 1.13 | 1.00 | 1.00 |
| build time | 1.00 | 3.70 | 1.28 |
| new pod answers | 1.00 | 1.00 | 1.00 |
| routes per node | 1.25 | 1.75 | 1.00 |

## Between what

- overlay: crossNode shop/web-1 (node1) → shop/web-2 (node2); nodeToNode node1 → node2
- bgp: crossNode shop/web-1 (node1) → shop/web-2 (node2); nodeToNode node1 → node2
- vpc: crossNode shop/web-1 (node1) → shop/web-2 (node2); nodeToNode node1 → node2

Generated by \`podlab compare\`; the schema of report.json is in docs/compare.md.

`

exports[`test/unit/compare-report.test.ts > TAP > Markdown and terminal reports > terminal 1`] = `
podlab compare · lab demo · overlay, bgp, vpc · 1m 21s

CHECK PARITY (passed/total per category)
  CATEGORY               overlay  bgp  vpc  PARITY
  pod-to-pod/cross-node  1/1      0/1  1/1  FAILS
  pod-to-node/other      1/1      1/1  1/1  same result, different mechanism
  mtu                    1/1      1/1  1/1  same result, different mechanism
  service/cluster-ip     1/1      1/1  1/1  same
  pod-to-external        1/1      1/1  1/1  differs, as expected
  vpc-host-to-pod        –        –    1/1  only in some modes

WHY (from the expectation model)
  pod-to-pod/cross-node: 1 check(s) did not pass: fails in bgp: expected an answer, got dropped on all 3 tries (timed out (no SYN-ACK, no RST)) (expected ok; E2 (BGP): pod→pod cross node, routed, no NAT) — passes in overlay, vpc
  pod-to-node/other: same result, different mechanism — overlay: E6: pod→other node IP, flannel MASQUERADEs to the client node eth0 IP · bgp: E6 (BGP): pod→other node IP is outside the pool: cali-nat-outgoing MASQUERADEs to the client node IP · vpc: E6 (AWS): pod→other node IP, not NATed (node IP ∈ VPC CIDR: AWS-SNAT-CHAIN-0 RETURN)
  mtu: same result, different mechanism — overlay: pod MTU 1450: a 1422-byte DF ping payload crosses unfragmented · bgp: pod MTU 1500: a 1472-byte DF ping payload crosses unfragmented · vpc: pod MTU 1500: a 1472-byte DF ping payload crosses unfragmented
  pod-to-external: 1 of 1 check(s) expected to differ — overlay: E17: pod→external, MASQUERADE to the node eth0 IP · bgp: E17: pod→external, MASQUERADE to the node eth0 IP · vpc: E17 (AWS, externalSNAT: true): the pod IP leaves the node un-NATed and the internet gateway drops it
  vpc-host-to-pod: only in vpc — vpc: pod IPs are native VPC IPs; the VPC router delivers to the ENI holding the secondary IP

CHECKS
                 overlay  bgp  vpc
  checks passed  5/5      4/5  6/6

ENCAPSULATION AND MTU
                                 overlay           bgp   vpc
  encapsulation on the underlay  VXLAN (UDP 8472)  none  none
  bytes added on the wire        50                0     0
  pod MTU                        1450              1500  1500
  largest DF packet pod → pod    1450              1500  1500

LATENCY (MS, P50 / P99)
                                      overlay              bgp                  vpc
  ping pod → pod, cross-node          0.214 / 0.319        0.138 / 0.201        0.162 / 0.194
  ping pod → pod, same node           0.100 / 0.180        0.100 / 0.180        0.100 / 0.180
  request → remote pod, direct        0.200 / 0.900 (UDP)  0.200 / 0.900 (UDP)  0.200 / 0.900 (UDP)
  request → ClusterIP → remote pod    0.240 / 1.100 (UDP)  0.250 / 1.100 (UDP)  0.250 / 1.100 (UDP)
  kube-proxy's cost (p50 difference)  0.040 ms             0.050 ms             0.050 ms

THROUGHPUT (IPERF3, TCP)
                                               overlay      bgp          vpc
  pod → pod, cross-node (Gbit/s)               6.00         7.50         7.50
  node → node, same underlay (Gbit/s)          8.00         8.00         8.00
  pod → pod as a share of node → node          0.75         0.94         0.94
  CPU seconds per GB, pod → pod (node → node)  0.90 (0.60)  0.80 (0.60)  0.80 (0.60)

BUILD AND CONVERGENCE
                                            overlay  bgp     vpc
  build the lab, 3 nodes                    1.10 s   1.10 s  1.10 s
  build the lab, 10 nodes                   3.00 s   3.00 s  3.00 s
  new pod answers from another node         700 ms   700 ms  700 ms
  a node's routes withdrawn after bgp-down  –        1.53 s  –
  … and back after bgp-up                   –        952 ms  –

DATAPLANE PER NODE (MEAN, 3 → 10 NODES)
                                                overlay  bgp      vpc
  routes                                        5 → 12   7 → 13   4 → 3
  ip rules                                      0 → 0    0 → 0    3 → 2
  neighbour entries (programmed)                2 → 9    0 → 0    0 → 0
  fdb entries (programmed)                      5 → 11   0 → 0    0 → 0
  iptables rules                                70 → 70  70 → 70  70 → 70
  BGP sessions                                  0 → 0    2 → 9    0 → 0
  routes in the underlay (VPC router / bridge)  1 → 1    1 → 1    10 → 24

RESULT: FAIL (see problems and parity above)

`
