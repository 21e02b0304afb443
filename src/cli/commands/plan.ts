import type { Argv, CommandModule } from 'yargs';
import { loadLab } from '../../lab/load.js';
import { getMode, resolveLab, supportedModes } from '../../modes/registry.js';
import { diffNs, opsText, EMPTY_OBSERVED } from '../../kernel/ops.js';
import { fail, out } from '../common.js';

export const planCommand: CommandModule = {
  command: 'plan',
  describe: 'print the kernel changes `up` would make on an empty host, per namespace, as the equivalent iproute2 / sysctl / iptables-restore / nft commands (needs no root)',
  builder: (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'cluster file(s)' })
    .option('mode', { type: 'string', describe: `dataplane mode, overriding spec.mode (${supportedModes().join(', ')}; bgp runs BIRD 2 on each node)` })
    .option('proxy-mode', { type: 'string', describe: 'kube-proxy mode, overriding spec.proxyMode (iptables | nftables)' }),
  handler: (a) => {
    try {
      const lab = loadLab(a.file as string[], { mode: a.mode as string | undefined, proxyMode: a['proxy-mode'] as string | undefined });
      const topo = resolveLab(lab);
      for (const ns of getMode(topo.mode).plan(topo).namespaces) out(opsText(diffNs(ns, EMPTY_OBSERVED, true)));
    } catch (e) {
      fail(e);
    }
  },
};
