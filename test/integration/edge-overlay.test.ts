// The cluster's edge in overlay mode (iptables proxy mode), with real traffic: see test/helpers/edge.ts. Needs root.
import t from 'tap';
import { isRoot } from '../helpers/lab.js';
import { edgeTest } from '../helpers/edge.js';

// One real lab with an ingress controller and ~60 checks: on a loaded 2-core machine this outlasts the default 300 s.
t.setTimeout(900_000);

t.test('LoadBalancer Services, Ingress and the edge checks in overlay mode (iptables)', { skip: !isRoot && 'needs root: creates network namespaces' }, (t) => edgeTest(t, 'overlay', process.env.PODLAB_EDGE_PROXY_MODE ?? 'iptables'));
