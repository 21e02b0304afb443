/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/unit/policy-rules.test.ts > TAP > bgp: iptables mode snapshot > filter table: the policy engine 1`] = `
COMMIT
COMMIT
*filter
:cali-pi-knp/x/deny-all - [0:0]
:cali-po-knp/x/deny-all - [0:0]
:cali-po-knp/x/egress - [0:0]
:cali-pi-knp/x/web - [0:0]
:cali-pri-kns.x - [0:0]
:cali-pro-kns.x - [0:0]
:cali-pri-kns.y - [0:0]
:cali-pro-kns.y - [0:0]
:cali-pri-kns.z - [0:0]
:cali-pro-kns.z - [0:0]
:cali-tw-cali2ccdca1a883 - [0:0]
:cali-fw-cali2ccdca1a883 - [0:0]
:cali-tw-cali456b416f2bf - [0:0]
:cali-fw-cali456b416f2bf - [0:0]
:cali-tw-calidac200d72ba - [0:0]
:cali-fw-calidac200d72ba - [0:0]
:cali-FORWARD - [0:0]
:cali-INPUT - [0:0]
:cali-OUTPUT - [0:0]
:cali-wl-to-host - [0:0]
:cali-from-wl-dispatch - [0:0]
:cali-to-wl-dispatch - [0:0]
-A INPUT -m comment --comment cali:Cz_u1IQiXIMmKD4c -j cali-INPUT
-A FORWARD -m comment --comment cali:wUHhoiAYhphO9Mso -j cali-FORWARD
-A OUTPUT -m comment --comment cali:tVnHkvAo15HuiPy0 -j cali-OUTPUT
-A cali-pi-knp/x/deny-all -m comment --comment cali:VjDOAGxTGqm2mfQe -m comment --comment "KubernetesNetworkPolicy x/deny-all ingress"
-A cali-po-knp/x/deny-all -m comment --comment cali:bEo_xbOw8mcRz0eX -m comment --comment "KubernetesNetworkPolicy x/deny-all egress"
-A cali-po-knp/x/egress -m comment --comment cali:cSuWAFziJOxIlgpS -m comment --comment "KubernetesNetworkPolicy x/egress egress" -j MARK --set-xmark 0x80000/0x180000
-A cali-po-knp/x/egress -d 10.244.1.0/24 -m comment --comment cali:GlUqaFxsiXW-BtNb -j MARK --set-xmark 0x0/0x80000
-A cali-po-knp/x/egress -d 10.244.2.0/24 -m comment --comment cali:iilRRjs4umKrUIUX -j MARK --set-xmark 0x0/0x80000
-A cali-po-knp/x/egress -d 10.0.0.0/8 -p tcp -m comment --comment cali:l28giYgxQIkjYwwh -m mark --mark 0x80000/0x80000 -m multiport --destination-ports 81:90 -j MARK --set-xmark 0x10000/0x10000
-A cali-po-knp/x/egress -m comment --comment cali:FMNVtIstPRqgDuT5 -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-po-knp/x/egress -p udp -m comment --comment cali:IJss2Zt5xSDVospe -m multiport --destination-ports 53 -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:YgKoe0FybLc0T283 -m comment --comment "KubernetesNetworkPolicy x/web ingress" -j MARK --set-xmark 0x0/0x180000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:hAL2nUWZ05OwpAM8 -m multiport --destination-ports 81 -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -m comment --comment cali:RPgD90QPQ3GUGALP -m set --match-set cali40n:zBmVCH-I4zGK3XLfXXEsdeZ dst,dst -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:jxqASGVQMBs-M80a -m mark --mark 0x80000/0x80000 -m set --match-set cali40s:KmdHoOEbZW2809KPxNEw2jU src -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:ed-7fsaAhsIZkSEv -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-pi-knp/x/web -m comment --comment cali:CgBA5OspsVCe5C0H -j MARK --set-xmark 0x0/0x180000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:lbnml3HqJh7298Zq -m multiport --destination-ports 81 -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -m comment --comment cali:mHpfKWpq3a0fLPxK -m set --match-set cali40n:zBmVCH-I4zGK3XLfXXEsdeZ dst,dst -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:A_SCaX8JSlyD1YRi -m mark --mark 0x80000/0x80000 -m set --match-set cali40s:ILzJ8EsJdaeyq6jAUxGihD9 src -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:0mshEJdxsu7wuYkT -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-pi-knp/x/web -p sctp -m comment --comment cali:NDEveYzlBOk6RUR2 -m multiport --destination-ports 80 -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.x -m comment --comment cali:dEooGv7_1TusR9WT -m comment --comment "Profile kns.x ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.x -m comment --comment cali:qK6xrwBMoC3zT9nO -m comment --comment "Profile kns.x egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.y -m comment --comment cali:CMmBwYWnzP2P6YhW -m comment --comment "Profile kns.y ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.y -m comment --comment cali:l_VSXMVOn02Ro8Ds -m comment --comment "Profile kns.y egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.z -m comment --comment cali:ZgPKImSMTdGArGQu -m comment --comment "Profile kns.z ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.z -m comment --comment cali:nFW6nZ_ex_1bM609 -m comment --comment "Profile kns.z egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:ej-wbvjRQnpGATo9 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:iyCvWlIkgDCiIlHF -m conntrack --ctstate INVALID -j DROP
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:jFrwlrPOm9QLpKom -j MARK --set-xmark 0x0/0x30000
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:57rQKVbdVfv71WFl -j cali-pri-kns.z
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:8BlapjyiuaL62Pm- -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:XAMnjeGrrm44zBd1 -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:SjqSN3i9wAgnlGqp -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:a5nRtSGd4fFM13ho -m conntrack --ctstate INVALID -j DROP
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:CLXiSFCpbmNUt7oC -j MARK --set-xmark 0x0/0x30000
-A cali-fw-cali2ccdca1a883 -p udp -m comment --comment cali:gnkXk2dEPk1ltNyX -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-cali2ccdca1a883 -p 4 -m comment --comment cali:Wk0iwK6Z_tyC7n7j -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:upoH37Lm5PbhLYZp -j cali-pro-kns.z
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:65xOL92RAUxRYodI -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:_XH4394LeEoUIeyV -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-cali456b416f2bf -m comment --comment cali:5UNb4azFs8glCvOh -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-cali456b416f2bf -m comment --comment cali:zRM3yW5nGpshear0 -m conntrack --ctstate INVALID -j DROP
-A cali-tw-cali456b416f2bf -m comment --comment cali:gFukt0gLZYDSRRZM -j MARK --set-xmark 0x0/0x30000
-A cali-tw-cali456b416f2bf -m comment --comment cali:U8ljJxKBmi7-wZk1 -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
-A cali-tw-cali456b416f2bf -m comment --comment cali:m46PA_51zc-emIQu -m mark --mark 0x0/0x20000 -j cali-pi-knp/x/deny-all
-A cali-tw-cali456b416f2bf -m comment --comment cali:3l7pjptyWXxll9tE -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali456b416f2bf -m comment --comment cali:lbY-i8YZE4oTB-Ih -m mark --mark 0x0/0x20000 -j cali-pi-knp/x/web
-A cali-tw-cali456b416f2bf -m comment --comment cali:i3SbvxS0-VRtnAA1 -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali456b416f2bf -m comment --comment cali:j0-oOcSzaLZqqFBY -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
-A cali-tw-cali456b416f2bf -m comment --comment cali:lC6RIQjumsIStwhJ -j cali-pri-kns.x
-A cali-tw-cali456b416f2bf -m comment --comment cali:sml_dZC7gS8Ss3-x -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali456b416f2bf -m comment --comment cali:fMsjM_2EwGJdU2Ni -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-cali456b416f2bf -m comment --comment cali:j0J3bTGdFxT1o5RD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-cali456b416f2bf -m comment --comment cali:MUTNApQf2JZEovUt -m conntrack --ctstate INVALID -j DROP
-A cali-fw-cali456b416f2bf -m comment --comment cali:4jETBq345mowFYJf -j MARK --set-xmark 0x0/0x30000
-A cali-fw-cali456b416f2bf -p udp -m comment --comment cali:u_AH3Jg547-TxAP9 -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-cali456b416f2bf -p 4 -m comment --comment cali:gYPv3RwZt-Vr5hXP -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-cali456b416f2bf -m comment --comment cali:ggUooHB78sWp6jeF -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
-A cali-fw-cali456b416f2bf -m comment --comment cali:XyiKM0ZuP0ucpleD -m mark --mark 0x0/0x20000 -j cali-po-knp/x/deny-all
-A cali-fw-cali456b416f2bf -m comment --comment cali:wftgAb1DmhPsPWAT -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali456b416f2bf -m comment --comment cali:eYLLL_8Dl5MujBw4 -m mark --mark 0x0/0x20000 -j cali-po-knp/x/egress
-A cali-fw-cali456b416f2bf -m comment --comment cali:7c1HTGaDgOG-9gN- -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali456b416f2bf -m comment --comment cali:4u43Ia6Ie87VqRMs -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
-A cali-fw-cali456b416f2bf -m comment --comment cali:wXyRgk0yCXb-Kf6b -j cali-pro-kns.x
-A cali-fw-cali456b416f2bf -m comment --comment cali:6Jg0c-nIu7IYr-RM -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali456b416f2bf -m comment --comment cali:Jt3kSpIJDebuZK12 -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-calidac200d72ba -m comment --comment cali:jll0VhFi0FvIkhJu -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-calidac200d72ba -m comment --comment cali:iGSmayo8N4R0XuYR -m conntrack --ctstate INVALID -j DROP
-A cali-tw-calidac200d72ba -m comment --comment cali:Tb1_3aSh45Psbtu8 -j MARK --set-xmark 0x0/0x30000
-A cali-tw-calidac200d72ba -m comment --comment cali:WTpnGSK18mJ0t8pL -j cali-pri-kns.y
-A cali-tw-calidac200d72ba -m comment --comment cali:IvwLAZHooztnxESN -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-calidac200d72ba -m comment --comment cali:L-Q27Uh-mkpRquV9 -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-calidac200d72ba -m comment --comment cali:sv4uywyQGE9in6nE -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-calidac200d72ba -m comment --comment cali:uM02Cp0EvfyHaR59 -m conntrack --ctstate INVALID -j DROP
-A cali-fw-calidac200d72ba -m comment --comment cali:91_LY98sReytfhpx -j MARK --set-xmark 0x0/0x30000
-A cali-fw-calidac200d72ba -p udp -m comment --comment cali:JBsqWsf6OdZsg8Fb -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-calidac200d72ba -p 4 -m comment --comment cali:F2f5Yf1K6Ir9Qbs3 -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-calidac200d72ba -m comment --comment cali:hkQzaWV3EYM0TZ8m -j cali-pro-kns.y
-A cali-fw-calidac200d72ba -m comment --comment cali:iZTidofVraM1NDlN -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-calidac200d72ba -m comment --comment cali:z6z4PnLnn4Ow2QSR -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-FORWARD -m comment --comment cali:MtrcaND6CigGIqev -j MARK --set-xmark 0x0/0x1a0000
-A cali-FORWARD -i cali+ -m comment --comment cali:TU_Zf7xj-sdGEaKV -j cali-from-wl-dispatch
-A cali-FORWARD -o cali+ -m comment --comment cali:0NjKa_r1i3XV2f9b -j cali-to-wl-dispatch
-A cali-INPUT -i cali+ -m comment --comment cali:3epgO-Qhpoci1nLw -g cali-wl-to-host
-A cali-INPUT -m comment --comment cali:p-9f3xHTSv_zZiqB -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -m comment --comment cali:MPehVK8iiSfAlCs1 -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -o cali+ -m comment --comment cali:HsyO8AhLzYR7KfxQ -j RETURN
-A cali-wl-to-host -m comment --comment cali:cYUR-DDjw_TpdcpK -j cali-from-wl-dispatch
-A cali-wl-to-host -m comment --comment cali:1a_-NC8dkQ-e3Ttd -m comment --comment "Configured DefaultEndpointToHostAction" -j ACCEPT
-A cali-from-wl-dispatch -i cali2ccdca1a883 -m comment --comment cali:Lw3cuwlKL-Tptgvc -g cali-fw-cali2ccdca1a883
-A cali-from-wl-dispatch -i cali456b416f2bf -m comment --comment cali:uQVQ-vexzwXr4mJr -g cali-fw-cali456b416f2bf
-A cali-from-wl-dispatch -i calidac200d72ba -m comment --comment cali:MI9vR3ukPTHFLD2U -g cali-fw-calidac200d72ba
-A cali-from-wl-dispatch -m comment --comment cali:W6FBMZciiYm8WTtO -m comment --comment "Unknown interface" -j DROP
-A cali-to-wl-dispatch -o cali2ccdca1a883 -m comment --comment cali:-HqG0wo6f5c2TcPv -g cali-tw-cali2ccdca1a883
-A cali-to-wl-dispatch -o cali456b416f2bf -m comment --comment cali:cjoFoqSZd13Vro04 -g cali-tw-cali456b416f2bf
-A cali-to-wl-dispatch -o calidac200d72ba -m comment --comment cali:uw0O0uRviZ-qY2Fm -g cali-tw-calidac200d72ba
-A cali-to-wl-dispatch -m comment --comment cali:71r2l0DkPCnllGH6 -m comment --comment "Unknown interface" -j DROP
COMMIT
`

exports[`test/unit/policy-rules.test.ts > TAP > bgp: iptables mode snapshot > ipset restore 1`] = `
create -exist cali40n:zBmVCH-I4zGK3XLfXXEsdeZ hash:ip,port family inet hashsize 1024 maxelem 1048576
create -exist cali4t1 hash:ip,port family inet hashsize 1024 maxelem 1048576
flush cali4t1
add cali4t1 10.244.0.0,tcp:80
swap cali4t1 cali40n:zBmVCH-I4zGK3XLfXXEsdeZ
destroy cali4t1
create -exist cali40s:ILzJ8EsJdaeyq6jAUxGihD9 hash:net family inet hashsize 1024 maxelem 1048576
create -exist cali4t0 hash:net family inet hashsize 1024 maxelem 1048576
flush cali4t0
add cali4t0 10.244.0.64
swap cali4t0 cali40s:ILzJ8EsJdaeyq6jAUxGihD9
destroy cali4t0
create -exist cali40s:KmdHoOEbZW2809KPxNEw2jU hash:net family inet hashsize 1024 maxelem 1048576
create -exist cali4t0 hash:net family inet hashsize 1024 maxelem 1048576
flush cali4t0
add cali4t0 10.244.0.1
add cali4t0 10.244.0.129
add cali4t0 10.244.0.65
swap cali4t0 cali40s:KmdHoOEbZW2809KPxNEw2jU
destroy cali4t0

