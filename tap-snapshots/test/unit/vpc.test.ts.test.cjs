/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/unit/vpc.test.ts > TAP > the AWS CNI plan, as kernel commands > external host 1`] = `
# netns pl-demo-ext
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=0
ip link set lo up
ip link set eth0 up
ip addr add 172.18.0.100/24 dev eth0
ip route replace default via 172.18.0.1 dev eth0

`

exports[`test/unit/vpc.test.ts > TAP > the AWS CNI plan, as kernel commands > node1 1`] = `
# netns pl-demo-node1
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv4.conf.all.rp_filter=0
sysctl -w net.ipv4.conf.default.rp_filter=0
sysctl -w net.ipv4.conf.all.route_localnet=1
sysctl -w net.ipv4.conf.eth0.rp_filter=2
ip link set lo up
ip link set eth0 up
ip link add name eni456b416f2bf address 5a:e6:f7:1b:a1:2b mtu 1500 type veth peer name eth0 mtu 1500 netns pl-demo-x-a
ip link set eni456b416f2bf up
ip link add name enidd8450fefc4 address 72:79:46:85:43:9b mtu 1500 type veth peer name eth0 mtu 1500 netns pl-demo-kube-system-cluster-dns
ip link set enidd8450fefc4 up
ip addr add 10.0.0.10/24 dev eth0
ip route replace default via 10.0.0.1 dev eth0
ip route replace 10.0.0.11/32 dev eni456b416f2bf scope link
ip route replace 10.0.0.12/32 dev enidd8450fefc4 scope link
ip rule add pref 1024 fwmark 0x80/0x80 lookup main
ip rule add pref 512 to 10.0.0.11 lookup main
ip rule add pref 512 to 10.0.0.12 lookup main
iptables-restore <<EOF
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-PROXY-CANARY - [0:0]
-A PREROUTING -i eth0 -m comment --comment "AWS, primary ENI" -m addrtype --dst-type LOCAL --limit-iface-in -j CONNMARK --set-xmark 0x80/0x80
-A PREROUTING -i eni+ -m comment --comment "AWS, primary ENI" -j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80
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
:KUBE-SEP-F4Q3632WJ4NT43DT - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-AEHIRLN5YYNOA6R3 - [0:0]
:AWS-SNAT-CHAIN-0 - [0:0]
:AWS-CONNMARK-CHAIN-0 - [0:0]
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
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 ! -s 10.0.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.0.0.12:53" -j KUBE-SEP-F4Q3632WJ4NT43DT
-A KUBE-SEP-F4Q3632WJ4NT43DT -m comment --comment kube-system/kube-dns:dns -s 10.0.0.12 -j KUBE-MARK-MASQ
-A KUBE-SEP-F4Q3632WJ4NT43DT -m comment --comment kube-system/kube-dns:dns -m udp -p udp -j DNAT --to-destination 10.0.0.12:53
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 ! -s 10.0.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> 10.0.0.12:53" -j KUBE-SEP-AEHIRLN5YYNOA6R3
-A KUBE-SEP-AEHIRLN5YYNOA6R3 -m comment --comment kube-system/kube-dns:dns-tcp -s 10.0.0.12 -j KUBE-MARK-MASQ
-A KUBE-SEP-AEHIRLN5YYNOA6R3 -m comment --comment kube-system/kube-dns:dns-tcp -m tcp -p tcp -j DNAT --to-destination 10.0.0.12:53
-A POSTROUTING -m comment --comment "AWS SNAT CHAIN" -j AWS-SNAT-CHAIN-0
-A AWS-SNAT-CHAIN-0 -d 10.0.0.0/16 -m comment --comment "AWS SNAT CHAIN" -j RETURN
-A AWS-SNAT-CHAIN-0 -d 192.168.0.0/16 -m comment --comment "AWS SNAT CHAIN EXCLUSION" -j RETURN
-A AWS-SNAT-CHAIN-0 ! -o vlan+ -m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL -j SNAT --to-source 10.0.0.10 --random-fully
-A PREROUTING -i eni+ -m comment --comment "AWS, outbound connections" -j AWS-CONNMARK-CHAIN-0
-A PREROUTING -m comment --comment "AWS, CONNMARK" -j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80
-A AWS-CONNMARK-CHAIN-0 -d 10.0.0.0/16 -m comment --comment "AWS CONNMARK CHAIN" -j RETURN
-A AWS-CONNMARK-CHAIN-0 -d 192.168.0.0/16 -m comment --comment "AWS CONNMARK CHAIN, EXCLUDED" -j RETURN
-A AWS-CONNMARK-CHAIN-0 -m comment --comment "AWS, CONNMARK" -j CONNMARK --set-xmark 0x80/0x80
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

