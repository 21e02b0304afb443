/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/unit/bgp.test.ts > TAP > bird.cfg: full mesh, Calico protocol names, passive by string compare > bird.cfg of node1 in a 3-node full mesh 1`] = `
# podlab demo node node1 (Calico-style, full-mesh)
router id 172.18.0.11;

filter calico_export_to_bgp_peers {
  if ( net ~ 10.244.0.0/16 ) then { accept; }
  reject;
}
filter calico_kernel_programming {
  if ( net ~ 10.244.0.0/16 ) then { accept; }
  reject;
}

protocol kernel {
  scan time 2;
  ipv4 { import none; export filter calico_kernel_programming; };
  merge paths on;
}
protocol device { scan time 2; }

# Blocks affine to this node: blackholed locally, /32 routes to cali devices are more specific.
protocol static static_blocks {
  ipv4;
  route 10.244.0.0/26 blackhole;
}

template bgp bgp_template {
  description "Connection to BGP peer";
  local as 64512;
  direct; # all nodes share one L2 underlay
  ipv4 { gateway direct; import all; export filter calico_export_to_bgp_peers; add paths on; };
  connect delay time 1;
  connect retry time 1;
  error wait time 1,5;
  hold time 9;
  keepalive time 3;
}

protocol bgp Mesh_172_18_0_12 from bgp_template {
  neighbor 172.18.0.12 as 64512;
  source address 172.18.0.11;
  passive on; # Mesh is unidirectional, peer will connect to us.
}

protocol bgp Mesh_172_18_0_13 from bgp_template {
  neighbor 172.18.0.13 as 64512;
  source address 172.18.0.11;
  passive on; # Mesh is unidirectional, peer will connect to us.
}

`

exports[`test/unit/bgp.test.ts > TAP > plan: cali veths, proxy ARP, /32 pods behind 169.254.1.1, natOutgoing > full build of a 2-node, 2-pod bgp lab 1`] = `
# netns pl-demo-fabric
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=0
sysctl -w net.bridge.bridge-nf-call-iptables=0
ip link set lo up
ip link add name fabric mtu 1500 type bridge
ip link set fabric up
ip link add name n-node1 mtu 1500 type veth peer name eth0 address d6:29:3b:25:1c:24 mtu 1500 netns pl-demo-node1
ip link set n-node1 master fabric
ip link set n-node1 up
ip link add name n-node2 mtu 1500 type veth peer name eth0 address 9e:c3:be:bc:9f:21 mtu 1500 netns pl-demo-node2
ip link set n-node2 master fabric
ip link set n-node2 up
ip link add name n-ext mtu 1500 type veth peer name eth0 address 26:54:3c:bf:35:90 mtu 1500 netns pl-demo-ext
ip link set n-ext master fabric
ip link set n-ext up
ip addr add 172.18.0.1/24 dev fabric

# netns pl-demo-ext
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=0
ip link set lo up
ip link set eth0 up
ip addr add 172.18.0.100/24 dev eth0

# netns pl-demo-node1
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv4.conf.all.route_localnet=1
sysctl -w net.ipv4.conf.cali456b416f2bf.forwarding=1
sysctl -w net.ipv4.conf.cali456b416f2bf.proxy_arp=1
sysctl -w net.ipv4.neigh.cali456b416f2bf.proxy_delay=0
sysctl -w net.ipv4.conf.calidd8450fefc4.forwarding=1
sysctl -w net.ipv4.conf.calidd8450fefc4.proxy_arp=1
sysctl -w net.ipv4.neigh.calidd8450fefc4.proxy_delay=0
ip link set lo up
ip link set eth0 up
ip link add name cali456b416f2bf address ee:ee:ee:ee:ee:ee mtu 1500 type veth peer name eth0 mtu 1500 netns pl-demo-x-a
ip link set cali456b416f2bf up
ip link add name calidd8450fefc4 address ee:ee:ee:ee:ee:ee mtu 1500 type veth peer name eth0 mtu 1500 netns pl-demo-kube-system-cluster-dns
ip link set calidd8450fefc4 up
ip addr add 172.18.0.11/24 dev eth0
ip route replace default via 172.18.0.1 dev eth0
ip route replace 10.244.0.0 dev cali456b416f2bf scope link
ip route replace 10.244.0.1 dev calidd8450fefc4 scope link
iptables-restore <<EOF
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-PROXY-CANARY - [0:0]
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-PROXY-CANARY - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-DUP4NCIHAY2XAIGE - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-SMCPM4YTBGONWIQW - [0:0]
:cali-POSTROUTING - [0:0]
:cali-nat-outgoing - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 -j KUBE-SVC-ERIFXISQEP7F7OF4
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.244.0.1:53" -j KUBE-SEP-DUP4NCIHAY2XAIGE
-A KUBE-SEP-DUP4NCIHAY2XAIGE -m comment --comment kube-system/kube-dns:dns -s 10.244.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-DUP4NCIHAY2XAIGE -m comment --comment kube-system/kube-dns:dns -m udp -p udp -j DNAT --to-destination 10.244.0.1:53
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> 10.244.0.1:53" -j KUBE-SEP-SMCPM4YTBGONWIQW
-A KUBE-SEP-SMCPM4YTBGONWIQW -m comment --comment kube-system/kube-dns:dns-tcp -s 10.244.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-SMCPM4YTBGONWIQW -m comment --comment kube-system/kube-dns:dns-tcp -m tcp -p tcp -j DNAT --to-destination 10.244.0.1:53
-A POSTROUTING -m comment --comment cali:O3lYWMrLQYEMJtB5 -j cali-POSTROUTING
-A cali-POSTROUTING -m comment --comment cali:Z-c7XtVd2Bq7s_hA -j cali-nat-outgoing
-A cali-nat-outgoing -s 10.244.0.0/16 ! -d 10.244.0.0/16 -m comment --comment cali:natOutgoing -j MASQUERADE --random-fully
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-PROXY-CANARY - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-SERVICES -m comment --comment "default/kubernetes:https has no endpoints" -m tcp -p tcp -d 10.96.0.1 --dport 443 -j REJECT
COMMIT
EOF

