// The cluster's edge in overlay mode (iptables proxy mode), with real traffic: see test/helpers/edge.ts. Needs root.
import t from 'tap';
import { isRoot } from '../helpers/lab.js';
import { edgeTest } from '../helpers/edge.js';

t.test('LoadBalancer Services, Ingress and the edge checks in overlay mode (iptables)', { skip: !isRoot && 'needs root: creates network namespaces' }, (t) => edgeTest(t, 'overlay', process.env.PODLAB_EDGE_PROXY_MODE ?? 'iptables'));
