#!/usr/bin/env bash
# Emulated machines for labs across machines (docs/multihost.md), on one Linux box, without VMs:
#   scripts/machines.sh up [N | NAME…]   machine namespaces (node1…nodeN by default 3, or the names given) on one
#                                        underlay bridge (its own namespace, 192.168.56.0/24, eth1 in each machine),
#                                        etcd in its own namespace listening on a unix socket only, with
#                                        authentication (root + a "podlab" user, passwords in 0600 files), and one
#                                        `podlab daemon --node NAME` per machine entered with nsenter --net= (own
#                                        socket and state directory each). Last line: PODLAB_STORE=etcd:///…
#   scripts/machines.sh down             stops exactly the processes it started (by pid), cleans the daemons' labs,
#                                        deletes its namespaces and directory, and verifies nothing is left.
# Nothing is added to the host's root namespace: the CLI reaches etcd and the daemons through unix sockets.
# Environment: PODLAB_MACHINES_DIR (default /run/podlab-machines), PODLAB_MACHINES_PREFIX (prefix of the underlay
# and etcd namespaces, default "plm-").
set -euo pipefail

DIR=${PODLAB_MACHINES_DIR:-/run/podlab-machines}
P=${PODLAB_MACHINES_PREFIX:-plm-}
UL="${P}underlay"
ETCDNS="${P}etcd"
HERE=$(cd "$(dirname "$0")" && pwd)
CLI="$HERE/../dist/cli/main.js"
SOCK="$DIR/etcd/etcd:2379"
URL="etcd://$SOCK"

die() { echo "machines.sh: $*" >&2; exit 1; }
usage() { echo "usage: $0 up [N | NAME…] | down" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces)"

ns_exists() { [ -e "/run/netns/$1" ]; }

up() {
  local names=()
  if [ $# -eq 0 ]; then set -- 3; fi
  if [ $# -eq 1 ] && [[ $1 =~ ^[0-9]+$ ]]; then
    [ "$1" -ge 1 ] && [ "$1" -le 50 ] || die "N must be 1…50 (got $1)"
    for i in $(seq 1 "$1"); do names+=("node$i"); done
  else
    names=("$@")
  fi
  for m in "${names[@]}"; do
    [[ $m =~ ^[a-z][a-z0-9-]{0,12}$ ]] || die "machine name \"$m\": lowercase letters, digits and '-', starting with a letter, at most 13 characters"
    ns_exists "$m" && die "a network namespace \"$m\" already exists: not ours to take (machines.sh down, or other names)"
  done
  [ "$(printf '%s\n' "${names[@]}" | sort | uniq -d)" = "" ] || die "a machine name is given twice"
  [ -e "$DIR" ] && die "$DIR exists: machines are up already (machines.sh down first)"
  command -v etcd >/dev/null && command -v etcdctl >/dev/null || die "etcd is missing: apt-get install -y etcd-server etcd-client"
  command -v node >/dev/null || die "node is missing"
  [ -f "$CLI" ] || die "$CLI is missing: npm run build"
  ns_exists "$UL" && die "namespace $UL exists already"
  ns_exists "$ETCDNS" && die "namespace $ETCDNS exists already"

  mkdir -p "$DIR/etcd" && chmod 700 "$DIR"
  : > "$DIR/netns"; : > "$DIR/pids"
  trap 'echo "machines.sh: up failed, undoing" >&2; down >&2 || true' ERR

  ip netns add "$UL"; echo "$UL" >> "$DIR/netns"
  ip -n "$UL" link set lo up
  ip -n "$UL" link add br0 type bridge
  ip -n "$UL" link set br0 up
  local i=0
  for m in "${names[@]}"; do
    i=$((i + 1))
    ip netns add "$m"; echo "$m" >> "$DIR/netns"
    ip -n "$m" link set lo up
    ip -n "$UL" link add "u-$m" type veth peer name eth1 netns "$m"
    ip -n "$UL" link set "u-$m" master br0 up
    ip -n "$m" addr add "192.168.56.$((10 + i))/24" dev eth1
    ip -n "$m" link set eth1 up
    ip netns exec "$m" sysctl -qw net.ipv4.ip_forward=1
  done

  # etcd: its own namespace (its peer URL on that namespace's loopback), clients on a unix socket only.
  ip netns add "$ETCDNS"; echo "$ETCDNS" >> "$DIR/netns"
  ip -n "$ETCDNS" link set lo up
  (cd "$DIR/etcd" && exec nsenter --net="/run/netns/$ETCDNS" etcd --name podlab --data-dir "$DIR/etcd/data" \
    --listen-client-urls unix://etcd:2379 --advertise-client-urls unix://etcd:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster podlab=http://127.0.0.1:2380 </dev/null >"$DIR/etcd/etcd.log" 2>&1) &
  echo "$! etcd" >> "$DIR/pids"
  local E=(etcdctl --endpoints "unix://$SOCK" --dial-timeout 2s --command-timeout 5s)
  for _ in $(seq 1 100); do "${E[@]}" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
  "${E[@]}" endpoint health >/dev/null 2>&1 || die "etcd did not start: $(tail -5 "$DIR/etcd/etcd.log")"

  # Authentication: root (its password only in root.credentials) and the podlab user, read-write on /podlab/ only.
  local rootpw pw
  rootpw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 24)
  pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 24)
  (umask 077; echo "root:$rootpw" > "$DIR/root.credentials"; echo "podlab:$pw" > "$DIR/credentials")
  "${E[@]}" user add root --new-user-password="$rootpw" >/dev/null
  "${E[@]}" user grant-role root root >/dev/null
  "${E[@]}" user add podlab --new-user-password="$pw" >/dev/null
  "${E[@]}" role add podlab >/dev/null
  "${E[@]}" role grant-permission podlab --prefix=true readwrite /podlab/ >/dev/null
  "${E[@]}" user grant-role podlab podlab >/dev/null
  "${E[@]}" auth enable >/dev/null

  for m in "${names[@]}"; do
    mkdir -p "$DIR/$m"
    (exec nsenter --net="/run/netns/$m" env PODLAB_STATE_DIR="$DIR/$m" node "$CLI" daemon --node "$m" --store "$URL" \
      --store-credentials "$DIR/credentials" --state-dir "$DIR/$m" --underlay-dev eth1 </dev/null >"$DIR/$m/daemon.log" 2>&1) &
    echo "$! daemon $m" >> "$DIR/pids"
  done
  for m in "${names[@]}"; do
    for _ in $(seq 1 300); do grep -q "registered in" "$DIR/$m/daemon.log" 2>/dev/null && break; sleep 0.1; done
    grep -q "registered in" "$DIR/$m/daemon.log" || die "the daemon of $m did not register: $(tail -5 "$DIR/$m/daemon.log")"
  done
  trap - ERR
  for m in "${names[@]}"; do echo "machine $m: netns $m, underlay $(ip -n "$m" -4 -o addr show dev eth1 | awk '{print $4}'), daemon socket $DIR/$m/podlab.sock"; done
  echo "PODLAB_STORE_CREDENTIALS=$DIR/credentials"
  echo "PODLAB_STORE=$URL"
}

# A pid of ours: alive and its command line still the one we started (pids are not reused under our feet).
ours() {
  local pid=$1 what=$2 cmd
  [ -r "/proc/$pid/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline")
  case $what in
    etcd) [[ $cmd == *etcd*"$DIR/etcd/data"* ]] ;;
    daemon) [[ $cmd == *daemon*"--state-dir $DIR/"* ]] ;;
    *) return 1 ;;
  esac
}