# netns pl-demo-x-a
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=0
ip link set lo up
ip link set eth0 up
ip addr add 10.244.0.0/32 dev eth0
ip route replace 169.254.1.1 dev eth0 scope link
ip route replace default via 169.254.1.1 dev eth0

# netns pl-demo-kube-system-cluster-dns
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=0
ip link set lo up
ip link set eth0 up
ip addr add 10.244.0.1/32 dev eth0
ip route replace 169.254.1.1 dev eth0 scope link
ip route replace default via 169.254.1.1 dev eth0

# netns pl-demo-node2
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv4.conf.all.route_localnet=1
sysctl -w net.ipv4.conf.cali08041ab898a.forwarding=1
sysctl -w net.ipv4.conf.cali08041ab898a.proxy_arp=1
sysctl -w net.ipv4.neigh.cali08041ab898a.proxy_delay=0
ip link set lo up
ip link set eth0 up
ip link add name cali08041ab898a address ee:ee:ee:ee:ee:ee mtu 1500 type veth peer name eth0 mtu 1500 netns pl-demo-x-b
ip link set cali08041ab898a up
ip addr add 172.18.0.12/24 dev eth0
ip route replace default via 172.18.0.1 dev eth0
ip route replace 10.244.0.64 dev cali08041ab898a scope link
iptables-restore <<EOF
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-PROXY-CANARY - [0:0]
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-PROXY-CANARY - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-DUP4NCIHAY2XAIGE - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-SMCPM4YTBGONWIQW - [0:0]
:cali-POSTROUTING - [0:0]
:cali-nat-outgoing - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 -j KUBE-SVC-ERIFXISQEP7F7OF4
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.244.0.1:53" -j KUBE-SEP-DUP4NCIHAY2XAIGE
-A KUBE-SEP-DUP4NCIHAY2XAIGE -m comment --comment kube-system/kube-dns:dns -s 10.244.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-DUP4NCIHAY2XAIGE -m comment --comment kube-system/kube-dns:dns -m udp -p udp -j DNAT --to-destination 10.244.0.1:53
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> 10.244.0.1:53" -j KUBE-SEP-SMCPM4YTBGONWIQW
-A KUBE-SEP-SMCPM4YTBGONWIQW -m comment --comment kube-system/kube-dns:dns-tcp -s 10.244.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-SMCPM4YTBGONWIQW -m comment --comment kube-system/kube-dns:dns-tcp -m tcp -p tcp -j DNAT --to-destination 10.244.0.1:53
-A POSTROUTING -m comment --comment cali:O3lYWMrLQYEMJtB5 -j cali-POSTROUTING
-A cali-POSTROUTING -m comment --comment cali:Z-c7XtVd2Bq7s_hA -j cali-nat-outgoing
-A cali-nat-outgoing -s 10.244.0.0/16 ! -d 10.244.0.0/16 -m comment --comment cali:natOutgoing -j MASQUERADE --random-fully
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-PROXY-CANARY - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-SERVICES -m comment --comment "default/kubernetes:https has no endpoints" -m tcp -p tcp -d 10.96.0.1 --dport 443 -j REJECT
COMMIT
EOF

# netns pl-demo-x-b
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=0
ip link set lo up
ip link set eth0 up
ip addr add 10.244.0.64/32 dev eth0
ip route replace 169.254.1.1 dev eth0 scope link
ip route replace default via 169.254.1.1 dev eth0

`