`

exports[`test/unit/policy-rules.test.ts > TAP > bgp: nftables mode snapshot > the engine's nftables table 1`] = `
add table ip calico
delete table ip calico
add table ip calico { comment "network policy (Calico felix)" ; }
add chain ip calico filter-FORWARD { type filter hook forward priority filter ; policy accept ; }
add chain ip calico filter-INPUT { type filter hook input priority filter ; policy accept ; }
add chain ip calico filter-OUTPUT { type filter hook output priority filter ; policy accept ; }
add chain ip calico filter-cali-pi-knp/x/deny-all
add chain ip calico filter-cali-po-knp/x/deny-all
add chain ip calico filter-cali-po-knp/x/egress
add chain ip calico filter-cali-pi-knp/x/web
add chain ip calico filter-cali-pri-kns.x
add chain ip calico filter-cali-pro-kns.x
add chain ip calico filter-cali-pri-kns.y
add chain ip calico filter-cali-pro-kns.y
add chain ip calico filter-cali-pri-kns.z
add chain ip calico filter-cali-pro-kns.z
add chain ip calico filter-cali-tw-cali2ccdca1a883
add chain ip calico filter-cali-fw-cali2ccdca1a883
add chain ip calico filter-cali-tw-cali456b416f2bf
add chain ip calico filter-cali-fw-cali456b416f2bf
add chain ip calico filter-cali-tw-calidac200d72ba
add chain ip calico filter-cali-fw-calidac200d72ba
add chain ip calico filter-cali-FORWARD
add chain ip calico filter-cali-INPUT
add chain ip calico filter-cali-OUTPUT
add chain ip calico filter-cali-wl-to-host
add chain ip calico filter-cali-from-wl-dispatch
add chain ip calico filter-cali-to-wl-dispatch
add set ip calico cali40n-zBmVCH-I4zGK3XLfXXEsdeZ { type ipv4_addr . inet_proto . inet_service ; }
add element ip calico cali40n-zBmVCH-I4zGK3XLfXXEsdeZ { 10.244.0.0 . tcp . 80 }
add set ip calico cali40s-ILzJ8EsJdaeyq6jAUxGihD9 { type ipv4_addr ; flags interval ; }
add element ip calico cali40s-ILzJ8EsJdaeyq6jAUxGihD9 { 10.244.0.64 }
add set ip calico cali40s-KmdHoOEbZW2809KPxNEw2jU { type ipv4_addr ; flags interval ; }
add element ip calico cali40s-KmdHoOEbZW2809KPxNEw2jU { 10.244.0.1, 10.244.0.129, 10.244.0.65 }
add map ip calico filter-cali-from-wl-dispatch { type ifname : verdict ; }
add map ip calico filter-cali-to-wl-dispatch { type ifname : verdict ; }
add rule ip calico filter-FORWARD jump filter-cali-FORWARD comment "cali:dpfqBgJrpRwlrqw1"
add rule ip calico filter-FORWARD meta mark & 0x00010000 == 0x00010000 accept comment "cali:yp7iNUYNEhDmKF6E; Policy explicitly accepted packet."
add rule ip calico filter-FORWARD meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:fXaqbwKfGHq5dvHP"
add rule ip calico filter-INPUT jump filter-cali-INPUT comment "cali:H0S9z2pOh43UL0cc"
add rule ip calico filter-OUTPUT jump filter-cali-OUTPUT comment "cali:cxN7yDysHHPQSuUC"
add rule ip calico filter-cali-pi-knp/x/deny-all counter comment "cali:PNo9MZiz835FvClv; KubernetesNetworkPolicy x/deny-all ingress"
add rule ip calico filter-cali-po-knp/x/deny-all counter comment "cali:D5Hh_FiN-H4Hcv6O; KubernetesNetworkPolicy x/deny-all egress"
add rule ip calico filter-cali-po-knp/x/egress meta mark set meta mark & 0xffe7ffff | 0x00080000 comment "cali:S5JsnQo_K8bR2wgT; KubernetesNetworkPolicy x/egress egress"
add rule ip calico filter-cali-po-knp/x/egress ip daddr 10.244.1.0/24 meta mark set meta mark & 0xfff7ffff comment "cali:uE4hXwECWB0kWpug"
add rule ip calico filter-cali-po-knp/x/egress ip daddr 10.244.2.0/24 meta mark set meta mark & 0xfff7ffff comment "cali:37eMyLBc6cfEl8XI"
add rule ip calico filter-cali-po-knp/x/egress meta l4proto tcp ip daddr 10.0.0.0/8 meta mark & 0x00080000 == 0x00080000 th dport 81-90 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:vW-0fbz5I5IM7-3o"
add rule ip calico filter-cali-po-knp/x/egress meta mark & 0x00010000 == 0x00010000 return comment "cali:ocpezpRwSaipH3tl"
add rule ip calico filter-cali-po-knp/x/egress meta l4proto udp th dport 53 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:orbAkXsmhgN-lumc"
add rule ip calico filter-cali-pi-knp/x/web meta mark set meta mark & 0xffe7ffff comment "cali:F3n62MoYP5BpICE9; KubernetesNetworkPolicy x/web ingress"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp th dport 81 meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:rpcVNUq2MQh1r916"
add rule ip calico filter-cali-pi-knp/x/web ip daddr . meta l4proto . th dport @cali40n-zBmVCH-I4zGK3XLfXXEsdeZ meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:ofyU5g5WbEfFMk0d"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp meta mark & 0x00080000 == 0x00080000 ip saddr @cali40s-KmdHoOEbZW2809KPxNEw2jU meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:tZyqFjuEN8FwPmI-"
add rule ip calico filter-cali-pi-knp/x/web meta mark & 0x00010000 == 0x00010000 return comment "cali:-rVx8Ac5Eu-z-h2F"
add rule ip calico filter-cali-pi-knp/x/web meta mark set meta mark & 0xffe7ffff comment "cali:Jx0eTlzKqyTy08k-"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp th dport 81 meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:1UKR5qK2_c3tF3Ir"
add rule ip calico filter-cali-pi-knp/x/web ip daddr . meta l4proto . th dport @cali40n-zBmVCH-I4zGK3XLfXXEsdeZ meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:Nb0aBdyG-HTz1CbO"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp meta mark & 0x00080000 == 0x00080000 ip saddr @cali40s-ILzJ8EsJdaeyq6jAUxGihD9 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:7MfwWNCYnzVklhYk"
add rule ip calico filter-cali-pi-knp/x/web meta mark & 0x00010000 == 0x00010000 return comment "cali:01b7DoYRBK__s_Xs"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto sctp th dport 80 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:9Q65HNYw550L2SJK"
add rule ip calico filter-cali-pri-kns.x meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:awaqsN6vVkAheW-x; Profile kns.x ingress"
add rule ip calico filter-cali-pro-kns.x meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:B9Z9dPG4jqOq5P40; Profile kns.x egress"
add rule ip calico filter-cali-pri-kns.y meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:Zd7LIIZwE9npLbFR; Profile kns.y ingress"
add rule ip calico filter-cali-pro-kns.y meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:wR1k_OoFjzLUJlrU; Profile kns.y egress"
add rule ip calico filter-cali-pri-kns.z meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:YmMezy5tdobVi728; Profile kns.z ingress"
add rule ip calico filter-cali-pro-kns.z meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:K4H3tZ4W_NnpYXkM; Profile kns.z egress"
add rule ip calico filter-cali-tw-cali2ccdca1a883 ct state related,established accept comment "cali:MZMbl9hV3qa5lcwZ"
add rule ip calico filter-cali-tw-cali2ccdca1a883 ct state invalid drop comment "cali:mG8_Am2OuC_MCp7h"
add rule ip calico filter-cali-tw-cali2ccdca1a883 meta mark set meta mark & 0xfffcffff comment "cali:Q5RQ_YMxT4H1pTnm"
add rule ip calico filter-cali-tw-cali2ccdca1a883 jump filter-cali-pri-kns.z comment "cali:1cuZUbxL5M7vSAOf"
add rule ip calico filter-cali-tw-cali2ccdca1a883 meta mark & 0x00010000 == 0x00010000 return comment "cali:qLpTUkUHNMZpdkgS; Return if profile accepted"
add rule ip calico filter-cali-tw-cali2ccdca1a883 drop comment "cali:Os3E8nlHN7a01FWZ; Drop if no profiles matched"
add rule ip calico filter-cali-fw-cali2ccdca1a883 ct state related,established accept comment "cali:1omOLKt704M48by-"
add rule ip calico filter-cali-fw-cali2ccdca1a883 ct state invalid drop comment "cali:yKMr3tjtTn9urYU-"
add rule ip calico filter-cali-fw-cali2ccdca1a883 meta mark set meta mark & 0xfffcffff comment "cali:ivZQ7rTulbcb3GKG"
add rule ip calico filter-cali-fw-cali2ccdca1a883 meta l4proto udp th dport 4789 drop comment "cali:mt6VIbqwZ2qGtRcZ; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-cali2ccdca1a883 meta l4proto 4 drop comment "cali:3kBwkJ5BDENN1Tf1; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-cali2ccdca1a883 jump filter-cali-pro-kns.z comment "cali:wPrTKnrh62umDKFO"
add rule ip calico filter-cali-fw-cali2ccdca1a883 meta mark & 0x00010000 == 0x00010000 return comment "cali:P4L_7JO0y-YNmKS2; Return if profile accepted"
add rule ip calico filter-cali-fw-cali2ccdca1a883 drop comment "cali:8qn5_cLKjeg42gp-; Drop if no profiles matched"
add rule ip calico filter-cali-tw-cali456b416f2bf ct state related,established accept comment "cali:qkJU6UvT0r0b9w3o"
add rule ip calico filter-cali-tw-cali456b416f2bf ct state invalid drop comment "cali:Z3EdW3VNbeuEcaxI"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark set meta mark & 0xfffcffff comment "cali:b4OxfYD3K2eL89uL"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark set meta mark & 0xfffdffff comment "cali:Gs1zq0WwSPa4eAlM; Start of tier default"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 jump filter-cali-pi-knp/x/deny-all comment "cali:wCvDics7cZSOQuSG"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:oL4NnHmF2l5FOYgg; Return if policy accepted"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 jump filter-cali-pi-knp/x/web comment "cali:hNoQKr2vjm6Y0wSS"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:TqCfhxMnzVreTHgO; Return if policy accepted"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 drop comment "cali:EchsIapGiR94H_w8; End of tier default. Drop if no policies passed packet"
add rule ip calico filter-cali-tw-cali456b416f2bf jump filter-cali-pri-kns.x comment "cali:jwp5BPOWE5G9vUXz"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:pg5WZf3WnAfq1apA; Return if profile accepted"
add rule ip calico filter-cali-tw-cali456b416f2bf drop comment "cali:CoXZedfuEGE6moPu; Drop if no profiles matched"
add rule ip calico filter-cali-fw-cali456b416f2bf ct state related,established accept comment "cali:W0ILv3UAaI5PGSqO"
add rule ip calico filter-cali-fw-cali456b416f2bf ct state invalid drop comment "cali:NlAr_cj81ne5lx42"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark set meta mark & 0xfffcffff comment "cali:l85Cx1Lq5CzPBVMM"
add rule ip calico filter-cali-fw-cali456b416f2bf meta l4proto udp th dport 4789 drop comment "cali:7QgFvx1ILePmIzXP; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-cali456b416f2bf meta l4proto 4 drop comment "cali:lsXPCrjeyO_wPdQP; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark set meta mark & 0xfffdffff comment "cali:RvVQNFok6-_3drhj; Start of tier default"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 jump filter-cali-po-knp/x/deny-all comment "cali:zH7IYwv9Z95sTAXA"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:ESHn-QpFwL1b5ghD; Return if policy accepted"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 jump filter-cali-po-knp/x/egress comment "cali:5m2JzS6G6FqRgnVu"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:2pDQkE_NzZIZAo_e; Return if policy accepted"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 drop comment "cali:c8PstgT4I0dP2TpA; End of tier default. Drop if no policies passed packet"
add rule ip calico filter-cali-fw-cali456b416f2bf jump filter-cali-pro-kns.x comment "cali:C59hUWyqZ2lKBY8w"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:5ZpMxnOtkN9QRPGZ; Return if profile accepted"
add rule ip calico filter-cali-fw-cali456b416f2bf drop comment "cali:a6-HsL87OizlVvvO; Drop if no profiles matched"
add rule ip calico filter-cali-tw-calidac200d72ba ct state related,established accept comment "cali:sIIeI7j8V9EGPxT0"
add rule ip calico filter-cali-tw-calidac200d72ba ct state invalid drop comment "cali:AMJgUOY4ZOczPcm4"
add rule ip calico filter-cali-tw-calidac200d72ba meta mark set meta mark & 0xfffcffff comment "cali:-0y_DCM0GL68LX9K"
add rule ip calico filter-cali-tw-calidac200d72ba jump filter-cali-pri-kns.y comment "cali:RL4STvq3rYO1k5a2"
add rule ip calico filter-cali-tw-calidac200d72ba meta mark & 0x00010000 == 0x00010000 return comment "cali:pTAGNMhZUbrQLKDQ; Return if profile accepted"
add rule ip calico filter-cali-tw-calidac200d72ba drop comment "cali:v70Gkv4tQKVF2R46; Drop if no profiles matched"
add rule ip calico filter-cali-fw-calidac200d72ba ct state related,established accept comment "cali:Vg_ufnq5EsHlqBaj"
add rule ip calico filter-cali-fw-calidac200d72ba ct state invalid drop comment "cali:VHFFXdBBGVqTnv53"
add rule ip calico filter-cali-fw-calidac200d72ba meta mark set meta mark & 0xfffcffff comment "cali:aSfAKxV4-GDrQuiI"
add rule ip calico filter-cali-fw-calidac200d72ba meta l4proto udp th dport 4789 drop comment "cali:SdAF6Q_WTYWyPWqP; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-calidac200d72ba meta l4proto 4 drop comment "cali:vxHpOx8HBQ51mI01; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-calidac200d72ba jump filter-cali-pro-kns.y comment "cali:uHoOeg5wXuUzc8zL"
add rule ip calico filter-cali-fw-calidac200d72ba meta mark & 0x00010000 == 0x00010000 return comment "cali:C0_vwtigeekRHgVp; Return if profile accepted"
add rule ip calico filter-cali-fw-calidac200d72ba drop comment "cali:pu6mJqqJTKsMu_zA; Drop if no profiles matched"
add rule ip calico filter-cali-FORWARD meta mark set meta mark & 0xffe5ffff comment "cali:N2k3tUD0b3KQS8K1"
add rule ip calico filter-cali-FORWARD iifname "cali*" jump filter-cali-from-wl-dispatch comment "cali:Sc-uzjMaomTx8uGf"
add rule ip calico filter-cali-FORWARD oifname "cali*" jump filter-cali-to-wl-dispatch comment "cali:_jlWMeEORu25cyv2"
add rule ip calico filter-cali-INPUT iifname "cali*" goto filter-cali-wl-to-host comment "cali:7z8aND9Mw49x5tiz"
add rule ip calico filter-cali-INPUT meta mark & 0x00010000 == 0x00010000 accept comment "cali:2T9frsV1CRawYwFC"
add rule ip calico filter-cali-OUTPUT meta mark & 0x00010000 == 0x00010000 accept comment "cali:9kCKjGF-PbkFfx51"
add rule ip calico filter-cali-OUTPUT oifname "cali*" return comment "cali:j4dCPXqHq5Kp5ZS8"
add rule ip calico filter-cali-wl-to-host jump filter-cali-from-wl-dispatch comment "cali:F3eT5kM5UsGyw98U"
add rule ip calico filter-cali-wl-to-host accept comment "cali:prqwX39FRAUjeOxK; Configured DefaultEndpointToHostAction"
add rule ip calico filter-cali-from-wl-dispatch iifname vmap @filter-cali-from-wl-dispatch
add rule ip calico filter-cali-from-wl-dispatch drop comment "Unknown interface"
add element ip calico filter-cali-from-wl-dispatch { "cali2ccdca1a883" : goto filter-cali-fw-cali2ccdca1a883, "cali456b416f2bf" : goto filter-cali-fw-cali456b416f2bf, "calidac200d72ba" : goto filter-cali-fw-calidac200d72ba }
add rule ip calico filter-cali-to-wl-dispatch oifname vmap @filter-cali-to-wl-dispatch
add rule ip calico filter-cali-to-wl-dispatch drop comment "Unknown interface"
add element ip calico filter-cali-to-wl-dispatch { "cali2ccdca1a883" : goto filter-cali-tw-cali2ccdca1a883, "cali456b416f2bf" : goto filter-cali-tw-cali456b416f2bf, "calidac200d72ba" : goto filter-cali-tw-calidac200d72ba }