down() {
  [ -d "$DIR" ] || { echo "machines.sh: nothing is up ($DIR does not exist)"; return 0; }
  local pid what rest
  # Daemons first (etcd last: they revoke their leases as they stop).
  if [ -f "$DIR/pids" ]; then
    for pass in daemon etcd; do
      while read -r pid what rest; do
        [ "$what" = "$pass" ] || continue
        ours "$pid" "$what" && kill -TERM "$pid" 2>/dev/null || true
      done < "$DIR/pids"
      while read -r pid what rest; do
        [ "$what" = "$pass" ] || continue
        for _ in $(seq 1 50); do ours "$pid" "$what" || break; sleep 0.1; done
        ours "$pid" "$what" && kill -KILL "$pid" 2>/dev/null || true
      done < "$DIR/pids"
    done
  fi
  # The daemons' labs (pod namespaces, their processes), in-process, each in its machine's namespace; only the labs
  # of that machine's state directory (never `clean --all`, which is every podlab namespace of the host).
  if [ -f "$DIR/netns" ] && [ -f "$CLI" ]; then
    while read -r m; do
      [ -d "$DIR/$m" ] && ns_exists "$m" || continue
      for st in "$DIR/$m"/*/state.json; do
        [ -f "$st" ] || continue
        nsenter --net="/run/netns/$m" env PODLAB_NO_DAEMON=1 PODLAB_STATE_DIR="$DIR/$m" node "$CLI" down -c "$(basename "$(dirname "$st")")" >/dev/null 2>&1 || true
      done
    done < "$DIR/netns"
  fi
  if [ -f "$DIR/netns" ]; then
    while read -r n; do ns_exists "$n" && ip netns delete "$n"; done < "$DIR/netns"
  fi
  # Verify.
  local left=""
  if [ -f "$DIR/netns" ]; then while read -r n; do ns_exists "$n" && left+=" netns:$n"; done < "$DIR/netns"; fi
  if [ -f "$DIR/pids" ]; then while read -r pid what rest; do ours "$pid" "$what" && left+=" pid:$pid($what)"; done < "$DIR/pids"; fi
  [ -z "$left" ] || die "left behind:$left (not removing $DIR)"
  rm -rf "$DIR"
  echo "machines.sh: down, nothing left"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) [ $# -eq 1 ] || usage; down ;;
  *) usage ;;
esac
