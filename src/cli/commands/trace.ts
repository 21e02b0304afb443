import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { renderTrace } from '../../report/trace.js';
import { clusterOpt, err, exitFlushed, fail, jsonOpt, out, stopOnSignals } from '../common.js';
import { viaTrace } from '../via.js';

export const traceCommand: CommandModule = {
  command: 'trace <from> <to>',
  describe: "send one real probe and explain what happened to it from the kernel's own evidence: the hops (devices, the route each namespace chose), the netfilter rules that matched (DNAT, MASQUERADE, policy DROP, REJECT), the conntrack entry, the addresses both ends saw",
  builder: (y: Argv) => y
    .positional('from', { type: 'string', describe: 'where the probe starts: pod/NS/NAME, node/NAME or external' })
    .positional('to', { type: 'string', describe: 'where it goes: pod/NS/NAME:PORT, service/NS/NAME:PORT, nodeport/NODE/NS/NAME:PORT, external:PORT or IP:PORT (the syntax of Check documents; a LoadBalancer by its IP), or a name — web:80, web.shop.svc.cluster.local:80, dns/NAME:PORT — looked up by the source\'s own resolver first' })
    .option('cluster', clusterOpt)
    .option('protocol', { alias: 'p', choices: ['tcp', 'udp', 'icmp'], default: 'tcp', describe: 'tcp: an HTTP request to netexec (/clientip); udp: netexec\'s UDP "hostname" and "clientip"; icmp: one ping' })
    .option('port', { type: 'number', describe: 'the port, when TO has none' })
    .option('pcap', { type: 'string', describe: 'write one pcap per hop and device here (NETNS_DEV.pcap), for Wireshark' })
    .option('json', jsonOpt)
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'every walk through netfilter, not only the ones that decided or name an object' })
    .example('$0 trace pod/default/a pod/default/b:8080', 'pod → pod: the hops (cross-node: the VXLAN, BGP route or VPC fabric), the routes')
    .example('$0 trace pod/default/a service/default/web:80', 'pod → ClusterIP: KUBE-SERVICES → KUBE-SVC-… → KUBE-SEP-… DNAT to the endpoint that answered')
    .example('$0 trace external nodeport/node1/default/web:80 --pcap /tmp/pcaps', 'external → NodePort: DNAT, then MASQUERADE (eTP Cluster); a pcap per device')
    .example('$0 trace pod/default/a web:80', 'by name: the DNS query to kube-dns (DNAT to the DNS pod) and its answer, then the connection to the address answered')
    .example('$0 trace external 172.18.0.200:80', 'a LoadBalancer IP from outside: the announced path (L2, BGP router, NLB), KUBE-EXT, DNAT')
    .example('$0 trace pod/default/a pod/default/c:8080 --json', 'a NetworkPolicy drop, named, as JSON')
    .epilog('The rules come from the netfilter trace facility: for the probe, a table of its own (podlab-trace-<id>, priority -350) marks the flow with `meta nftrace set 1` in every namespace of the lab the probe may cross, and `nft monitor trace` reports every rule the packets matched — kube-proxy\'s iptables chains included (iptables-nft). Each namespace also gets one bounded capture (tcpdump -i any -c 200, the flow\'s filter, at most 30 s); only the probe\'s own packets are kept (its tuples, followed through each namespace\'s NAT by conntrack). A TO that is a name is looked up first with the source\'s resolver (getent ahostsv4, its resolv.conf), that lookup traced too. All of it is removed and stopped afterwards, also on error and Ctrl-C. Where the evidence and podlab\'s expectation model disagree, it says so (in red on a terminal). Exit 0 when the evidence agrees with the model (or the model has no check for the flow), 1 when it disagrees or the trace could not run, 130 when interrupted.'),
  handler: async (a) => {
    const stopped = stopOnSignals((sig) => err(`\n${sig}: stopping the trace; removing its tables and captures…`));
    try {
      const pcap = a.pcap ? resolve(String(a.pcap)) : undefined;
      const { result } = await viaTrace({ cluster: a.cluster as string | undefined, from: String(a.from), to: String(a.to), protocol: a.protocol as string, port: a.port as number | undefined, pcap }, { aborted: stopped });
      if (a.json) out(JSON.stringify(result, null, 2));
      else process.stdout.write(renderTrace(result, { color: process.stdout.isTTY === true, width: Math.min(process.stdout.columns ?? 80, 100), verbose: a.verbose as boolean }));
      exitFlushed(stopped() ? 130 : result.disagreements.length || result.left.tables || result.left.processes ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  },
};
