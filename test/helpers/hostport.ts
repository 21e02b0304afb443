// The hostPort / hostNetwork fixtures the unit and integration tests share: a DaemonSet with a hostPort (TCP and UDP
// on 8081), and a hostNetwork pod `agent` on node2 behind a Service, with a `client` pod on node1 behind another.

/** A DaemonSet `edge` whose pods map hostPort 8081 (TCP and UDP) to their 8080; tolerating every taint if asked. */
export const hostPortDaemonSet = (ns: string, o: { tolerateAll?: boolean } = {}) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: edge, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: edge}}
  template:
    metadata: {labels: {app: edge}}
    spec:
${o.tolerateAll ? '      tolerations: [{operator: Exists}]\n' : ''}      containers: [{name: c, ports: [{containerPort: 8080, hostPort: 8081}, {containerPort: 8080, protocol: UDP, hostPort: 8081}]}]
`;

/** A hostNetwork pod `agent` on node2 serving 9100, Service `agent` 80 → 9100; pod `client` on node1, Service `client`. */
export const hostNetworkPods = (ns: string) => `apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: ${ns}, labels: {app: agent}}
spec:
  nodeName: node2
  hostNetwork: true
  containers: [{name: c, ports: [{containerPort: 9100}]}]
---
apiVersion: v1
kind: Service
metadata: {name: agent, namespace: ${ns}}
spec:
  selector: {app: agent}
  ports: [{port: 80, targetPort: 9100}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ${ns}, labels: {app: client}}
spec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: client, namespace: ${ns}}
spec:
  selector: {app: client}
  ports: [{port: 80, targetPort: 8080}]
`;