`

exports[`test/unit/policy-rules.test.ts > TAP > overlay: iptables mode snapshot > filter table: the policy engine 1`] = `
COMMIT
COMMIT
*filter
:cali-pi-knp/x/deny-all - [0:0]
:cali-po-knp/x/deny-all - [0:0]
:cali-po-knp/x/egress - [0:0]
:cali-pi-knp/x/web - [0:0]
:cali-pri-kns.x - [0:0]
:cali-pro-kns.x - [0:0]
:cali-pri-kns.y - [0:0]
:cali-pro-kns.y - [0:0]
:cali-pri-kns.z - [0:0]
:cali-pro-kns.z - [0:0]
:cali-tw-veth40807a84 - [0:0]
:cali-fw-veth40807a84 - [0:0]
:cali-tw-veth5a287e26 - [0:0]
:cali-fw-veth5a287e26 - [0:0]
:cali-tw-vethc79b6103 - [0:0]
:cali-fw-vethc79b6103 - [0:0]
:cali-FORWARD - [0:0]
:cali-INPUT - [0:0]
:cali-OUTPUT - [0:0]
:cali-wl-to-host - [0:0]
:cali-from-wl-dispatch - [0:0]
:cali-to-wl-dispatch - [0:0]
-A INPUT -m comment --comment cali:Cz_u1IQiXIMmKD4c -j cali-INPUT
-A FORWARD -m comment --comment cali:wUHhoiAYhphO9Mso -j cali-FORWARD
-A OUTPUT -m comment --comment cali:tVnHkvAo15HuiPy0 -j cali-OUTPUT
-A cali-pi-knp/x/deny-all -m comment --comment cali:VjDOAGxTGqm2mfQe -m comment --comment "KubernetesNetworkPolicy x/deny-all ingress"
-A cali-po-knp/x/deny-all -m comment --comment cali:bEo_xbOw8mcRz0eX -m comment --comment "KubernetesNetworkPolicy x/deny-all egress"
-A cali-po-knp/x/egress -m comment --comment cali:cSuWAFziJOxIlgpS -m comment --comment "KubernetesNetworkPolicy x/egress egress" -j MARK --set-xmark 0x80000/0x180000
-A cali-po-knp/x/egress -d 10.244.1.0/24 -m comment --comment cali:GlUqaFxsiXW-BtNb -j MARK --set-xmark 0x0/0x80000
-A cali-po-knp/x/egress -d 10.244.2.0/24 -m comment --comment cali:iilRRjs4umKrUIUX -j MARK --set-xmark 0x0/0x80000
-A cali-po-knp/x/egress -d 10.0.0.0/8 -p tcp -m comment --comment cali:l28giYgxQIkjYwwh -m mark --mark 0x80000/0x80000 -m multiport --destination-ports 81:90 -j MARK --set-xmark 0x10000/0x10000
-A cali-po-knp/x/egress -m comment --comment cali:FMNVtIstPRqgDuT5 -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-po-knp/x/egress -p udp -m comment --comment cali:IJss2Zt5xSDVospe -m multiport --destination-ports 53 -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:YgKoe0FybLc0T283 -m comment --comment "KubernetesNetworkPolicy x/web ingress" -j MARK --set-xmark 0x0/0x180000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:hAL2nUWZ05OwpAM8 -m multiport --destination-ports 81 -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -m comment --comment cali:RPgD90QPQ3GUGALP -m set --match-set cali40n:zBmVCH-I4zGK3XLfXXEsdeZ dst,dst -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:jxqASGVQMBs-M80a -m mark --mark 0x80000/0x80000 -m set --match-set cali40s:KmdHoOEbZW2809KPxNEw2jU src -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:ed-7fsaAhsIZkSEv -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-pi-knp/x/web -m comment --comment cali:CgBA5OspsVCe5C0H -j MARK --set-xmark 0x0/0x180000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:lbnml3HqJh7298Zq -m multiport --destination-ports 81 -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -m comment --comment cali:mHpfKWpq3a0fLPxK -m set --match-set cali40n:zBmVCH-I4zGK3XLfXXEsdeZ dst,dst -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:A_SCaX8JSlyD1YRi -m mark --mark 0x80000/0x80000 -m set --match-set cali40s:ILzJ8EsJdaeyq6jAUxGihD9 src -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:0mshEJdxsu7wuYkT -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-pi-knp/x/web -p sctp -m comment --comment cali:NDEveYzlBOk6RUR2 -m multiport --destination-ports 80 -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.x -m comment --comment cali:dEooGv7_1TusR9WT -m comment --comment "Profile kns.x ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.x -m comment --comment cali:qK6xrwBMoC3zT9nO -m comment --comment "Profile kns.x egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.y -m comment --comment cali:CMmBwYWnzP2P6YhW -m comment --comment "Profile kns.y ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.y -m comment --comment cali:l_VSXMVOn02Ro8Ds -m comment --comment "Profile kns.y egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.z -m comment --comment cali:ZgPKImSMTdGArGQu -m comment --comment "Profile kns.z ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.z -m comment --comment cali:nFW6nZ_ex_1bM609 -m comment --comment "Profile kns.z egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-tw-veth40807a84 -m comment --comment cali:t5mRamSirNj2m5j8 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-veth40807a84 -m comment --comment cali:tNBqDEOfgqCSNvBV -m conntrack --ctstate INVALID -j DROP
-A cali-tw-veth40807a84 -m comment --comment cali:u3ahwYs_ppePPUO7 -j MARK --set-xmark 0x0/0x30000
-A cali-tw-veth40807a84 -m comment --comment cali:g9zGRp5aJPr5HkJF -j cali-pri-kns.y
-A cali-tw-veth40807a84 -m comment --comment cali:1AZrUxqfrS_6hs9B -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-veth40807a84 -m comment --comment cali:LZINBaX-DxIPb3MQ -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-veth40807a84 -m comment --comment cali:0NScJksRFnjOh2YP -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-veth40807a84 -m comment --comment cali:0uFC-BurnfqLz6RG -m conntrack --ctstate INVALID -j DROP
-A cali-fw-veth40807a84 -m comment --comment cali:5wxaDFoCSiAFIBtj -j MARK --set-xmark 0x0/0x30000
-A cali-fw-veth40807a84 -p udp -m comment --comment cali:OUphDbgReqGBkh-S -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-veth40807a84 -p 4 -m comment --comment cali:DvA_o1oLjg9EgOh5 -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-veth40807a84 -m comment --comment cali:p1U3jIghrUojtu76 -j cali-pro-kns.y
-A cali-fw-veth40807a84 -m comment --comment cali:SuzxqSJTGSrF4YFj -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-veth40807a84 -m comment --comment cali:6D35OX1FFYVfzaEA -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-veth5a287e26 -m comment --comment cali:bqLxJ2Ths_xWAjG6 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-veth5a287e26 -m comment --comment cali:ePLerZYgSIxbQD2r -m conntrack --ctstate INVALID -j DROP
-A cali-tw-veth5a287e26 -m comment --comment cali:6zA9UsDLk1LSh7RW -j MARK --set-xmark 0x0/0x30000
-A cali-tw-veth5a287e26 -m comment --comment cali:KngrXCw8VXG3pnTE -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
-A cali-tw-veth5a287e26 -m comment --comment cali:8FH82oJzwSWWcO9O -m mark --mark 0x0/0x20000 -j cali-pi-knp/x/deny-all
-A cali-tw-veth5a287e26 -m comment --comment cali:61bC_-9igAgW9Xbb -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-veth5a287e26 -m comment --comment cali:Y6Zk0lgmuPliKI3O -m mark --mark 0x0/0x20000 -j cali-pi-knp/x/web
-A cali-tw-veth5a287e26 -m comment --comment cali:QDhUuGw5OIhIPea9 -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-veth5a287e26 -m comment --comment cali:mf143gX3OE4tTsSE -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
-A cali-tw-veth5a287e26 -m comment --comment cali:-TQUD0oIEDEYNefm -j cali-pri-kns.x
-A cali-tw-veth5a287e26 -m comment --comment cali:2MPTHwRE_Ymi2zXG -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-veth5a287e26 -m comment --comment cali:hCdfegjjExBF7XYN -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-veth5a287e26 -m comment --comment cali:UzZU75iIdLLeMaKC -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-veth5a287e26 -m comment --comment cali:C6e0fouz4s-HhwTF -m conntrack --ctstate INVALID -j DROP
-A cali-fw-veth5a287e26 -m comment --comment cali:jw1TXig4SkykJP5a -j MARK --set-xmark 0x0/0x30000
-A cali-fw-veth5a287e26 -p udp -m comment --comment cali:p6ud4aLwnkHYnm9M -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-veth5a287e26 -p 4 -m comment --comment cali:MHzBeEQBRrbAr8Ab -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-veth5a287e26 -m comment --comment cali:lSXm2vm1nfT-HJD2 -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
-A cali-fw-veth5a287e26 -m comment --comment cali:qxrAtzm1VvlzWRzY -m mark --mark 0x0/0x20000 -j cali-po-knp/x/deny-all
-A cali-fw-veth5a287e26 -m comment --comment cali:IqggNjMbZpIP3QAN -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-veth5a287e26 -m comment --comment cali:V0AZFc5N5JE8avrr -m mark --mark 0x0/0x20000 -j cali-po-knp/x/egress
-A cali-fw-veth5a287e26 -m comment --comment cali:QCY-U9S6eOdROq1A -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-veth5a287e26 -m comment --comment cali:K-R8G6oKItDnZkBQ -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
-A cali-fw-veth5a287e26 -m comment --comment cali:65qywCw5sdx67ifg -j cali-pro-kns.x
-A cali-fw-veth5a287e26 -m comment --comment cali:2esace44-RS-OAMQ -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-veth5a287e26 -m comment --comment cali:XxaoMwGu-kDVdxlJ -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-vethc79b6103 -m comment --comment cali:FNgrwGfHiUBjWG23 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-vethc79b6103 -m comment --comment cali:DehrGLg9WX8R0Fva -m conntrack --ctstate INVALID -j DROP
-A cali-tw-vethc79b6103 -m comment --comment cali:vGiimlK4d9SBdGsX -j MARK --set-xmark 0x0/0x30000
-A cali-tw-vethc79b6103 -m comment --comment cali:bKhK4WS7R2a6ZnT_ -j cali-pri-kns.z
-A cali-tw-vethc79b6103 -m comment --comment cali:skQJH6oYduJvBkkZ -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-vethc79b6103 -m comment --comment cali:fep_A5TpMjTTNqEG -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-vethc79b6103 -m comment --comment cali:UCYrPDnJ2h6JWufa -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-vethc79b6103 -m comment --comment cali:elg0wqhN82Apq1ZC -m conntrack --ctstate INVALID -j DROP
-A cali-fw-vethc79b6103 -m comment --comment cali:4O-bCHTh43rAfvsy -j MARK --set-xmark 0x0/0x30000
-A cali-fw-vethc79b6103 -p udp -m comment --comment cali:Eup6dBClxor8NJrd -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-vethc79b6103 -p 4 -m comment --comment cali:7rPv5w1x_7AEdwV8 -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-vethc79b6103 -m comment --comment cali:v-1fPH-ggnVWNMKD -j cali-pro-kns.z
-A cali-fw-vethc79b6103 -m comment --comment cali:2XU2kMBjel2kGSwS -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-vethc79b6103 -m comment --comment cali:8tXzUTlFLw-IZyK- -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-FORWARD -m comment --comment cali:MtrcaND6CigGIqev -j MARK --set-xmark 0x0/0x1a0000
-A cali-FORWARD -m comment --comment cali:eIHTYWF5Hb3eii6_ -m physdev --physdev-in veth+ -j cali-from-wl-dispatch
-A cali-FORWARD -o cni0 -m comment --comment cali:8bfJcHZjvoVGg1TM -j cali-to-wl-dispatch
-A cali-INPUT -m comment --comment cali:q47AEtM1Q8lqmvqk -m physdev --physdev-in veth+ -g cali-wl-to-host
-A cali-INPUT -m comment --comment cali:kRXgcaGGm356SbJe -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -m comment --comment cali:MPehVK8iiSfAlCs1 -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -o cni0 -m comment --comment cali:-9kvD4HrbkHg_riI -j RETURN
-A cali-wl-to-host -m comment --comment cali:cYUR-DDjw_TpdcpK -j cali-from-wl-dispatch
-A cali-wl-to-host -m comment --comment cali:1a_-NC8dkQ-e3Ttd -m comment --comment "Configured DefaultEndpointToHostAction" -j ACCEPT
-A cali-from-wl-dispatch -m comment --comment cali:bmREkxhsIbR-nszQ -m physdev --physdev-in veth40807a84 -g cali-fw-veth40807a84
-A cali-from-wl-dispatch -m comment --comment cali:E6f3rdpfP7gsmuda -m physdev --physdev-in veth5a287e26 -g cali-fw-veth5a287e26
-A cali-from-wl-dispatch -m comment --comment cali:5NYIIr7xcGfFuD1a -m physdev --physdev-in vethc79b6103 -g cali-fw-vethc79b6103
-A cali-from-wl-dispatch -m comment --comment cali:2fWDl5q-xRCZgrbR -m comment --comment "Unknown interface" -j DROP
-A cali-to-wl-dispatch -d 10.244.0.3/32 -m comment --comment cali:lafLX1ee7JxKp2Nn -g cali-tw-veth40807a84
-A cali-to-wl-dispatch -d 10.244.0.2/32 -m comment --comment cali:NjsH0pitb923w29t -g cali-tw-veth5a287e26
-A cali-to-wl-dispatch -d 10.244.0.4/32 -m comment --comment cali:5qkl9s_Um3oKfntI -g cali-tw-vethc79b6103
-A cali-to-wl-dispatch -m comment --comment cali:sEpvjxyGhEoUUzSY -m comment --comment "Unknown interface" -j DROP
COMMIT
`

exports[`test/unit/policy-rules.test.ts > TAP > overlay: iptables mode snapshot > ipset restore 1`] = `
create -exist cali40n:zBmVCH-I4zGK3XLfXXEsdeZ hash:ip,port family inet hashsize 1024 maxelem 1048576
create -exist cali4t1 hash:ip,port family inet hashsize 1024 maxelem 1048576
flush cali4t1
add cali4t1 10.244.0.2,tcp:80
swap cali4t1 cali40n:zBmVCH-I4zGK3XLfXXEsdeZ
destroy cali4t1
create -exist cali40s:ILzJ8EsJdaeyq6jAUxGihD9 hash:net family inet hashsize 1024 maxelem 1048576
create -exist cali4t0 hash:net family inet hashsize 1024 maxelem 1048576
flush cali4t0
add cali4t0 10.244.1.2
swap cali4t0 cali40s:ILzJ8EsJdaeyq6jAUxGihD9
destroy cali4t0
create -exist cali40s:KmdHoOEbZW2809KPxNEw2jU hash:net family inet hashsize 1024 maxelem 1048576
create -exist cali4t0 hash:net family inet hashsize 1024 maxelem 1048576
flush cali4t0
add cali4t0 10.244.0.3
add cali4t0 10.244.1.3
add cali4t0 10.244.2.3
swap cali4t0 cali40s:KmdHoOEbZW2809KPxNEw2jU
destroy cali4t0

