// overlay: flannel's VXLAN backend with the bridge CNI and host-local IPAM (reference/dataplane.md section B).
import type { ModePlugin } from '../types.js';
import { composeExpectations } from '../../expect/model.js';
import { overlayPlan, overlayPodMtu } from './plan.js';
import { overlayIpam } from './ipam.js';
import { overlayFacts } from './expect.js';

export const overlay: ModePlugin = {
  name: 'overlay',
  description: 'flannel VXLAN (flannel.1, VNI 1, UDP 8472) with the cni0 bridge',
  requires: { commands: ['ip', 'bridge', 'iptables-restore', 'iptables-save'], linkKinds: ['bridge', 'veth', 'vxlan'] },
  ipam: overlayIpam,
  loadBalancer: { announce: ['L2'] },
  podMtu: overlayPodMtu,
  plan: overlayPlan,
  expectations: composeExpectations(overlayFacts),
};
