#!/usr/bin/env bash
# podlab's first command: install what is missing on a Debian/Ubuntu machine, build, then run the main job —
# the example 3-node lab with its checks — and tear it down again.
#   sudo scripts/setup.sh            # install + build + run the example lab
#   sudo scripts/setup.sh --install  # install + build only
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "podlab needs root (it creates network namespaces): run  sudo $0 $*" >&2
  exit 1
fi

# Debian packages the lab and its tests use (iperf3 for podlab compare; chromium renders its report in the tests;
# unbound serves the cluster DNS, bind9-dnsutils gives the tests and learners dig; ipset holds NetworkPolicy's IP sets).
# nginx-light is the ingress controller (run by podlab inside a pod namespace), openssl makes its fake certificate.
PKGS="iproute2 iptables ipset nftables python3 curl iputils-ping socat tcpdump conntrack util-linux procps bird2 kmod iperf3 chromium unbound bind9-dnsutils nginx-light openssl tshark etcd-server etcd-client"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "==> installing:$missing"
  apt-get update -qq
  # Packages must not start their services on this host (nginx would listen on the host's port 80).
  made_policy=; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

# Node.js >= 20 (Debian 12's own nodejs is 18: install Node 20 from your usual source if this fails).
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  if ! command -v node >/dev/null 2>&1; then
    apt-get install -y -qq nodejs npm >/dev/null || true
  fi
  if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "podlab needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
    exit 1
  fi
fi

# Bridge netfilter: a Service reply on a node's cni0 must pass conntrack. Loading it is the one host-wide
# step podlab needs; podlab itself never loads modules or changes the host's sysctls.
if [ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
  echo "==> loading kernel module br_netfilter"
  modprobe br_netfilter
fi

echo "==> npm ci && build"
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent

[ "${1:-}" = "--install" ] && exit 0

echo "==> the example lab: examples/lab.yaml"
node dist/cli/main.js up -f examples/lab.yaml
node dist/cli/main.js status -c demo
trap 'node dist/cli/main.js down -c demo' EXIT
echo "==> its checks: real packets, compared with what Kubernetes promises (docs/checks.md)"
node dist/cli/main.js check -c demo