`

exports[`test/unit/policy-rules.test.ts > TAP > overlay: nftables mode snapshot > the engine's nftables table 1`] = `
add table ip calico
delete table ip calico
add table ip calico { comment "network policy (Calico felix)" ; }
add chain ip calico filter-FORWARD { type filter hook forward priority filter ; policy accept ; }
add chain ip calico filter-INPUT { type filter hook input priority filter ; policy accept ; }
add chain ip calico filter-OUTPUT { type filter hook output priority filter ; policy accept ; }
add chain ip calico filter-cali-pi-knp/x/deny-all
add chain ip calico filter-cali-po-knp/x/deny-all
add chain ip calico filter-cali-po-knp/x/egress
add chain ip calico filter-cali-pi-knp/x/web
add chain ip calico filter-cali-pri-kns.x
add chain ip calico filter-cali-pro-kns.x
add chain ip calico filter-cali-pri-kns.y
add chain ip calico filter-cali-pro-kns.y
add chain ip calico filter-cali-pri-kns.z
add chain ip calico filter-cali-pro-kns.z
add chain ip calico filter-cali-tw-veth40807a84
add chain ip calico filter-cali-fw-veth40807a84
add chain ip calico filter-cali-tw-veth5a287e26
add chain ip calico filter-cali-fw-veth5a287e26
add chain ip calico filter-cali-tw-vethc79b6103
add chain ip calico filter-cali-fw-vethc79b6103
add chain ip calico filter-cali-FORWARD
add chain ip calico filter-cali-INPUT
add chain ip calico filter-cali-OUTPUT
add chain ip calico filter-cali-wl-to-host
add chain ip calico filter-cali-from-wl-dispatch
add chain ip calico filter-cali-to-wl-dispatch
add set ip calico cali40n-zBmVCH-I4zGK3XLfXXEsdeZ { type ipv4_addr . inet_proto . inet_service ; }
add element ip calico cali40n-zBmVCH-I4zGK3XLfXXEsdeZ { 10.244.0.2 . tcp . 80 }
add set ip calico cali40s-ILzJ8EsJdaeyq6jAUxGihD9 { type ipv4_addr ; flags interval ; }
add element ip calico cali40s-ILzJ8EsJdaeyq6jAUxGihD9 { 10.244.1.2 }
add set ip calico cali40s-KmdHoOEbZW2809KPxNEw2jU { type ipv4_addr ; flags interval ; }
add element ip calico cali40s-KmdHoOEbZW2809KPxNEw2jU { 10.244.0.3, 10.244.1.3, 10.244.2.3 }
add map ip calico filter-cali-from-wl-dispatch { type ipv4_addr : verdict ; }
add map ip calico filter-cali-to-wl-dispatch { type ipv4_addr : verdict ; }
add rule ip calico filter-FORWARD jump filter-cali-FORWARD comment "cali:dpfqBgJrpRwlrqw1"
add rule ip calico filter-FORWARD meta mark & 0x00010000 == 0x00010000 accept comment "cali:yp7iNUYNEhDmKF6E; Policy explicitly accepted packet."
add rule ip calico filter-FORWARD meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:fXaqbwKfGHq5dvHP"
add rule ip calico filter-INPUT jump filter-cali-INPUT comment "cali:H0S9z2pOh43UL0cc"
add rule ip calico filter-OUTPUT jump filter-cali-OUTPUT comment "cali:cxN7yDysHHPQSuUC"
add rule ip calico filter-cali-pi-knp/x/deny-all counter comment "cali:PNo9MZiz835FvClv; KubernetesNetworkPolicy x/deny-all ingress"
add rule ip calico filter-cali-po-knp/x/deny-all counter comment "cali:D5Hh_FiN-H4Hcv6O; KubernetesNetworkPolicy x/deny-all egress"
add rule ip calico filter-cali-po-knp/x/egress meta mark set meta mark & 0xffe7ffff | 0x00080000 comment "cali:S5JsnQo_K8bR2wgT; KubernetesNetworkPolicy x/egress egress"
add rule ip calico filter-cali-po-knp/x/egress ip daddr 10.244.1.0/24 meta mark set meta mark & 0xfff7ffff comment "cali:uE4hXwECWB0kWpug"
add rule ip calico filter-cali-po-knp/x/egress ip daddr 10.244.2.0/24 meta mark set meta mark & 0xfff7ffff comment "cali:37eMyLBc6cfEl8XI"
add rule ip calico filter-cali-po-knp/x/egress meta l4proto tcp ip daddr 10.0.0.0/8 meta mark & 0x00080000 == 0x00080000 th dport 81-90 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:vW-0fbz5I5IM7-3o"
add rule ip calico filter-cali-po-knp/x/egress meta mark & 0x00010000 == 0x00010000 return comment "cali:ocpezpRwSaipH3tl"
add rule ip calico filter-cali-po-knp/x/egress meta l4proto udp th dport 53 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:orbAkXsmhgN-lumc"
add rule ip calico filter-cali-pi-knp/x/web meta mark set meta mark & 0xffe7ffff comment "cali:F3n62MoYP5BpICE9; KubernetesNetworkPolicy x/web ingress"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp th dport 81 meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:rpcVNUq2MQh1r916"
add rule ip calico filter-cali-pi-knp/x/web ip daddr . meta l4proto . th dport @cali40n-zBmVCH-I4zGK3XLfXXEsdeZ meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:ofyU5g5WbEfFMk0d"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp meta mark & 0x00080000 == 0x00080000 ip saddr @cali40s-KmdHoOEbZW2809KPxNEw2jU meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:tZyqFjuEN8FwPmI-"
add rule ip calico filter-cali-pi-knp/x/web meta mark & 0x00010000 == 0x00010000 return comment "cali:-rVx8Ac5Eu-z-h2F"
add rule ip calico filter-cali-pi-knp/x/web meta mark set meta mark & 0xffe7ffff comment "cali:Jx0eTlzKqyTy08k-"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp th dport 81 meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:1UKR5qK2_c3tF3Ir"
add rule ip calico filter-cali-pi-knp/x/web ip daddr . meta l4proto . th dport @cali40n-zBmVCH-I4zGK3XLfXXEsdeZ meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:Nb0aBdyG-HTz1CbO"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp meta mark & 0x00080000 == 0x00080000 ip saddr @cali40s-ILzJ8EsJdaeyq6jAUxGihD9 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:7MfwWNCYnzVklhYk"
add rule ip calico filter-cali-pi-knp/x/web meta mark & 0x00010000 == 0x00010000 return comment "cali:01b7DoYRBK__s_Xs"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto sctp th dport 80 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:9Q65HNYw550L2SJK"
add rule ip calico filter-cali-pri-kns.x meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:awaqsN6vVkAheW-x; Profile kns.x ingress"
add rule ip calico filter-cali-pro-kns.x meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:B9Z9dPG4jqOq5P40; Profile kns.x egress"
add rule ip calico filter-cali-pri-kns.y meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:Zd7LIIZwE9npLbFR; Profile kns.y ingress"
add rule ip calico filter-cali-pro-kns.y meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:wR1k_OoFjzLUJlrU; Profile kns.y egress"
add rule ip calico filter-cali-pri-kns.z meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:YmMezy5tdobVi728; Profile kns.z ingress"
add rule ip calico filter-cali-pro-kns.z meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:K4H3tZ4W_NnpYXkM; Profile kns.z egress"
add rule ip calico filter-cali-tw-veth40807a84 ct state related,established accept comment "cali:dUzI9In0IIVA_iXW"
add rule ip calico filter-cali-tw-veth40807a84 ct state invalid drop comment "cali:t4_MiUdIywYzWNH5"
add rule ip calico filter-cali-tw-veth40807a84 meta mark set meta mark & 0xfffcffff comment "cali:ulXyQRRM1cl18rJV"
add rule ip calico filter-cali-tw-veth40807a84 jump filter-cali-pri-kns.y comment "cali:sqkNpxwUXYdEFojv"
add rule ip calico filter-cali-tw-veth40807a84 meta mark & 0x00010000 == 0x00010000 return comment "cali:7hWtJVo_FRQYWJCm; Return if profile accepted"
add rule ip calico filter-cali-tw-veth40807a84 drop comment "cali:9aRgk18L_tKRVPJ7; Drop if no profiles matched"
add rule ip calico filter-cali-fw-veth40807a84 ct state related,established accept comment "cali:JTbzAawDJW1_C2Y0"
add rule ip calico filter-cali-fw-veth40807a84 ct state invalid drop comment "cali:7E6l8JPnUJWQd3o1"
add rule ip calico filter-cali-fw-veth40807a84 meta mark set meta mark & 0xfffcffff comment "cali:xpuhBFQU3wQYRzp-"
add rule ip calico filter-cali-fw-veth40807a84 meta l4proto udp th dport 4789 drop comment "cali:gLJpSwTpk_I2vaPh; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-veth40807a84 meta l4proto 4 drop comment "cali:ON6mULkE-BADnAHX; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-veth40807a84 jump filter-cali-pro-kns.y comment "cali:nyTssziwKejfxvIy"
add rule ip calico filter-cali-fw-veth40807a84 meta mark & 0x00010000 == 0x00010000 return comment "cali:6d8F96mkNKfKsV54; Return if profile accepted"
add rule ip calico filter-cali-fw-veth40807a84 drop comment "cali:NNlFZK-KuebSxXrC; Drop if no profiles matched"
add rule ip calico filter-cali-tw-veth5a287e26 ct state related,established accept comment "cali:leV-PB-MnFgWtpeL"
add rule ip calico filter-cali-tw-veth5a287e26 ct state invalid drop comment "cali:h-US-OUgoyrGCJf5"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark set meta mark & 0xfffcffff comment "cali:C98uwXTaFJeN6LL7"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark set meta mark & 0xfffdffff comment "cali:coxrIUPQJ5whr7KL; Start of tier default"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 jump filter-cali-pi-knp/x/deny-all comment "cali:8Ns0fD0GLc2GRdz1"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:qEQiuc3D0UKHL95Y; Return if policy accepted"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 jump filter-cali-pi-knp/x/web comment "cali:rqeNxxcImUz1eMh2"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:6diDyd5TkAlHfRVg; Return if policy accepted"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 drop comment "cali:Li5w3A6vFkqi2yCf; End of tier default. Drop if no policies passed packet"
add rule ip calico filter-cali-tw-veth5a287e26 jump filter-cali-pri-kns.x comment "cali:srWYjxIAgcegJQ70"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:rLtlRC6Jh4DXh-62; Return if profile accepted"
add rule ip calico filter-cali-tw-veth5a287e26 drop comment "cali:fRmldVn3UGx-1dgG; Drop if no profiles matched"
add rule ip calico filter-cali-fw-veth5a287e26 ct state related,established accept comment "cali:TQdDon0Iq98S1cnZ"
add rule ip calico filter-cali-fw-veth5a287e26 ct state invalid drop comment "cali:KPnxRTd858E8QfLs"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark set meta mark & 0xfffcffff comment "cali:js7Fsrsy4RD-d_Rr"
add rule ip calico filter-cali-fw-veth5a287e26 meta l4proto udp th dport 4789 drop comment "cali:Q_bKHwqRYySeSC0s; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-veth5a287e26 meta l4proto 4 drop comment "cali:k16mUU64pEORr6iD; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark set meta mark & 0xfffdffff comment "cali:qmwHjq9WOOPWZU4m; Start of tier default"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 jump filter-cali-po-knp/x/deny-all comment "cali:ZLJ-z63-5ADXjsLe"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:yLl0-zz_QwmxJBVh; Return if policy accepted"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 jump filter-cali-po-knp/x/egress comment "cali:nbaLgIinEHO-uC0-"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:Pt2So-PXBPjWY4TK; Return if policy accepted"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 drop comment "cali:vzH5BUdmpm2t_mnn; End of tier default. Drop if no policies passed packet"
add rule ip calico filter-cali-fw-veth5a287e26 jump filter-cali-pro-kns.x comment "cali:ekVgrM0DkBeWBA8d"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:_cPJzh5RVwAJKg0F; Return if profile accepted"
add rule ip calico filter-cali-fw-veth5a287e26 drop comment "cali:kSSkG8UpV9AQOt1v; Drop if no profiles matched"
add rule ip calico filter-cali-tw-vethc79b6103 ct state related,established accept comment "cali:jey1qAA6_-GT5WYt"
add rule ip calico filter-cali-tw-vethc79b6103 ct state invalid drop comment "cali:UgiNQ3Eske_xMIdV"
add rule ip calico filter-cali-tw-vethc79b6103 meta mark set meta mark & 0xfffcffff comment "cali:sEyRBF5KaGa_Hh1E"
add rule ip calico filter-cali-tw-vethc79b6103 jump filter-cali-pri-kns.z comment "cali:Jzgh7drM12ADM1ee"
add rule ip calico filter-cali-tw-vethc79b6103 meta mark & 0x00010000 == 0x00010000 return comment "cali:5z2fX5jIkI2_tk4O; Return if profile accepted"
add rule ip calico filter-cali-tw-vethc79b6103 drop comment "cali:ZsDu0bHmNZ_3uqb5; Drop if no profiles matched"
add rule ip calico filter-cali-fw-vethc79b6103 ct state related,established accept comment "cali:WH9C7sQmYwZKQYri"
add rule ip calico filter-cali-fw-vethc79b6103 ct state invalid drop comment "cali:TGmmtj-bcWxzdVTd"
add rule ip calico filter-cali-fw-vethc79b6103 meta mark set meta mark & 0xfffcffff comment "cali:vwcWelkug1aKrk7f"
add rule ip calico filter-cali-fw-vethc79b6103 meta l4proto udp th dport 4789 drop comment "cali:y3xGqP8992dWWUVE; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-vethc79b6103 meta l4proto 4 drop comment "cali:dCJJCeZ1s62IejCf; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-vethc79b6103 jump filter-cali-pro-kns.z comment "cali:LAcciJsfLQ10xwQU"
add rule ip calico filter-cali-fw-vethc79b6103 meta mark & 0x00010000 == 0x00010000 return comment "cali:ZFiliabevFY1Bnan; Return if profile accepted"
add rule ip calico filter-cali-fw-vethc79b6103 drop comment "cali:9m3rHpMpYrtVZK_7; Drop if no profiles matched"
add rule ip calico filter-cali-FORWARD meta mark set meta mark & 0xffe5ffff comment "cali:N2k3tUD0b3KQS8K1"
add rule ip calico filter-cali-FORWARD iifname "cni0" jump filter-cali-from-wl-dispatch comment "cali:AgcNMOnfMGYqLoFX"
add rule ip calico filter-cali-FORWARD oifname "cni0" jump filter-cali-to-wl-dispatch comment "cali:yc-9ysJhsNJaE_a8"
add rule ip calico filter-cali-INPUT iifname "cni0" goto filter-cali-wl-to-host comment "cali:lT_qxwE6bhpq6SdU"
add rule ip calico filter-cali-INPUT meta mark & 0x00010000 == 0x00010000 accept comment "cali:efpZ898sgTgVEYEo"
add rule ip calico filter-cali-OUTPUT meta mark & 0x00010000 == 0x00010000 accept comment "cali:9kCKjGF-PbkFfx51"
add rule ip calico filter-cali-OUTPUT oifname "cni0" return comment "cali:UdGJr8SuxYyQJCbq"
add rule ip calico filter-cali-wl-to-host jump filter-cali-from-wl-dispatch comment "cali:F3eT5kM5UsGyw98U"
add rule ip calico filter-cali-wl-to-host accept comment "cali:prqwX39FRAUjeOxK; Configured DefaultEndpointToHostAction"
add rule ip calico filter-cali-from-wl-dispatch ip saddr vmap @filter-cali-from-wl-dispatch
add rule ip calico filter-cali-from-wl-dispatch drop comment "Unknown interface"
add element ip calico filter-cali-from-wl-dispatch { 10.244.0.3 : goto filter-cali-fw-veth40807a84, 10.244.0.2 : goto filter-cali-fw-veth5a287e26, 10.244.0.4 : goto filter-cali-fw-vethc79b6103 }
add rule ip calico filter-cali-to-wl-dispatch ip daddr vmap @filter-cali-to-wl-dispatch
add rule ip calico filter-cali-to-wl-dispatch drop comment "Unknown interface"
add element ip calico filter-cali-to-wl-dispatch { 10.244.0.3 : goto filter-cali-tw-veth40807a84, 10.244.0.2 : goto filter-cali-tw-veth5a287e26, 10.244.0.4 : goto filter-cali-tw-vethc79b6103 }