`

exports[`test/unit/vpc.test.ts > TAP > the AWS CNI plan, as kernel commands > pod x/a 1`] = `
# netns pl-demo-x-a
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=0
ip link set lo up
ip link set eth0 up
ip addr add 10.0.0.11/32 dev eth0
ip neigh replace 169.254.1.1 lladdr 5a:e6:f7:1b:a1:2b dev eth0 nud permanent
ip route replace 169.254.1.1/32 dev eth0 scope link
ip route replace default via 169.254.1.1 dev eth0

`

exports[`test/unit/vpc.test.ts > TAP > the AWS CNI plan, as kernel commands > VPC host 1`] = `
# netns pl-demo-host-bastion
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=0
ip link set lo up
ip link set eth0 up
ip addr add 10.0.255.10/24 dev eth0
ip route replace default via 10.0.255.1 dev eth0

`

exports[`test/unit/vpc.test.ts > TAP > the AWS CNI plan, as kernel commands > VPC router 1`] = `
# netns pl-demo-fabric
sysctl -w net.ipv6.conf.all.disable_ipv6=1
sysctl -w net.ipv6.conf.default.disable_ipv6=1
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv4.conf.all.rp_filter=0
sysctl -w net.ipv4.conf.default.rp_filter=0
ip link set lo up
ip link add name n-node1 mtu 1500 type veth peer name eth0 address d6:29:3b:25:1c:24 mtu 1500 netns pl-demo-node1
ip link set n-node1 up
ip link add name n-node2 mtu 1500 type veth peer name eth0 address 9e:c3:be:bc:9f:21 mtu 1500 netns pl-demo-node2
ip link set n-node2 up
ip link add name h-bastion mtu 1500 type veth peer name eth0 address 0e:95:51:56:13:ad mtu 1500 netns pl-demo-host-bastion
ip link set h-bastion up
ip link add name igw mtu 1500 type veth peer name eth0 address 26:54:3c:bf:35:90 mtu 1500 netns pl-demo-ext
ip link set igw up
ip addr add 10.0.0.1/24 dev n-node1
ip addr add 10.0.1.1/24 dev n-node2
ip addr add 10.0.255.1/24 dev h-bastion
ip addr add 172.18.0.1/24 dev igw
ip route replace 10.0.0.11/32 via 10.0.0.10 dev n-node1
ip route replace 10.0.1.11/32 via 10.0.1.10 dev n-node2
ip route replace 10.0.0.12/32 via 10.0.0.10 dev n-node1
iptables-restore <<EOF
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -i igw -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment "podlab igw" -j ACCEPT
-A FORWARD -i igw -d 10.0.0.10/32 -m comment --comment "podlab igw" -j ACCEPT
-A FORWARD -i igw -d 10.0.1.10/32 -m comment --comment "podlab igw" -j ACCEPT
-A FORWARD -i igw -m comment --comment "podlab igw" -j REJECT --reject-with icmp-net-unreachable
-A FORWARD -o igw -s 10.0.0.10/32 -m comment --comment "podlab igw" -j ACCEPT
-A FORWARD -o igw -s 10.0.1.10/32 -m comment --comment "podlab igw" -j ACCEPT
-A FORWARD -o igw -m comment --comment "podlab igw" -j DROP
COMMIT
EOF

`
