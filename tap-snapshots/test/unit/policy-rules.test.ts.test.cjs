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
:cali-pri-kns.kube-system - [0:0]
:cali-pro-kns.kube-system - [0:0]
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
:cali-tw-calidd8450fefc4 - [0:0]
:cali-fw-calidd8450fefc4 - [0:0]
:cali-FORWARD - [0:0]
:cali-INPUT - [0:0]
:cali-OUTPUT - [0:0]
:cali-wl-to-host - [0:0]
:cali-from-wl-dispatch - [0:0]
:cali-to-wl-dispatch - [0:0]
-A INPUT -m comment --comment cali:Cz_u1IQiXIMmKD4c -j cali-INPUT
-A FORWARD -m comment --comment cali:wUHhoiAYhphO9Mso -j cali-FORWARD
-A OUTPUT -m comment --comment cali:tVnHkvAo15HuiPy0 -j cali-OUTPUT
-A cali-pi-knp/x/deny-all -m comment --comment cali:mIDenMm_G7Ig0gO8 -m comment --comment "KubernetesNetworkPolicy x/deny-all ingress"
-A cali-po-knp/x/deny-all -m comment --comment cali:S07im5qMLlDjUFod -m comment --comment "KubernetesNetworkPolicy x/deny-all egress"
-A cali-po-knp/x/egress -m comment --comment cali:k9H_8U-S0a5UzeRV -m comment --comment "KubernetesNetworkPolicy x/egress egress" -j MARK --set-xmark 0x80000/0x180000
-A cali-po-knp/x/egress -d 10.244.1.0/24 -m comment --comment cali:Q6llt09gQ66rcQA5 -j MARK --set-xmark 0x0/0x80000
-A cali-po-knp/x/egress -d 10.244.2.0/24 -m comment --comment cali:jcpcFs6wC-JoJdk9 -j MARK --set-xmark 0x0/0x80000
-A cali-po-knp/x/egress -d 10.0.0.0/8 -p tcp -m comment --comment cali:_UsL3c6ukoOigwf3 -m mark --mark 0x80000/0x80000 -m multiport --destination-ports 81:90 -j MARK --set-xmark 0x10000/0x10000
-A cali-po-knp/x/egress -m comment --comment cali:mdqz6HWHTmKuDkQ5 -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-po-knp/x/egress -p udp -m comment --comment cali:7inm5JL19_rtrvgg -m multiport --destination-ports 53 -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:ZZY-IEm3qK6Hqb7i -m comment --comment "KubernetesNetworkPolicy x/web ingress" -j MARK --set-xmark 0x0/0x180000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:ivGOyvZx7wNaDD72 -m multiport --destination-ports 81 -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -m comment --comment cali:U2qtFG-r46eLuZpd -m set --match-set cali40n:zBmVCH-I4zGK3XLfXXEsdeZ dst,dst -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:LFkAdasOWGmrOsbA -m mark --mark 0x80000/0x80000 -m set --match-set cali40s:KmdHoOEbZW2809KPxNEw2jU src -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:qGFzsX4Qthrjqjgz -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-pi-knp/x/web -m comment --comment cali:_yEiA38FAeq6JDHv -j MARK --set-xmark 0x0/0x180000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:kpzJVmmyXm15w4MH -m multiport --destination-ports 81 -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -m comment --comment cali:9HIfT7PPqZn7t5iV -m set --match-set cali40n:zBmVCH-I4zGK3XLfXXEsdeZ dst,dst -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:ronZk6aTB2kg_yGe -m mark --mark 0x80000/0x80000 -m set --match-set cali40s:ILzJ8EsJdaeyq6jAUxGihD9 src -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:okFDGT5hfGPJGiJ7 -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-pi-knp/x/web -p sctp -m comment --comment cali:Ku84Xdxdegk-Co-o -m multiport --destination-ports 80 -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.kube-system -m comment --comment cali:hLFt98dhTIlR3anL -m comment --comment "Profile kns.kube-system ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.kube-system -m comment --comment cali:7a0TqkqUtclN3mEX -m comment --comment "Profile kns.kube-system egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.x -m comment --comment cali:eG9BSdfRLl3IrBz9 -m comment --comment "Profile kns.x ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.x -m comment --comment cali:EBy-M2BcT732DlbO -m comment --comment "Profile kns.x egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.y -m comment --comment cali:VZ7HGxQUBva9CbPe -m comment --comment "Profile kns.y ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.y -m comment --comment cali:p0Q5VWvCTkx_Coti -m comment --comment "Profile kns.y egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.z -m comment --comment cali:awd0bbV5ODNp6e1b -m comment --comment "Profile kns.z ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.z -m comment --comment cali:k4n-Oy_8tNRbHpiT -m comment --comment "Profile kns.z egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:HeWmy3YLV7FlqiNc -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:prSAAYTWtFzLCH4b -m conntrack --ctstate INVALID -j DROP
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:IDbpfThUV1rI1pol -j MARK --set-xmark 0x0/0x30000
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:mvEbNfrZtSe7zTDQ -j cali-pri-kns.z
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:bmIWQ9p9eC-i2PmO -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali2ccdca1a883 -m comment --comment cali:Jv4OEerQs3b9AK8U -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:tWdlnX8DV5uYkN7e -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:gh7zL7QU9KNcsQfa -m conntrack --ctstate INVALID -j DROP
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:yuS59BB_Ynisqc9T -j MARK --set-xmark 0x0/0x30000
-A cali-fw-cali2ccdca1a883 -p udp -m comment --comment cali:n0fm09v2l-k9-mg8 -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-cali2ccdca1a883 -p 4 -m comment --comment cali:g5G6YAlbFQ-ObyrF -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:AHLmBOehnLB4kaLJ -j cali-pro-kns.z
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:f7TnPxY_t7EXqt2W -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali2ccdca1a883 -m comment --comment cali:nOLWSgcsBY8BzO2k -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-cali456b416f2bf -m comment --comment cali:FgB-FDxea1fZZpjo -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-cali456b416f2bf -m comment --comment cali:afgBngI5Tr9f7hdi -m conntrack --ctstate INVALID -j DROP
-A cali-tw-cali456b416f2bf -m comment --comment cali:U85J_HMFzxKi1RkZ -j MARK --set-xmark 0x0/0x30000
-A cali-tw-cali456b416f2bf -m comment --comment cali:Y8Motv_jpbkY_u7k -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
-A cali-tw-cali456b416f2bf -m comment --comment cali:OuOtUCQJxIx598wy -m mark --mark 0x0/0x20000 -j cali-pi-knp/x/deny-all
-A cali-tw-cali456b416f2bf -m comment --comment cali:uUzM5tSAU2A46KW4 -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali456b416f2bf -m comment --comment cali:uacU7Q9krdpEPn-O -m mark --mark 0x0/0x20000 -j cali-pi-knp/x/web
-A cali-tw-cali456b416f2bf -m comment --comment cali:JewaxYPo8zpkADp6 -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali456b416f2bf -m comment --comment cali:z_AiBn_0Kj2gOeXO -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
-A cali-tw-cali456b416f2bf -m comment --comment cali:T8Ba5vXazXb-9bxm -j cali-pri-kns.x
-A cali-tw-cali456b416f2bf -m comment --comment cali:7hbdEG5J0Ecgi1bf -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali456b416f2bf -m comment --comment cali:9vI0gYoXWqZqkjnF -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-cali456b416f2bf -m comment --comment cali:EpP_15K9oxIYyE3g -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-cali456b416f2bf -m comment --comment cali:EnNG-EJRq-Z9RokY -m conntrack --ctstate INVALID -j DROP
-A cali-fw-cali456b416f2bf -m comment --comment cali:V_l7tSZnvdh6nBZu -j MARK --set-xmark 0x0/0x30000
-A cali-fw-cali456b416f2bf -p udp -m comment --comment cali:lQS1cUJXtgEv6kaC -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-cali456b416f2bf -p 4 -m comment --comment cali:CT_9xyUCCj7BtZef -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-cali456b416f2bf -m comment --comment cali:BMMolUfmRaRNfoI9 -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
-A cali-fw-cali456b416f2bf -m comment --comment cali:0G7xdqEVHcvbJsnX -m mark --mark 0x0/0x20000 -j cali-po-knp/x/deny-all
-A cali-fw-cali456b416f2bf -m comment --comment cali:9Io4J7ytfyVkN-be -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali456b416f2bf -m comment --comment cali:U6tvMNdrvOaXH2Ox -m mark --mark 0x0/0x20000 -j cali-po-knp/x/egress
-A cali-fw-cali456b416f2bf -m comment --comment cali:vIcnETRGsVtSL6vY -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali456b416f2bf -m comment --comment cali:Fv9l8rk1KTVvWeS5 -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
-A cali-fw-cali456b416f2bf -m comment --comment cali:_-TUppsELfw0wz6x -j cali-pro-kns.x
-A cali-fw-cali456b416f2bf -m comment --comment cali:en3ProjO4oG9_D_5 -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali456b416f2bf -m comment --comment cali:OAL_wVKeC-Q6I8gm -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-calidac200d72ba -m comment --comment cali:6k8S4CZF5MmkKIhs -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-calidac200d72ba -m comment --comment cali:7qFPd9Pi2TTBLY1Q -m conntrack --ctstate INVALID -j DROP
-A cali-tw-calidac200d72ba -m comment --comment cali:hnmDpOG71feX6By9 -j MARK --set-xmark 0x0/0x30000
-A cali-tw-calidac200d72ba -m comment --comment cali:fCCvcdyZUUj4bhUr -j cali-pri-kns.y
-A cali-tw-calidac200d72ba -m comment --comment cali:-3NL65qaL2u21BHz -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-calidac200d72ba -m comment --comment cali:-02vjWRW9SepCTSN -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-calidac200d72ba -m comment --comment cali:eHhr8JQhlWlBkcl5 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-calidac200d72ba -m comment --comment cali:bSH6uCdSY_r07k85 -m conntrack --ctstate INVALID -j DROP
-A cali-fw-calidac200d72ba -m comment --comment cali:7b1PcwLBAWhcBP-s -j MARK --set-xmark 0x0/0x30000
-A cali-fw-calidac200d72ba -p udp -m comment --comment cali:lb9nknOoIrMdMmDW -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-calidac200d72ba -p 4 -m comment --comment cali:bo4DttFpu7ggHZkQ -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-calidac200d72ba -m comment --comment cali:8-uESW8A0c9dv75f -j cali-pro-kns.y
-A cali-fw-calidac200d72ba -m comment --comment cali:aWJgtSTEgzos73J8 -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-calidac200d72ba -m comment --comment cali:zJpCW0AHdFTg66_1 -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-calidd8450fefc4 -m comment --comment cali:ExxP1vuLhOLdNduc -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-calidd8450fefc4 -m comment --comment cali:15DRcQgxJz0FKKAa -m conntrack --ctstate INVALID -j DROP
-A cali-tw-calidd8450fefc4 -m comment --comment cali:JD_yyZlQzqs7c9lx -j MARK --set-xmark 0x0/0x30000
-A cali-tw-calidd8450fefc4 -m comment --comment cali:qR0z3QtbJnaNlfQV -j cali-pri-kns.kube-system
-A cali-tw-calidd8450fefc4 -m comment --comment cali:d3y6XQjxWtGArDLk -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-calidd8450fefc4 -m comment --comment cali:DurrYrvO2hnApS_7 -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-calidd8450fefc4 -m comment --comment cali:46Y4dc-qU-8qTeby -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-calidd8450fefc4 -m comment --comment cali:0V6JIgJoau_tdRLf -m conntrack --ctstate INVALID -j DROP
-A cali-fw-calidd8450fefc4 -m comment --comment cali:OKo2lEgqpG64xevn -j MARK --set-xmark 0x0/0x30000
-A cali-fw-calidd8450fefc4 -p udp -m comment --comment cali:i3QzOO1OdH0IkcFM -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-calidd8450fefc4 -p 4 -m comment --comment cali:ZcO3b_dD6ks-L-ZH -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-calidd8450fefc4 -m comment --comment cali:Q5dMLv2TLMZYkKtB -j cali-pro-kns.kube-system
-A cali-fw-calidd8450fefc4 -m comment --comment cali:dHroNk1_i8QvD44l -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-calidd8450fefc4 -m comment --comment cali:XAqoATj6L6tSaBQF -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-FORWARD -m comment --comment cali:GR4xhSekyNIx8zvC -j MARK --set-xmark 0x0/0x1a0000
-A cali-FORWARD -i cali+ -m comment --comment cali:u27yaKJZ9VYKuBBc -j cali-from-wl-dispatch
-A cali-FORWARD -o cali+ -m comment --comment cali:2o13lpTHBOfD5jjE -j cali-to-wl-dispatch
-A cali-INPUT -i cali+ -m comment --comment cali:sRqa2xgAIqf25tdn -g cali-wl-to-host
-A cali-INPUT -m comment --comment cali:EnDmSIE_PKd07O4d -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -m comment --comment cali:ThCET4ME8QNolRCP -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -o cali+ -m comment --comment cali:XdL0rhBSoRg6nHde -j RETURN
-A cali-wl-to-host -m comment --comment cali:egDWt5RO3D-_mB9S -j cali-from-wl-dispatch
-A cali-wl-to-host -m comment --comment cali:dftBTbdqGoKncbMx -m comment --comment "Configured DefaultEndpointToHostAction" -j ACCEPT
-A cali-from-wl-dispatch -i cali2ccdca1a883 -m comment --comment cali:dGR7_nt1ggPLB5cw -g cali-fw-cali2ccdca1a883
-A cali-from-wl-dispatch -i cali456b416f2bf -m comment --comment cali:W0pKsAAQGoy8HNRC -g cali-fw-cali456b416f2bf
-A cali-from-wl-dispatch -i calidac200d72ba -m comment --comment cali:I31tCnx_fdZnP3CC -g cali-fw-calidac200d72ba
-A cali-from-wl-dispatch -i calidd8450fefc4 -m comment --comment cali:4T5lPUrDRy9I4gYA -g cali-fw-calidd8450fefc4
-A cali-from-wl-dispatch -m comment --comment cali:YsWB91ZTlLebBJn- -m comment --comment "Unknown interface" -j DROP
-A cali-to-wl-dispatch -o cali2ccdca1a883 -m comment --comment cali:rBUtX4A76HPxo5RC -g cali-tw-cali2ccdca1a883
-A cali-to-wl-dispatch -o cali456b416f2bf -m comment --comment cali:4DnnMNg8oKd55_Hd -g cali-tw-cali456b416f2bf
-A cali-to-wl-dispatch -o calidac200d72ba -m comment --comment cali:CrfrjBnVr1nrACLi -g cali-tw-calidac200d72ba
-A cali-to-wl-dispatch -o calidd8450fefc4 -m comment --comment cali:-E_02-RjrdPC2-Fz -g cali-tw-calidd8450fefc4
-A cali-to-wl-dispatch -m comment --comment cali:p6PSrlqz5QjlMURR -m comment --comment "Unknown interface" -j DROP
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
add chain ip calico filter-cali-pri-kns.kube-system
add chain ip calico filter-cali-pro-kns.kube-system
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
add chain ip calico filter-cali-tw-calidd8450fefc4
add chain ip calico filter-cali-fw-calidd8450fefc4
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
add rule ip calico filter-cali-pi-knp/x/deny-all counter comment "cali:h9N6mywDrSRhHwQQ; KubernetesNetworkPolicy x/deny-all ingress"
add rule ip calico filter-cali-po-knp/x/deny-all counter comment "cali:tZkPQtzFjXCHMpTJ; KubernetesNetworkPolicy x/deny-all egress"
add rule ip calico filter-cali-po-knp/x/egress meta mark set meta mark & 0xffe7ffff | 0x00080000 comment "cali:aXfTT7QSV0jzkmLb; KubernetesNetworkPolicy x/egress egress"
add rule ip calico filter-cali-po-knp/x/egress ip daddr 10.244.1.0/24 meta mark set meta mark & 0xfff7ffff comment "cali:_E1BFd1xhuXnAFzU"
add rule ip calico filter-cali-po-knp/x/egress ip daddr 10.244.2.0/24 meta mark set meta mark & 0xfff7ffff comment "cali:wXGn9H6mjuNXGcny"
add rule ip calico filter-cali-po-knp/x/egress meta l4proto tcp ip daddr 10.0.0.0/8 meta mark & 0x00080000 == 0x00080000 th dport 81-90 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:wKP7xDFDa5IBrTli"
add rule ip calico filter-cali-po-knp/x/egress meta mark & 0x00010000 == 0x00010000 return comment "cali:66K4HQlmd6Pc51t-"
add rule ip calico filter-cali-po-knp/x/egress meta l4proto udp th dport 53 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:dTrywSvmOzIAlWCN"
add rule ip calico filter-cali-pi-knp/x/web meta mark set meta mark & 0xffe7ffff comment "cali:qXIyEU1zM76MEx29; KubernetesNetworkPolicy x/web ingress"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp th dport 81 meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:Fe1CzrowTXFci752"
add rule ip calico filter-cali-pi-knp/x/web ip daddr . meta l4proto . th dport @cali40n-zBmVCH-I4zGK3XLfXXEsdeZ meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:jWC2YqfPr9QiTy3i"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp meta mark & 0x00080000 == 0x00080000 ip saddr @cali40s-KmdHoOEbZW2809KPxNEw2jU meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:a1Kr7BRjBbwKUx-t"
add rule ip calico filter-cali-pi-knp/x/web meta mark & 0x00010000 == 0x00010000 return comment "cali:uiZyPB1K2OWaXUzo"
add rule ip calico filter-cali-pi-knp/x/web meta mark set meta mark & 0xffe7ffff comment "cali:II3NTfZGPn8b14nz"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp th dport 81 meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:eStLX4wrqim70-Z5"
add rule ip calico filter-cali-pi-knp/x/web ip daddr . meta l4proto . th dport @cali40n-zBmVCH-I4zGK3XLfXXEsdeZ meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:oI9EuebGI_ZCccWW"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp meta mark & 0x00080000 == 0x00080000 ip saddr @cali40s-ILzJ8EsJdaeyq6jAUxGihD9 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:kD-cC2y4ptuPGob0"
add rule ip calico filter-cali-pi-knp/x/web meta mark & 0x00010000 == 0x00010000 return comment "cali:FA4pAJfxsLziWVgN"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto sctp th dport 80 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:LsMFSGFXzLZ3QfLL"
add rule ip calico filter-cali-pri-kns.kube-system meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:d39R9AXVv4tSl6Ts; Profile kns.kube-system ingress"
add rule ip calico filter-cali-pro-kns.kube-system meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:DjUzh8fgIDrA5hdV; Profile kns.kube-system egress"
add rule ip calico filter-cali-pri-kns.x meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:Y83rPLzALIgJx_cu; Profile kns.x ingress"
add rule ip calico filter-cali-pro-kns.x meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:mMqNQTdKNc8XGBqD; Profile kns.x egress"
add rule ip calico filter-cali-pri-kns.y meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:nPUWrQbIZMkfClw4; Profile kns.y ingress"
add rule ip calico filter-cali-pro-kns.y meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:sGuekdCDdKFv892N; Profile kns.y egress"
add rule ip calico filter-cali-pri-kns.z meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:LGfpEV0Wyfb_bKfE; Profile kns.z ingress"
add rule ip calico filter-cali-pro-kns.z meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:ZyeawKTkNH9-pvS7; Profile kns.z egress"
add rule ip calico filter-cali-tw-cali2ccdca1a883 ct state related,established accept comment "cali:4LIsmvJCwhyTxMmk"
add rule ip calico filter-cali-tw-cali2ccdca1a883 ct state invalid drop comment "cali:UZ-EG31GZNBHNcP-"
add rule ip calico filter-cali-tw-cali2ccdca1a883 meta mark set meta mark & 0xfffcffff comment "cali:2u5cOAOwEwaQWirk"
add rule ip calico filter-cali-tw-cali2ccdca1a883 jump filter-cali-pri-kns.z comment "cali:qxrjt6tGFjXw-654"
add rule ip calico filter-cali-tw-cali2ccdca1a883 meta mark & 0x00010000 == 0x00010000 return comment "cali:px27zGGo-QO93a7S; Return if profile accepted"
add rule ip calico filter-cali-tw-cali2ccdca1a883 drop comment "cali:SoXxlGPq61LwSrZQ; Drop if no profiles matched"
add rule ip calico filter-cali-fw-cali2ccdca1a883 ct state related,established accept comment "cali:2XJmduQLIJTMODkr"
add rule ip calico filter-cali-fw-cali2ccdca1a883 ct state invalid drop comment "cali:AO7dvljHLCmSYuJE"
add rule ip calico filter-cali-fw-cali2ccdca1a883 meta mark set meta mark & 0xfffcffff comment "cali:Gi76QUAPhBoqsKkM"
add rule ip calico filter-cali-fw-cali2ccdca1a883 meta l4proto udp th dport 4789 drop comment "cali:0NNYAh38MfYbcgbM; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-cali2ccdca1a883 meta l4proto 4 drop comment "cali:yXtSFirTrShAolc7; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-cali2ccdca1a883 jump filter-cali-pro-kns.z comment "cali:yqdUc1Sh37MFOptL"
add rule ip calico filter-cali-fw-cali2ccdca1a883 meta mark & 0x00010000 == 0x00010000 return comment "cali:DKeJAuk74pHJhKS4; Return if profile accepted"
add rule ip calico filter-cali-fw-cali2ccdca1a883 drop comment "cali:NYXRA6zbc_Jywu9b; Drop if no profiles matched"
add rule ip calico filter-cali-tw-cali456b416f2bf ct state related,established accept comment "cali:19NvcsRDUhCtShSo"
add rule ip calico filter-cali-tw-cali456b416f2bf ct state invalid drop comment "cali:L7IRHl_eYDNo-_zu"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark set meta mark & 0xfffcffff comment "cali:-sbDIfm27Ito1dvP"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark set meta mark & 0xfffdffff comment "cali:4D-tNd47ZqNXSjc0; Start of tier default"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 jump filter-cali-pi-knp/x/deny-all comment "cali:EYyJPeK06RqiOggo"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:9-NLO5659DBpAvGO; Return if policy accepted"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 jump filter-cali-pi-knp/x/web comment "cali:1bw1X02Lyrr7ByEL"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:iwlgbDtN9AWIO8KI; Return if policy accepted"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 drop comment "cali:bJ37XObY3iwPAi0w; End of tier default. Drop if no policies passed packet"
add rule ip calico filter-cali-tw-cali456b416f2bf jump filter-cali-pri-kns.x comment "cali:Ir7Q_9xzshoqeJvo"
add rule ip calico filter-cali-tw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:e2wvZSbIGdWzb688; Return if profile accepted"
add rule ip calico filter-cali-tw-cali456b416f2bf drop comment "cali:Ioe9O_h6zx4pG900; Drop if no profiles matched"
add rule ip calico filter-cali-fw-cali456b416f2bf ct state related,established accept comment "cali:rv0giPAuUioH00r9"
add rule ip calico filter-cali-fw-cali456b416f2bf ct state invalid drop comment "cali:ZaZcNGbMypr3n4RY"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark set meta mark & 0xfffcffff comment "cali:kvdf_Ql2bWhCvVAW"
add rule ip calico filter-cali-fw-cali456b416f2bf meta l4proto udp th dport 4789 drop comment "cali:Va9K_uywA4E8nK-Y; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-cali456b416f2bf meta l4proto 4 drop comment "cali:7aqPeXxl-TQkDLv_; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark set meta mark & 0xfffdffff comment "cali:WZevJPDJt_8U6Yah; Start of tier default"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 jump filter-cali-po-knp/x/deny-all comment "cali:bcrrNKcNtxV6sZF9"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:HYK6-w33wsnvdlOb; Return if policy accepted"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 jump filter-cali-po-knp/x/egress comment "cali:rZy6Mwm7gY0y_Wva"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:qGWBqP13eqKTLDb5; Return if policy accepted"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00020000 == 0x00000000 drop comment "cali:Fz3gYj1AVN3tHvWV; End of tier default. Drop if no policies passed packet"
add rule ip calico filter-cali-fw-cali456b416f2bf jump filter-cali-pro-kns.x comment "cali:Lt6xM53wRAoEtf36"
add rule ip calico filter-cali-fw-cali456b416f2bf meta mark & 0x00010000 == 0x00010000 return comment "cali:sYvQnoA_WW70yfWt; Return if profile accepted"
add rule ip calico filter-cali-fw-cali456b416f2bf drop comment "cali:HT7UCaGFRNR9BQ3T; Drop if no profiles matched"
add rule ip calico filter-cali-tw-calidac200d72ba ct state related,established accept comment "cali:-mn-DFIBQtmmE81S"
add rule ip calico filter-cali-tw-calidac200d72ba ct state invalid drop comment "cali:kuRO3f5gvreFQ9a2"
add rule ip calico filter-cali-tw-calidac200d72ba meta mark set meta mark & 0xfffcffff comment "cali:GaRPEHCQs73hfPYX"
add rule ip calico filter-cali-tw-calidac200d72ba jump filter-cali-pri-kns.y comment "cali:x4zYvkc8JUKIVss8"
add rule ip calico filter-cali-tw-calidac200d72ba meta mark & 0x00010000 == 0x00010000 return comment "cali:-w_pvZHo2npt7PBE; Return if profile accepted"
add rule ip calico filter-cali-tw-calidac200d72ba drop comment "cali:A2-mK8mAP3wgkFGB; Drop if no profiles matched"
add rule ip calico filter-cali-fw-calidac200d72ba ct state related,established accept comment "cali:u5So6wiYZ33Ag6Dl"
add rule ip calico filter-cali-fw-calidac200d72ba ct state invalid drop comment "cali:tsjaPog5g3XJzXRj"
add rule ip calico filter-cali-fw-calidac200d72ba meta mark set meta mark & 0xfffcffff comment "cali:aVhWVQuoi0kP7nuf"
add rule ip calico filter-cali-fw-calidac200d72ba meta l4proto udp th dport 4789 drop comment "cali:zmlOcyWPqUA7i0YL; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-calidac200d72ba meta l4proto 4 drop comment "cali:WnnmG402oHPbu6Yl; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-calidac200d72ba jump filter-cali-pro-kns.y comment "cali:HWrkq5FKCkonPQEo"
add rule ip calico filter-cali-fw-calidac200d72ba meta mark & 0x00010000 == 0x00010000 return comment "cali:qZ3tg0HO99fdh9ZY; Return if profile accepted"
add rule ip calico filter-cali-fw-calidac200d72ba drop comment "cali:aBqkEBy-4ebYUkQI; Drop if no profiles matched"
add rule ip calico filter-cali-tw-calidd8450fefc4 ct state related,established accept comment "cali:_X9p4lM6kdkvbldu"
add rule ip calico filter-cali-tw-calidd8450fefc4 ct state invalid drop comment "cali:VSqSTN-Ovl0Ov6N3"
add rule ip calico filter-cali-tw-calidd8450fefc4 meta mark set meta mark & 0xfffcffff comment "cali:dzn2DZ1vnxxoQzQL"
add rule ip calico filter-cali-tw-calidd8450fefc4 jump filter-cali-pri-kns.kube-system comment "cali:MgQs4zCcN2K1hdpO"
add rule ip calico filter-cali-tw-calidd8450fefc4 meta mark & 0x00010000 == 0x00010000 return comment "cali:AshPB81dA2zWopo9; Return if profile accepted"
add rule ip calico filter-cali-tw-calidd8450fefc4 drop comment "cali:TrW63Voj1MJ6oxTc; Drop if no profiles matched"
add rule ip calico filter-cali-fw-calidd8450fefc4 ct state related,established accept comment "cali:pKYOy0kq06ETDLee"
add rule ip calico filter-cali-fw-calidd8450fefc4 ct state invalid drop comment "cali:tdTvVMbkZdD9mpaH"
add rule ip calico filter-cali-fw-calidd8450fefc4 meta mark set meta mark & 0xfffcffff comment "cali:kZttqofIjU1TPLHl"
add rule ip calico filter-cali-fw-calidd8450fefc4 meta l4proto udp th dport 4789 drop comment "cali:J8XWrvTJuod1_u04; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-calidd8450fefc4 meta l4proto 4 drop comment "cali:2FgIxS4hdHMyeZEH; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-calidd8450fefc4 jump filter-cali-pro-kns.kube-system comment "cali:v2YT4f4czhKJBuZD"
add rule ip calico filter-cali-fw-calidd8450fefc4 meta mark & 0x00010000 == 0x00010000 return comment "cali:dLUuNkEmAZyhMQUw; Return if profile accepted"
add rule ip calico filter-cali-fw-calidd8450fefc4 drop comment "cali:dupfAmhkteMxjsV6; Drop if no profiles matched"
add rule ip calico filter-cali-FORWARD meta mark set meta mark & 0xffe5ffff comment "cali:5dgeOWA07u_F06gB"
add rule ip calico filter-cali-FORWARD iifname "cali*" jump filter-cali-from-wl-dispatch comment "cali:rzKYWodRqmU8T4-V"
add rule ip calico filter-cali-FORWARD oifname "cali*" jump filter-cali-to-wl-dispatch comment "cali:6XCO_ppTkjKiyOEq"
add rule ip calico filter-cali-INPUT iifname "cali*" goto filter-cali-wl-to-host comment "cali:m6r9JtsbAWmJPmF_"
add rule ip calico filter-cali-INPUT meta mark & 0x00010000 == 0x00010000 accept comment "cali:Lh4uLR8NA6oa9lkZ"
add rule ip calico filter-cali-OUTPUT meta mark & 0x00010000 == 0x00010000 accept comment "cali:9P-rcrKD9uKPBksU"
add rule ip calico filter-cali-OUTPUT oifname "cali*" return comment "cali:sv7QzqgR6pG0SYsW"
add rule ip calico filter-cali-wl-to-host jump filter-cali-from-wl-dispatch comment "cali:ErxqEAeaMTJ4gcTU"
add rule ip calico filter-cali-wl-to-host accept comment "cali:7DitdZVfSgEa2VC5; Configured DefaultEndpointToHostAction"
add rule ip calico filter-cali-from-wl-dispatch iifname vmap @filter-cali-from-wl-dispatch
add rule ip calico filter-cali-from-wl-dispatch drop comment "Unknown interface"
add element ip calico filter-cali-from-wl-dispatch { "cali2ccdca1a883" : goto filter-cali-fw-cali2ccdca1a883, "cali456b416f2bf" : goto filter-cali-fw-cali456b416f2bf, "calidac200d72ba" : goto filter-cali-fw-calidac200d72ba, "calidd8450fefc4" : goto filter-cali-fw-calidd8450fefc4 }
add rule ip calico filter-cali-to-wl-dispatch oifname vmap @filter-cali-to-wl-dispatch
add rule ip calico filter-cali-to-wl-dispatch drop comment "Unknown interface"
add element ip calico filter-cali-to-wl-dispatch { "cali2ccdca1a883" : goto filter-cali-tw-cali2ccdca1a883, "cali456b416f2bf" : goto filter-cali-tw-cali456b416f2bf, "calidac200d72ba" : goto filter-cali-tw-calidac200d72ba, "calidd8450fefc4" : goto filter-cali-tw-calidd8450fefc4 }