`

exports[`test/unit/policy-rules.test.ts > TAP > vpc: iptables mode snapshot > filter table: the policy engine 1`] = `
COMMIT
COMMIT
*filter
:AWS-NP-I-eni456b416f2bf-0 - [0:0]
:AWS-NP-I-eni456b416f2bf-1 - [0:0]
:AWS-NP-I-eni456b416f2bf - [0:0]
:AWS-NP-E-eni456b416f2bf-0 - [0:0]
:AWS-NP-E-eni456b416f2bf-1 - [0:0]
:AWS-NP-E-eni456b416f2bf - [0:0]
:AWS-NP-ALLOW-I - [0:0]
:AWS-NP-ALLOW-E - [0:0]
:AWS-NP-FORWARD - [0:0]
:AWS-NP-FROM-POD - [0:0]
:AWS-NP-TO-POD - [0:0]
-A FORWARD -m comment --comment "aws-network-policy-agent: pod veth programs (emulated)" -j AWS-NP-FORWARD
-A AWS-NP-I-eni456b416f2bf-0 -p tcp -m multiport --destination-ports 80,81 -g AWS-NP-ALLOW-I
-A AWS-NP-I-eni456b416f2bf-0 -p sctp -m multiport --destination-ports 80 -g AWS-NP-ALLOW-I
-A AWS-NP-I-eni456b416f2bf-0 -m comment --comment "DENY: no L4 entry of the longest prefix matches" -j DROP
-A AWS-NP-I-eni456b416f2bf-1 -p sctp -m multiport --destination-ports 80 -g AWS-NP-ALLOW-I
-A AWS-NP-I-eni456b416f2bf-1 -m comment --comment "DENY: no L4 entry of the longest prefix matches" -j DROP
-A AWS-NP-I-eni456b416f2bf -m comment --comment "reverse flow: a reply to the pod's own connection" -m conntrack --ctstate RELATED,ESTABLISHED --ctdir REPLY -j RETURN
-A AWS-NP-I-eni456b416f2bf -m comment --comment "conntrack entry made under the current policy state" -m conntrack --ctstate ESTABLISHED --ctdir ORIGINAL -m connmark --mark 0x200/0x200 -j RETURN
-A AWS-NP-I-eni456b416f2bf -m comment --comment "masqueraded by kube-proxy: the veth sees the node IP" -m mark --mark 0x4000/0x4000 -g AWS-NP-ALLOW-I
-A AWS-NP-I-eni456b416f2bf -m comment --comment "trie entries /32" -m set --match-set aws4-i-eni456b416f2bf-0 src -g AWS-NP-ALLOW-I
-A AWS-NP-I-eni456b416f2bf -m comment --comment "trie entries /32" -m set --match-set aws4-i-eni456b416f2bf-1 src -g AWS-NP-I-eni456b416f2bf-0
-A AWS-NP-I-eni456b416f2bf -m comment --comment "trie entries /0" -g AWS-NP-I-eni456b416f2bf-1
-A AWS-NP-I-eni456b416f2bf -m comment --comment "DENY: no prefix of the trie matches" -j DROP
-A AWS-NP-E-eni456b416f2bf-0 -p tcp -m multiport --destination-ports 81:90 -g AWS-NP-ALLOW-E
-A AWS-NP-E-eni456b416f2bf-0 -p udp -m multiport --destination-ports 53 -g AWS-NP-ALLOW-E
-A AWS-NP-E-eni456b416f2bf-0 -m comment --comment "DENY: no L4 entry of the longest prefix matches" -j DROP
-A AWS-NP-E-eni456b416f2bf-1 -p udp -m multiport --destination-ports 53 -g AWS-NP-ALLOW-E
-A AWS-NP-E-eni456b416f2bf-1 -m comment --comment "DENY: no L4 entry of the longest prefix matches" -j DROP
-A AWS-NP-E-eni456b416f2bf -m comment --comment "reverse flow: a reply to the pod's own connection" -m conntrack --ctstate RELATED,ESTABLISHED --ctdir REPLY -j RETURN
-A AWS-NP-E-eni456b416f2bf -m comment --comment "conntrack entry made under the current policy state" -m conntrack --ctstate ESTABLISHED --ctdir ORIGINAL -m connmark --mark 0x100/0x100 -j RETURN
-A AWS-NP-E-eni456b416f2bf -m comment --comment "trie entries /32" -m set --match-set aws4-e-eni456b416f2bf-0 dst -g AWS-NP-ALLOW-E
-A AWS-NP-E-eni456b416f2bf -m comment --comment "trie entries /24: an except, deny all" -m set --match-set aws4-e-eni456b416f2bf-1 dst -j DROP
-A AWS-NP-E-eni456b416f2bf -m comment --comment "trie entries /8" -m set --match-set aws4-e-eni456b416f2bf-2 dst -g AWS-NP-E-eni456b416f2bf-0
-A AWS-NP-E-eni456b416f2bf -m comment --comment "trie entries /0" -g AWS-NP-E-eni456b416f2bf-1
-A AWS-NP-E-eni456b416f2bf -m comment --comment "DENY: no prefix of the trie matches" -j DROP
-A AWS-NP-ALLOW-I -m comment --comment "allowed: record the policy state in the flow" -j CONNMARK --set-xmark 0x200/0x200
-A AWS-NP-ALLOW-E -m comment --comment "allowed: record the policy state in the flow" -j CONNMARK --set-xmark 0x100/0x100
-A AWS-NP-FORWARD -i eni+ -m comment --comment "tc ingress of the pod veth (the egress program)" -j AWS-NP-FROM-POD
-A AWS-NP-FORWARD -o eni+ -m comment --comment "tc egress of the pod veth (the ingress program)" -j AWS-NP-TO-POD
-A AWS-NP-FROM-POD -i eni456b416f2bf -g AWS-NP-E-eni456b416f2bf
-A AWS-NP-FROM-POD -j RETURN
-A AWS-NP-TO-POD -o eni456b416f2bf -g AWS-NP-I-eni456b416f2bf
-A AWS-NP-TO-POD -j RETURN
COMMIT
`

exports[`test/unit/policy-rules.test.ts > TAP > vpc: iptables mode snapshot > ipset restore 1`] = `
create -exist aws4-i-eni456b416f2bf-0 hash:net family inet hashsize 1024 maxelem 1048576
create -exist aws4t0 hash:net family inet hashsize 1024 maxelem 1048576
flush aws4t0
add aws4t0 10.0.0.10
swap aws4t0 aws4-i-eni456b416f2bf-0
destroy aws4t0
create -exist aws4-i-eni456b416f2bf-1 hash:net family inet hashsize 1024 maxelem 1048576
create -exist aws4t0 hash:net family inet hashsize 1024 maxelem 1048576
flush aws4t0
add aws4t0 10.0.0.12
add aws4t0 10.0.1.11
add aws4t0 10.0.1.12
add aws4t0 10.0.2.12
swap aws4t0 aws4-i-eni456b416f2bf-1
destroy aws4t0
create -exist aws4-e-eni456b416f2bf-0 hash:net family inet hashsize 1024 maxelem 1048576
create -exist aws4t0 hash:net family inet hashsize 1024 maxelem 1048576
flush aws4t0
add aws4t0 10.0.0.10
swap aws4t0 aws4-e-eni456b416f2bf-0
destroy aws4t0
create -exist aws4-e-eni456b416f2bf-1 hash:net family inet hashsize 1024 maxelem 1048576
create -exist aws4t0 hash:net family inet hashsize 1024 maxelem 1048576
flush aws4t0
add aws4t0 10.244.1.0/24
add aws4t0 10.244.2.0/24
swap aws4t0 aws4-e-eni456b416f2bf-1
destroy aws4t0
create -exist aws4-e-eni456b416f2bf-2 hash:net family inet hashsize 1024 maxelem 1048576
create -exist aws4t0 hash:net family inet hashsize 1024 maxelem 1048576
flush aws4t0
add aws4t0 10.0.0.0/8
swap aws4t0 aws4-e-eni456b416f2bf-2
destroy aws4t0

