// System objects (pure): what podlab adds to a lab for the cluster itself, marked system: true, scheduled and
// addressed after the user's pods (they come last in the lab, so the user's allocations never move for them).
// Today: the ingress controller when the lab has an Ingress — ingress-nginx's controller pod in namespace
// ingress-nginx, its Service ingress-nginx-controller (type LoadBalancer on 80 and 443, externalTrafficPolicy Local
// as ingress-nginx's cloud manifest sets it) and the IngressClass nginx marked default. Cluster DNS (kube-system/
// kube-dns) is expected to join here the same way.
import type { IngressClassSpec, LabSpec, PodSpec, ServiceSpec } from '../input/types.js';
import { shortHash } from '../net/hash.js';

export const INGRESS_NAMESPACE = 'ingress-nginx';
export const INGRESS_SERVICE = 'ingress-nginx-controller';
export const INGRESS_CONTROLLER = 'k8s.io/ingress-nginx';
export const INGRESS_CLASS = 'nginx';
export const INGRESS_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller',
};

/** The controller pod's name: the Deployment's name with a ReplicaSet hash and a pod suffix, derived from the cluster. */
export function controllerPodName(cluster: string): string {
  return `${INGRESS_SERVICE}-${shortHash(`${cluster}/ingress-nginx/rs`, 10).replace(/[0-9]/g, (d) => 'bcdfghjkln'[Number(d)]!)}-${shortHash(`${cluster}/ingress-nginx/pod`, 5).replace(/[0-9]/g, (d) => 'bcdfghjkln'[Number(d)]!)}`;
}

/** The lab with its system objects added (the same object when it needs none). */
export function withSystemObjects(lab: LabSpec): LabSpec {
  if (!lab.ingresses.length) return lab;
  const origin = lab.ingresses[0]!.origin;
  const c = lab.cluster;
  const pod: PodSpec = {
    namespace: INGRESS_NAMESPACE, name: controllerPodName(c.name), labels: { ...INGRESS_LABELS }, system: true, origin,
    containers: [{
      name: 'controller', builtin: 'ingress-nginx', env: {}, workingDir: '/',
      ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443, protocol: 'TCP', name: 'https' }],
    }],
  };
  const svc: ServiceSpec = {
    namespace: INGRESS_NAMESPACE, name: INGRESS_SERVICE, key: `${INGRESS_NAMESPACE}/${INGRESS_SERVICE}`, labels: { ...INGRESS_LABELS }, type: 'LoadBalancer',
    selector: { ...INGRESS_LABELS }, externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', affinityTimeoutSeconds: 10800,
    externalIPs: [], annotations: {}, loadBalancerSourceRanges: [], allocateLoadBalancerNodePorts: true, system: true, origin,
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }, { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' }],
  };
  const userHas = (k: string) => lab.services.some((s) => s.key === k);
  const classes: IngressClassSpec[] = lab.ingressClasses.some((x) => x.name === INGRESS_CLASS) ? [...lab.ingressClasses]
    : [...lab.ingressClasses, { name: INGRESS_CLASS, controller: INGRESS_CONTROLLER, isDefault: !lab.ingressClasses.some((x) => x.isDefault), origin }];
  return {
    ...lab,
    namespaces: [...new Set([...lab.namespaces, INGRESS_NAMESPACE])].sort(),
    pods: [...lab.pods, pod],
    services: userHas(svc.key) ? lab.services : [...lab.services, svc],
    ingressClasses: classes,
  };
}