`

exports[`test/unit/policy-rules.test.ts > TAP > overlay: iptables mode snapshot > filter table: the policy engine 1`] = `
COMMIT
COMMIT
*filter
:cali-pi-knp/x/deny-all - [0:0]
:cali-po-knp/x/deny-all - [0:0]
:cali-po-knp/x/egress - [0:0]
:cali-pi-knp/x/web - [0:0]
:cali-pri-kns.kube-system - [0:0]
:cali-pro-kns.kube-system - [0:0]
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
:cali-tw-vethf934af65 - [0:0]
:cali-fw-vethf934af65 - [0:0]
:cali-FORWARD - [0:0]
:cali-INPUT - [0:0]
:cali-OUTPUT - [0:0]
:cali-wl-to-host - [0:0]
:cali-from-wl-dispatch - [0:0]
:cali-to-wl-dispatch - [0:0]
-A INPUT -m comment --comment cali:Cz_u1IQiXIMmKD4c -j cali-INPUT
-A FORWARD -m comment --comment cali:wUHhoiAYhphO9Mso -j cali-FORWARD
-A OUTPUT -m comment --comment cali:tVnHkvAo15HuiPy0 -j cali-OUTPUT
-A cali-pi-knp/x/deny-all -m comment --comment cali:mIDenMm_G7Ig0gO8 -m comment --comment "KubernetesNetworkPolicy x/deny-all ingress"
-A cali-po-knp/x/deny-all -m comment --comment cali:S07im5qMLlDjUFod -m comment --comment "KubernetesNetworkPolicy x/deny-all egress"
-A cali-po-knp/x/egress -m comment --comment cali:k9H_8U-S0a5UzeRV -m comment --comment "KubernetesNetworkPolicy x/egress egress" -j MARK --set-xmark 0x80000/0x180000
-A cali-po-knp/x/egress -d 10.244.1.0/24 -m comment --comment cali:Q6llt09gQ66rcQA5 -j MARK --set-xmark 0x0/0x80000
-A cali-po-knp/x/egress -d 10.244.2.0/24 -m comment --comment cali:jcpcFs6wC-JoJdk9 -j MARK --set-xmark 0x0/0x80000
-A cali-po-knp/x/egress -d 10.0.0.0/8 -p tcp -m comment --comment cali:_UsL3c6ukoOigwf3 -m mark --mark 0x80000/0x80000 -m multiport --destination-ports 81:90 -j MARK --set-xmark 0x10000/0x10000
-A cali-po-knp/x/egress -m comment --comment cali:mdqz6HWHTmKuDkQ5 -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-po-knp/x/egress -p udp -m comment --comment cali:7inm5JL19_rtrvgg -m multiport --destination-ports 53 -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:ZZY-IEm3qK6Hqb7i -m comment --comment "KubernetesNetworkPolicy x/web ingress" -j MARK --set-xmark 0x0/0x180000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:ivGOyvZx7wNaDD72 -m multiport --destination-ports 81 -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -m comment --comment cali:U2qtFG-r46eLuZpd -m set --match-set cali40n:zBmVCH-I4zGK3XLfXXEsdeZ dst,dst -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:LFkAdasOWGmrOsbA -m mark --mark 0x80000/0x80000 -m set --match-set cali40s:KmdHoOEbZW2809KPxNEw2jU src -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:qGFzsX4Qthrjqjgz -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-pi-knp/x/web -m comment --comment cali:_yEiA38FAeq6JDHv -j MARK --set-xmark 0x0/0x180000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:kpzJVmmyXm15w4MH -m multiport --destination-ports 81 -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -m comment --comment cali:9HIfT7PPqZn7t5iV -m set --match-set cali40n:zBmVCH-I4zGK3XLfXXEsdeZ dst,dst -j MARK --set-xmark 0x80000/0x80000
-A cali-pi-knp/x/web -p tcp -m comment --comment cali:ronZk6aTB2kg_yGe -m mark --mark 0x80000/0x80000 -m set --match-set cali40s:ILzJ8EsJdaeyq6jAUxGihD9 src -j MARK --set-xmark 0x10000/0x10000
-A cali-pi-knp/x/web -m comment --comment cali:okFDGT5hfGPJGiJ7 -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-pi-knp/x/web -p sctp -m comment --comment cali:Ku84Xdxdegk-Co-o -m multiport --destination-ports 80 -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.kube-system -m comment --comment cali:hLFt98dhTIlR3anL -m comment --comment "Profile kns.kube-system ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.kube-system -m comment --comment cali:7a0TqkqUtclN3mEX -m comment --comment "Profile kns.kube-system egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.x -m comment --comment cali:eG9BSdfRLl3IrBz9 -m comment --comment "Profile kns.x ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.x -m comment --comment cali:EBy-M2BcT732DlbO -m comment --comment "Profile kns.x egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.y -m comment --comment cali:VZ7HGxQUBva9CbPe -m comment --comment "Profile kns.y ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.y -m comment --comment cali:p0Q5VWvCTkx_Coti -m comment --comment "Profile kns.y egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.z -m comment --comment cali:awd0bbV5ODNp6e1b -m comment --comment "Profile kns.z ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.z -m comment --comment cali:k4n-Oy_8tNRbHpiT -m comment --comment "Profile kns.z egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-tw-veth40807a84 -m comment --comment cali:j1MJ7QMenWULoPKp -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-veth40807a84 -m comment --comment cali:gGXqY7sfsQN2_SQu -m conntrack --ctstate INVALID -j DROP
-A cali-tw-veth40807a84 -m comment --comment cali:xMdI_OJFVHoGtDv3 -j MARK --set-xmark 0x0/0x30000
-A cali-tw-veth40807a84 -m comment --comment cali:mfGz9FEn1sHLZmD1 -j cali-pri-kns.y
-A cali-tw-veth40807a84 -m comment --comment cali:4-Oeyp48HhafUOct -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-veth40807a84 -m comment --comment cali:ezkVhvNepWsg4zgl -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-veth40807a84 -m comment --comment cali:XXSzE5tA-PyidgW3 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-veth40807a84 -m comment --comment cali:nWgiTUpi2NaI3hwJ -m conntrack --ctstate INVALID -j DROP
-A cali-fw-veth40807a84 -m comment --comment cali:XnZ8TPh75gfmOjp7 -j MARK --set-xmark 0x0/0x30000
-A cali-fw-veth40807a84 -p udp -m comment --comment cali:a4KPmhPRSTM4qLgo -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-veth40807a84 -p 4 -m comment --comment cali:d9kuSYGQN1hUFFbB -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-veth40807a84 -m comment --comment cali:jWHBup1_DkgBfb-E -j cali-pro-kns.y
-A cali-fw-veth40807a84 -m comment --comment cali:qLOlRNM1GxutEqvA -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-veth40807a84 -m comment --comment cali:zRjsgaCUg7i6aG-J -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-veth5a287e26 -m comment --comment cali:MrfrIvhEu5PcHZmZ -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-veth5a287e26 -m comment --comment cali:c1Dsxv0xrHeTYqEf -m conntrack --ctstate INVALID -j DROP
-A cali-tw-veth5a287e26 -m comment --comment cali:NIIQDdJEri9ME9KF -j MARK --set-xmark 0x0/0x30000
-A cali-tw-veth5a287e26 -m comment --comment cali:TLH0A9xuDdIZsdW9 -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
-A cali-tw-veth5a287e26 -m comment --comment cali:nvaWXHhaqSwopunq -m mark --mark 0x0/0x20000 -j cali-pi-knp/x/deny-all
-A cali-tw-veth5a287e26 -m comment --comment cali:L3S3Wxor1DJ3m7ft -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-veth5a287e26 -m comment --comment cali:QGRlIbOYxj_hs489 -m mark --mark 0x0/0x20000 -j cali-pi-knp/x/web
-A cali-tw-veth5a287e26 -m comment --comment cali:gFTyVwu9ntfslbMM -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-veth5a287e26 -m comment --comment cali:OVlS50AWF0KHBIf1 -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
-A cali-tw-veth5a287e26 -m comment --comment cali:yXXxzr0QP5N00hBj -j cali-pri-kns.x
-A cali-tw-veth5a287e26 -m comment --comment cali:H_gcIFPeYxmoC7iP -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-veth5a287e26 -m comment --comment cali:Rw7vWY8fQILuE0Pc -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-veth5a287e26 -m comment --comment cali:rI1490aBdVEPb0xu -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-veth5a287e26 -m comment --comment cali:7bmQnJNss0s6-aCj -m conntrack --ctstate INVALID -j DROP
-A cali-fw-veth5a287e26 -m comment --comment cali:-0cN3PkOcCQxQP1h -j MARK --set-xmark 0x0/0x30000
-A cali-fw-veth5a287e26 -p udp -m comment --comment cali:Eia_PeVrjXwOSLLI -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-veth5a287e26 -p 4 -m comment --comment cali:sPAsHbRfqSs8B5Kb -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-veth5a287e26 -m comment --comment cali:0wD98f2lpe8HAaPf -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
-A cali-fw-veth5a287e26 -m comment --comment cali:0w88fpWidFSJZnmg -m mark --mark 0x0/0x20000 -j cali-po-knp/x/deny-all
-A cali-fw-veth5a287e26 -m comment --comment cali:45qNp3tas4iCxwxW -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-veth5a287e26 -m comment --comment cali:kSUiEoczMeY3pxiZ -m mark --mark 0x0/0x20000 -j cali-po-knp/x/egress
-A cali-fw-veth5a287e26 -m comment --comment cali:b2CR3CtPAMwxiqhF -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-veth5a287e26 -m comment --comment cali:CdN4axJP_FbHij0c -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
-A cali-fw-veth5a287e26 -m comment --comment cali:pcO2TCVkp_kZ9zE0 -j cali-pro-kns.x
-A cali-fw-veth5a287e26 -m comment --comment cali:X7Zd-lAndwUMue4l -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-veth5a287e26 -m comment --comment cali:3Uce-4e-F_TVOW1C -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-vethc79b6103 -m comment --comment cali:OeNJ9evIu9pV5uDI -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-vethc79b6103 -m comment --comment cali:fhi5DJ6hYQJHigWL -m conntrack --ctstate INVALID -j DROP
-A cali-tw-vethc79b6103 -m comment --comment cali:oTLNKAmCY8hO6EwZ -j MARK --set-xmark 0x0/0x30000
-A cali-tw-vethc79b6103 -m comment --comment cali:Qasrk33-5lkcrfZY -j cali-pri-kns.z
-A cali-tw-vethc79b6103 -m comment --comment cali:kN8T5BFM53KzHZuf -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-vethc79b6103 -m comment --comment cali:PY4K94CfCQvg31YU -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-vethc79b6103 -m comment --comment cali:DUH6RGGUPC0pGEK9 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-vethc79b6103 -m comment --comment cali:7Eltk3hWcDp46gnL -m conntrack --ctstate INVALID -j DROP
-A cali-fw-vethc79b6103 -m comment --comment cali:WBaZfq3IFR_OPTD0 -j MARK --set-xmark 0x0/0x30000
-A cali-fw-vethc79b6103 -p udp -m comment --comment cali:t1eCArfWE8UaRZvj -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-vethc79b6103 -p 4 -m comment --comment cali:6J94gyHn9wMr2S3f -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-vethc79b6103 -m comment --comment cali:cBEtzelu3srz55oq -j cali-pro-kns.z
-A cali-fw-vethc79b6103 -m comment --comment cali:dLikYFtsHgDoC20P -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-vethc79b6103 -m comment --comment cali:qoek8DL4Jm0kEckF -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-vethf934af65 -m comment --comment cali:PQQ-1eNcoBnDSGla -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-vethf934af65 -m comment --comment cali:QhPDf08i30rkqY1F -m conntrack --ctstate INVALID -j DROP
-A cali-tw-vethf934af65 -m comment --comment cali:flbxVRQ_1GPT5xvn -j MARK --set-xmark 0x0/0x30000
-A cali-tw-vethf934af65 -m comment --comment cali:YtfW_qMQkrA0DNYI -j cali-pri-kns.kube-system
-A cali-tw-vethf934af65 -m comment --comment cali:ADlM4nxwsVOwlEJt -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-vethf934af65 -m comment --comment cali:I2YvO_tFbauuGlAN -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-vethf934af65 -m comment --comment cali:g0vN-9UYELBJ8qIr -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-vethf934af65 -m comment --comment cali:pvyfvXt0HoGOEeTG -m conntrack --ctstate INVALID -j DROP
-A cali-fw-vethf934af65 -m comment --comment cali:SZ18cgb9uVNjuWco -j MARK --set-xmark 0x0/0x30000
-A cali-fw-vethf934af65 -p udp -m comment --comment cali:U7xZP_e8BiwtC_FF -m comment --comment "DROP VXLAN encapped packets originating in workloads" -m multiport --destination-ports 4789 -j DROP
-A cali-fw-vethf934af65 -p 4 -m comment --comment cali:D4SFHlPeM1Y-FPMT -m comment --comment "DROP IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-vethf934af65 -m comment --comment cali:BsWfE-Yjry3b8UYu -j cali-pro-kns.kube-system
-A cali-fw-vethf934af65 -m comment --comment cali:bOAz9bNJASpvjc-G -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-vethf934af65 -m comment --comment cali:dodesNJVScrechhz -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-FORWARD -m comment --comment cali:GR4xhSekyNIx8zvC -j MARK --set-xmark 0x0/0x1a0000
-A cali-FORWARD -m comment --comment cali:2kGZlhUeKCxWaOsB -m physdev --physdev-in veth+ -j cali-from-wl-dispatch
-A cali-FORWARD -o cni0 -m comment --comment cali:MwTpB3sI3yM1IDn6 -j cali-to-wl-dispatch
-A cali-INPUT -m comment --comment cali:kSdEhQy7Wf7A9y4S -m physdev --physdev-in veth+ -g cali-wl-to-host
-A cali-INPUT -m comment --comment cali:2gwxmNP5G2-AXbJD -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -m comment --comment cali:ThCET4ME8QNolRCP -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -o cni0 -m comment --comment cali:QMenIgqy8EcrgiN8 -j RETURN
-A cali-wl-to-host -m comment --comment cali:egDWt5RO3D-_mB9S -j cali-from-wl-dispatch
-A cali-wl-to-host -m comment --comment cali:dftBTbdqGoKncbMx -m comment --comment "Configured DefaultEndpointToHostAction" -j ACCEPT
-A cali-from-wl-dispatch -m comment --comment cali:YVObubVggWFbFZS2 -m physdev --physdev-in veth40807a84 -g cali-fw-veth40807a84
-A cali-from-wl-dispatch -m comment --comment cali:7ext3SfqNQH59Gr_ -m physdev --physdev-in veth5a287e26 -g cali-fw-veth5a287e26
-A cali-from-wl-dispatch -m comment --comment cali:wiMt8KJxVDG6PRRF -m physdev --physdev-in vethc79b6103 -g cali-fw-vethc79b6103
-A cali-from-wl-dispatch -m comment --comment cali:Gja2YCo0EynY4QZT -m physdev --physdev-in vethf934af65 -g cali-fw-vethf934af65
-A cali-from-wl-dispatch -m comment --comment cali:nuFUmmAmgZ_MR155 -m comment --comment "Unknown interface" -j DROP
-A cali-to-wl-dispatch -d 10.244.0.3/32 -m comment --comment cali:AG39c1fc7kvq7rdB -g cali-tw-veth40807a84
-A cali-to-wl-dispatch -d 10.244.0.2/32 -m comment --comment cali:GBGD4JztR4cQrmT2 -g cali-tw-veth5a287e26
-A cali-to-wl-dispatch -d 10.244.0.4/32 -m comment --comment cali:wAksA7C8K8nblRlX -g cali-tw-vethc79b6103
-A cali-to-wl-dispatch -d 10.244.0.5/32 -m comment --comment cali:HyGb-yYNuCPlbxRZ -g cali-tw-vethf934af65
-A cali-to-wl-dispatch -m comment --comment cali:WlaRBmJczk_SqDb8 -m comment --comment "Unknown interface" -j DROP
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
add chain ip calico filter-cali-pri-kns.kube-system
add chain ip calico filter-cali-pro-kns.kube-system
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
add chain ip calico filter-cali-tw-vethf934af65
add chain ip calico filter-cali-fw-vethf934af65
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
add rule ip calico filter-cali-pi-knp/x/deny-all counter comment "cali:h9N6mywDrSRhHwQQ; KubernetesNetworkPolicy x/deny-all ingress"
add rule ip calico filter-cali-po-knp/x/deny-all counter comment "cali:tZkPQtzFjXCHMpTJ; KubernetesNetworkPolicy x/deny-all egress"
add rule ip calico filter-cali-po-knp/x/egress meta mark set meta mark & 0xffe7ffff | 0x00080000 comment "cali:aXfTT7QSV0jzkmLb; KubernetesNetworkPolicy x/egress egress"
add rule ip calico filter-cali-po-knp/x/egress ip daddr 10.244.1.0/24 meta mark set meta mark & 0xfff7ffff comment "cali:_E1BFd1xhuXnAFzU"
add rule ip calico filter-cali-po-knp/x/egress ip daddr 10.244.2.0/24 meta mark set meta mark & 0xfff7ffff comment "cali:wXGn9H6mjuNXGcny"
add rule ip calico filter-cali-po-knp/x/egress meta l4proto tcp ip daddr 10.0.0.0/8 meta mark & 0x00080000 == 0x00080000 th dport 81-90 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:wKP7xDFDa5IBrTli"
add rule ip calico filter-cali-po-knp/x/egress meta mark & 0x00010000 == 0x00010000 return comment "cali:66K4HQlmd6Pc51t-"
add rule ip calico filter-cali-po-knp/x/egress meta l4proto udp th dport 53 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:dTrywSvmOzIAlWCN"
add rule ip calico filter-cali-pi-knp/x/web meta mark set meta mark & 0xffe7ffff comment "cali:qXIyEU1zM76MEx29; KubernetesNetworkPolicy x/web ingress"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp th dport 81 meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:Fe1CzrowTXFci752"
add rule ip calico filter-cali-pi-knp/x/web ip daddr . meta l4proto . th dport @cali40n-zBmVCH-I4zGK3XLfXXEsdeZ meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:jWC2YqfPr9QiTy3i"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp meta mark & 0x00080000 == 0x00080000 ip saddr @cali40s-KmdHoOEbZW2809KPxNEw2jU meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:a1Kr7BRjBbwKUx-t"
add rule ip calico filter-cali-pi-knp/x/web meta mark & 0x00010000 == 0x00010000 return comment "cali:uiZyPB1K2OWaXUzo"
add rule ip calico filter-cali-pi-knp/x/web meta mark set meta mark & 0xffe7ffff comment "cali:II3NTfZGPn8b14nz"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp th dport 81 meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:eStLX4wrqim70-Z5"
add rule ip calico filter-cali-pi-knp/x/web ip daddr . meta l4proto . th dport @cali40n-zBmVCH-I4zGK3XLfXXEsdeZ meta mark set meta mark & 0xfff7ffff | 0x00080000 comment "cali:oI9EuebGI_ZCccWW"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto tcp meta mark & 0x00080000 == 0x00080000 ip saddr @cali40s-ILzJ8EsJdaeyq6jAUxGihD9 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:kD-cC2y4ptuPGob0"
add rule ip calico filter-cali-pi-knp/x/web meta mark & 0x00010000 == 0x00010000 return comment "cali:FA4pAJfxsLziWVgN"
add rule ip calico filter-cali-pi-knp/x/web meta l4proto sctp th dport 80 meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:LsMFSGFXzLZ3QfLL"
add rule ip calico filter-cali-pri-kns.kube-system meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:d39R9AXVv4tSl6Ts; Profile kns.kube-system ingress"
add rule ip calico filter-cali-pro-kns.kube-system meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:DjUzh8fgIDrA5hdV; Profile kns.kube-system egress"
add rule ip calico filter-cali-pri-kns.x meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:Y83rPLzALIgJx_cu; Profile kns.x ingress"
add rule ip calico filter-cali-pro-kns.x meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:mMqNQTdKNc8XGBqD; Profile kns.x egress"
add rule ip calico filter-cali-pri-kns.y meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:nPUWrQbIZMkfClw4; Profile kns.y ingress"
add rule ip calico filter-cali-pro-kns.y meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:sGuekdCDdKFv892N; Profile kns.y egress"
add rule ip calico filter-cali-pri-kns.z meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:LGfpEV0Wyfb_bKfE; Profile kns.z ingress"
add rule ip calico filter-cali-pro-kns.z meta mark set meta mark & 0xfffeffff | 0x00010000 comment "cali:ZyeawKTkNH9-pvS7; Profile kns.z egress"
add rule ip calico filter-cali-tw-veth40807a84 ct state related,established accept comment "cali:Wm0PhWYKap1A66Ms"
add rule ip calico filter-cali-tw-veth40807a84 ct state invalid drop comment "cali:X3Dei7cs6mgBQ47V"
add rule ip calico filter-cali-tw-veth40807a84 meta mark set meta mark & 0xfffcffff comment "cali:ZIyY4qQQLa42y-w0"
add rule ip calico filter-cali-tw-veth40807a84 jump filter-cali-pri-kns.y comment "cali:P7GRIAiVd6PxWX4Y"
add rule ip calico filter-cali-tw-veth40807a84 meta mark & 0x00010000 == 0x00010000 return comment "cali:ZlCezsRabF51Uh6j; Return if profile accepted"
add rule ip calico filter-cali-tw-veth40807a84 drop comment "cali:HihsUnChm3DmEWbu; Drop if no profiles matched"
add rule ip calico filter-cali-fw-veth40807a84 ct state related,established accept comment "cali:jrtTCdYWpbw9PTtX"
add rule ip calico filter-cali-fw-veth40807a84 ct state invalid drop comment "cali:ygJZ_JZZDIRlAtFY"
add rule ip calico filter-cali-fw-veth40807a84 meta mark set meta mark & 0xfffcffff comment "cali:6kHiVB9fiF3rJYR7"
add rule ip calico filter-cali-fw-veth40807a84 meta l4proto udp th dport 4789 drop comment "cali:aakc_hZAUq1FGfFv; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-veth40807a84 meta l4proto 4 drop comment "cali:25a7e8SYMOs10M1C; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-veth40807a84 jump filter-cali-pro-kns.y comment "cali:BaX_ngTc7NdcqCI2"
add rule ip calico filter-cali-fw-veth40807a84 meta mark & 0x00010000 == 0x00010000 return comment "cali:99Qt_KVwZWxEwUZb; Return if profile accepted"
add rule ip calico filter-cali-fw-veth40807a84 drop comment "cali:6rwetCqJ1E4XwkkZ; Drop if no profiles matched"
add rule ip calico filter-cali-tw-veth5a287e26 ct state related,established accept comment "cali:M7UbAfecdfXblmNS"
add rule ip calico filter-cali-tw-veth5a287e26 ct state invalid drop comment "cali:zvxl1W4JAC7QjcQE"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark set meta mark & 0xfffcffff comment "cali:xc6mimqoBi7Dum9a"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark set meta mark & 0xfffdffff comment "cali:BWLlcSlobf9lRLib; Start of tier default"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 jump filter-cali-pi-knp/x/deny-all comment "cali:SQ1dl56_3yBnaCwJ"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:YIkrKqPgyaB2aRz8; Return if policy accepted"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 jump filter-cali-pi-knp/x/web comment "cali:x138ZG9nt25EkFBG"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:0myK2tm52iXmQXXh; Return if policy accepted"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 drop comment "cali:mnEnxdLkMRY7wCqP; End of tier default. Drop if no policies passed packet"
add rule ip calico filter-cali-tw-veth5a287e26 jump filter-cali-pri-kns.x comment "cali:4vncaf2_RnPP-v65"
add rule ip calico filter-cali-tw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:Gm2IIZZoa8XPWzQd; Return if profile accepted"
add rule ip calico filter-cali-tw-veth5a287e26 drop comment "cali:DxkEYgRDW5qHmcEd; Drop if no profiles matched"
add rule ip calico filter-cali-fw-veth5a287e26 ct state related,established accept comment "cali:KptZsnI8GSmsSA4L"
add rule ip calico filter-cali-fw-veth5a287e26 ct state invalid drop comment "cali:Lq-O4MxWLWG4OzHe"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark set meta mark & 0xfffcffff comment "cali:kmLrweqSG8476m-g"
add rule ip calico filter-cali-fw-veth5a287e26 meta l4proto udp th dport 4789 drop comment "cali:vmLewS3dnAyeOqrI; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-veth5a287e26 meta l4proto 4 drop comment "cali:qOqk8pBbfixA7iRM; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark set meta mark & 0xfffdffff comment "cali:ivkUQnNrEAH1uJMf; Start of tier default"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 jump filter-cali-po-knp/x/deny-all comment "cali:cZCclEXEoPqJgHfM"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:g5Mg6OPgWIGhmLW8; Return if policy accepted"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 jump filter-cali-po-knp/x/egress comment "cali:tMGRL_Vw-hu1uXK7"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:FF0ow3RzVyDmwQzM; Return if policy accepted"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00020000 == 0x00000000 drop comment "cali:yR4aLE-_JyuVF3lR; End of tier default. Drop if no policies passed packet"
add rule ip calico filter-cali-fw-veth5a287e26 jump filter-cali-pro-kns.x comment "cali:8SnLxTtDaENKK8h1"
add rule ip calico filter-cali-fw-veth5a287e26 meta mark & 0x00010000 == 0x00010000 return comment "cali:c-hQle0vrvzGm-kB; Return if profile accepted"
add rule ip calico filter-cali-fw-veth5a287e26 drop comment "cali:IpERUVnXPu_tYN11; Drop if no profiles matched"
add rule ip calico filter-cali-tw-vethc79b6103 ct state related,established accept comment "cali:AlQxA_7A3x627IUr"
add rule ip calico filter-cali-tw-vethc79b6103 ct state invalid drop comment "cali:rWwa_MSPx1nIsj9V"
add rule ip calico filter-cali-tw-vethc79b6103 meta mark set meta mark & 0xfffcffff comment "cali:_nIyXPznhz9f0-eQ"
add rule ip calico filter-cali-tw-vethc79b6103 jump filter-cali-pri-kns.z comment "cali:2ZmLkAh783YRJ_BZ"
add rule ip calico filter-cali-tw-vethc79b6103 meta mark & 0x00010000 == 0x00010000 return comment "cali:BRL4ZxDc5cd6QOJ3; Return if profile accepted"
add rule ip calico filter-cali-tw-vethc79b6103 drop comment "cali:3-1kHQg9gwh56vcy; Drop if no profiles matched"
add rule ip calico filter-cali-fw-vethc79b6103 ct state related,established accept comment "cali:-KrrTD6QuxyTJApV"
add rule ip calico filter-cali-fw-vethc79b6103 ct state invalid drop comment "cali:fO9cfMAdpgmPNqHJ"
add rule ip calico filter-cali-fw-vethc79b6103 meta mark set meta mark & 0xfffcffff comment "cali:IERPgWsUDXWDNH0I"
add rule ip calico filter-cali-fw-vethc79b6103 meta l4proto udp th dport 4789 drop comment "cali:iz2T9WCPnyQrub7f; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-vethc79b6103 meta l4proto 4 drop comment "cali:ys1QPYaEEJeHX1Tf; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-vethc79b6103 jump filter-cali-pro-kns.z comment "cali:0cPxm-zm0xzzYAcM"
add rule ip calico filter-cali-fw-vethc79b6103 meta mark & 0x00010000 == 0x00010000 return comment "cali:6uQgSxAK-WhQbd5a; Return if profile accepted"
add rule ip calico filter-cali-fw-vethc79b6103 drop comment "cali:1iDm2L2rPqovBYMP; Drop if no profiles matched"
add rule ip calico filter-cali-tw-vethf934af65 ct state related,established accept comment "cali:Urt-fKH6tMzvt3BD"
add rule ip calico filter-cali-tw-vethf934af65 ct state invalid drop comment "cali:ZXDnS6ukSun-Wcr5"
add rule ip calico filter-cali-tw-vethf934af65 meta mark set meta mark & 0xfffcffff comment "cali:ju4KXNiJK4OFXzeu"
add rule ip calico filter-cali-tw-vethf934af65 jump filter-cali-pri-kns.kube-system comment "cali:HD5zJCSI_5PJqs8e"
add rule ip calico filter-cali-tw-vethf934af65 meta mark & 0x00010000 == 0x00010000 return comment "cali:50ZjhNF60Kh9a4lu; Return if profile accepted"
add rule ip calico filter-cali-tw-vethf934af65 drop comment "cali:GCTnpOVNEZdGVBSY; Drop if no profiles matched"
add rule ip calico filter-cali-fw-vethf934af65 ct state related,established accept comment "cali:DNSdgnTNPxWS4yge"
add rule ip calico filter-cali-fw-vethf934af65 ct state invalid drop comment "cali:U5p5PekJIf4Xphxt"
add rule ip calico filter-cali-fw-vethf934af65 meta mark set meta mark & 0xfffcffff comment "cali:EU8lcMRerumDF0bM"
add rule ip calico filter-cali-fw-vethf934af65 meta l4proto udp th dport 4789 drop comment "cali:sxRe1HZThxP0AA53; DROP VXLAN encapped packets originating in workloads"
add rule ip calico filter-cali-fw-vethf934af65 meta l4proto 4 drop comment "cali:q7JKKvJ7epUnZKMu; DROP IPinIP encapped packets originating in workloads"
add rule ip calico filter-cali-fw-vethf934af65 jump filter-cali-pro-kns.kube-system comment "cali:NHxtb7uW-hLiM9oU"
add rule ip calico filter-cali-fw-vethf934af65 meta mark & 0x00010000 == 0x00010000 return comment "cali:8XuQWAma8At_SWD2; Return if profile accepted"
add rule ip calico filter-cali-fw-vethf934af65 drop comment "cali:disWscXBcVonrY0f; Drop if no profiles matched"
add rule ip calico filter-cali-FORWARD meta mark set meta mark & 0xffe5ffff comment "cali:5dgeOWA07u_F06gB"
add rule ip calico filter-cali-FORWARD iifname "cni0" jump filter-cali-from-wl-dispatch comment "cali:PCYpJ6umeYoH6E7v"
add rule ip calico filter-cali-FORWARD oifname "cni0" jump filter-cali-to-wl-dispatch comment "cali:FjCIVzh_f-8kiLqP"
add rule ip calico filter-cali-INPUT iifname "cni0" goto filter-cali-wl-to-host comment "cali:QMqZsDZk21__FLQ-"
add rule ip calico filter-cali-INPUT meta mark & 0x00010000 == 0x00010000 accept comment "cali:DIFWrxRnn2L3jjSq"
add rule ip calico filter-cali-OUTPUT meta mark & 0x00010000 == 0x00010000 accept comment "cali:9P-rcrKD9uKPBksU"
add rule ip calico filter-cali-OUTPUT oifname "cni0" return comment "cali:SxLXaNchUunAD3Av"
add rule ip calico filter-cali-wl-to-host jump filter-cali-from-wl-dispatch comment "cali:ErxqEAeaMTJ4gcTU"
add rule ip calico filter-cali-wl-to-host accept comment "cali:7DitdZVfSgEa2VC5; Configured DefaultEndpointToHostAction"
add rule ip calico filter-cali-from-wl-dispatch ip saddr vmap @filter-cali-from-wl-dispatch
add rule ip calico filter-cali-from-wl-dispatch drop comment "Unknown interface"
add element ip calico filter-cali-from-wl-dispatch { 10.244.0.3 : goto filter-cali-fw-veth40807a84, 10.244.0.2 : goto filter-cali-fw-veth5a287e26, 10.244.0.4 : goto filter-cali-fw-vethc79b6103, 10.244.0.5 : goto filter-cali-fw-vethf934af65 }
add rule ip calico filter-cali-to-wl-dispatch ip daddr vmap @filter-cali-to-wl-dispatch
add rule ip calico filter-cali-to-wl-dispatch drop comment "Unknown interface"
add element ip calico filter-cali-to-wl-dispatch { 10.244.0.3 : goto filter-cali-tw-veth40807a84, 10.244.0.2 : goto filter-cali-tw-veth5a287e26, 10.244.0.4 : goto filter-cali-tw-vethc79b6103, 10.244.0.5 : goto filter-cali-tw-vethf934af65 }

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