`

exports[`test/unit/policy-rules.test.ts > TAP > vpc: nftables mode snapshot > the engine's nftables table 1`] = `
add table ip aws-network-policy-agent
delete table ip aws-network-policy-agent
add table ip aws-network-policy-agent { comment "network policy (aws-network-policy-agent, emulated)" ; }
add chain ip aws-network-policy-agent filter-FORWARD { type filter hook forward priority filter ; policy accept ; }
add chain ip aws-network-policy-agent filter-INPUT { type filter hook input priority filter ; policy accept ; }
add chain ip aws-network-policy-agent filter-OUTPUT { type filter hook output priority filter ; policy accept ; }
add chain ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf-0
add chain ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf-1
add chain ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf
add chain ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf-0
add chain ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf-1
add chain ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf
add chain ip aws-network-policy-agent AWS-NP-ALLOW-I
add chain ip aws-network-policy-agent AWS-NP-ALLOW-E
add chain ip aws-network-policy-agent AWS-NP-FORWARD
add chain ip aws-network-policy-agent AWS-NP-FROM-POD
add chain ip aws-network-policy-agent AWS-NP-TO-POD
add set ip aws-network-policy-agent aws4-i-eni456b416f2bf-0 { type ipv4_addr ; flags interval ; }
add element ip aws-network-policy-agent aws4-i-eni456b416f2bf-0 { 10.0.0.10 }
add set ip aws-network-policy-agent aws4-i-eni456b416f2bf-1 { type ipv4_addr ; flags interval ; }
add element ip aws-network-policy-agent aws4-i-eni456b416f2bf-1 { 10.0.0.12, 10.0.1.11, 10.0.1.12, 10.0.2.12 }
add set ip aws-network-policy-agent aws4-e-eni456b416f2bf-0 { type ipv4_addr ; flags interval ; }
add element ip aws-network-policy-agent aws4-e-eni456b416f2bf-0 { 10.0.0.10 }
add set ip aws-network-policy-agent aws4-e-eni456b416f2bf-1 { type ipv4_addr ; flags interval ; }
add element ip aws-network-policy-agent aws4-e-eni456b416f2bf-1 { 10.244.1.0/24, 10.244.2.0/24 }
add set ip aws-network-policy-agent aws4-e-eni456b416f2bf-2 { type ipv4_addr ; flags interval ; }
add element ip aws-network-policy-agent aws4-e-eni456b416f2bf-2 { 10.0.0.0/8 }
add map ip aws-network-policy-agent AWS-NP-FROM-POD { type ifname : verdict ; }
add map ip aws-network-policy-agent AWS-NP-TO-POD { type ifname : verdict ; }
add rule ip aws-network-policy-agent filter-FORWARD jump AWS-NP-FORWARD comment "aws-network-policy-agent: pod veth programs (emulated)"
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf-0 meta l4proto tcp th dport { 80, 81 } goto AWS-NP-ALLOW-I
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf-0 meta l4proto sctp th dport 80 goto AWS-NP-ALLOW-I
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf-0 drop comment "DENY: no L4 entry of the longest prefix matches"
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf-1 meta l4proto sctp th dport 80 goto AWS-NP-ALLOW-I
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf-1 drop comment "DENY: no L4 entry of the longest prefix matches"
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf ct state related,established ct direction reply return comment "reverse flow: a reply to the pod's own connection"
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf ct state established ct direction original ct mark & 0x00000200 == 0x00000200 return comment "conntrack entry made under the current policy state"
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf meta mark & 0x00004000 == 0x00004000 goto AWS-NP-ALLOW-I comment "masqueraded by kube-proxy: the veth sees the node IP"
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf ip saddr @aws4-i-eni456b416f2bf-0 goto AWS-NP-ALLOW-I comment "trie entries /32"
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf ip saddr @aws4-i-eni456b416f2bf-1 goto AWS-NP-I-eni456b416f2bf-0 comment "trie entries /32"
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf goto AWS-NP-I-eni456b416f2bf-1 comment "trie entries /0"
add rule ip aws-network-policy-agent AWS-NP-I-eni456b416f2bf drop comment "DENY: no prefix of the trie matches"
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf-0 meta l4proto tcp th dport 81-90 goto AWS-NP-ALLOW-E
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf-0 meta l4proto udp th dport 53 goto AWS-NP-ALLOW-E
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf-0 drop comment "DENY: no L4 entry of the longest prefix matches"
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf-1 meta l4proto udp th dport 53 goto AWS-NP-ALLOW-E
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf-1 drop comment "DENY: no L4 entry of the longest prefix matches"
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf ct state related,established ct direction reply return comment "reverse flow: a reply to the pod's own connection"
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf ct state established ct direction original ct mark & 0x00000100 == 0x00000100 return comment "conntrack entry made under the current policy state"
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf ip daddr @aws4-e-eni456b416f2bf-0 goto AWS-NP-ALLOW-E comment "trie entries /32"
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf ip daddr @aws4-e-eni456b416f2bf-1 drop comment "trie entries /24: an except, deny all"
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf ip daddr @aws4-e-eni456b416f2bf-2 goto AWS-NP-E-eni456b416f2bf-0 comment "trie entries /8"
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf goto AWS-NP-E-eni456b416f2bf-1 comment "trie entries /0"
add rule ip aws-network-policy-agent AWS-NP-E-eni456b416f2bf drop comment "DENY: no prefix of the trie matches"
add rule ip aws-network-policy-agent AWS-NP-ALLOW-I ct mark set ct mark & 0xfffffdff | 0x00000200 comment "allowed: record the policy state in the flow"
add rule ip aws-network-policy-agent AWS-NP-ALLOW-E ct mark set ct mark & 0xfffffeff | 0x00000100 comment "allowed: record the policy state in the flow"
add rule ip aws-network-policy-agent AWS-NP-FORWARD iifname "eni*" jump AWS-NP-FROM-POD comment "tc ingress of the pod veth (the egress program)"
add rule ip aws-network-policy-agent AWS-NP-FORWARD oifname "eni*" jump AWS-NP-TO-POD comment "tc egress of the pod veth (the ingress program)"
add rule ip aws-network-policy-agent AWS-NP-FROM-POD iifname vmap @AWS-NP-FROM-POD
add rule ip aws-network-policy-agent AWS-NP-FROM-POD return
add element ip aws-network-policy-agent AWS-NP-FROM-POD { "eni456b416f2bf" : goto AWS-NP-E-eni456b416f2bf }
add rule ip aws-network-policy-agent AWS-NP-TO-POD oifname vmap @AWS-NP-TO-POD
add rule ip aws-network-policy-agent AWS-NP-TO-POD return
add element ip aws-network-policy-agent AWS-NP-TO-POD { "eni456b416f2bf" : goto AWS-NP-I-eni456b416f2bf }

`
