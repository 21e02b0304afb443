#!/usr/bin/env bash
# A Docker engine for podlab that leaves the host alone: no iptables/ip6tables rules, no masquerade, no bridge
# (docker0), IP forwarding not switched on, and every file it keeps in one directory of its own (data root,
# exec root, pid file, socket, config, trust key, log), so it runs beside any other engine without clashing.
#
#   eval "$(scripts/dockerd.sh start [DIR])"   # starts dockerd; prints: export DOCKER_HOST=unix://DIR/docker.sock
#   scripts/dockerd.sh stop [--keep] [DIR]     # stops it by its pid; removes DIR (images too) unless --keep
#   scripts/dockerd.sh flags [DIR]             # the dockerd command line, to run it yourself (make DIR/exec/netns
#                                              #   a shared mount first, as start does: docs/runtime.md)
#
# DIR defaults to /tmp/podlab-dockerd. podlab only needs network modes "none" and "container:": pod networking
# is podlab's own (a veth into the pod's sandbox namespace), so the engine needs no network of its own.
set -euo pipefail

cmd=${1:-}
shift || true
keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; shift; fi
DIR=${1:-/tmp/podlab-dockerd}
case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
SOCK="$DIR/docker.sock"
NAME=$(basename "$DIR")

flags() {
  local major
  major=$(dockerd --version | sed -E 's/^Docker version ([0-9]+)\..*/\1/')
  local cfg="$DIR/daemon.json"
  # Engines before 23 write a trust key to /etc/docker/key.json unless told where: keep it in DIR.
  if [ "${major:-0}" -lt 23 ] 2>/dev/null; then
    printf '{"deprecated-key-path": "%s/key.json"}\n' "$DIR" >"$cfg"
  else
    echo '{}' >"$cfg"
  fi
  echo dockerd --config-file "$cfg" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
    --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$NAME" \
    --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/dockerd.pid" -H "unix://$SOCK"
}

answers() { curl -sf --max-time 2 --unix-socket "$SOCK" http://engine/_ping >/dev/null 2>&1; }

case "$cmd" in
  flags)
    mkdir -p "$DIR"
    flags
    ;;
  start)
    command -v dockerd >/dev/null || { echo "dockerd not found: apt-get install docker.io" >&2; exit 3; }
    mkdir -p "$DIR"
    if [ -f "$DIR/dockerd.pid" ] && kill -0 "$(cat "$DIR/dockerd.pid")" 2>/dev/null && answers; then
      echo "export DOCKER_HOST=unix://$SOCK"
      exit 0
    fi
    # dockerd and containerd create these fixed directories whatever the flags; remove them at stop if we made them.
    : >"$DIR/made-dirs"
    for d in /run/docker /run/containerd; do [ -e "$d" ] || echo "$d" >>"$DIR/made-dirs"; done
    # The engine bind-mounts each sandbox's network namespace under EXEC/netns. A mount namespace made while it runs
    # (a podlab process pod's, `ip netns exec`'s) copies those mounts; from a private folder the copies are private
    # and keep the namespace alive after the engine unmounts it (until that other process ends: another lab's pods
    # keep a downed lab's pod namespaces). Made a shared mount first (as `ip netns` does with /run/netns), the copies
    # are its slaves and the engine's unmount reaches them.
    mkdir -p "$DIR/exec/netns"
    if ! findmnt -rno PROPAGATION --mountpoint "$DIR/exec/netns" 2>/dev/null | grep -q shared; then
      findmnt -rno TARGET --mountpoint "$DIR/exec/netns" >/dev/null 2>&1 || mount --bind "$DIR/exec/netns" "$DIR/exec/netns"
      mount --make-shared "$DIR/exec/netns"
    fi
    # shellcheck disable=SC2046
    setsid $(flags) >"$DIR/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 1 300); do
      answers && { echo "export DOCKER_HOST=unix://$SOCK"; exit 0; }
      kill -0 $! 2>/dev/null || break
      sleep 0.1
    done
    echo "dockerd did not come up; the end of $DIR/dockerd.log:" >&2
    tail -20 "$DIR/dockerd.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$DIR/dockerd.pid" ]; then
      pid=$(cat "$DIR/dockerd.pid")
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then echo "dockerd $pid did not stop in 30 s; sending SIGKILL" >&2; kill -KILL "$pid"; fi
      fi
    fi
    # The shared mount start made of EXEC/netns (and any namespace the engine left mounted in it) goes, --keep or not.
    { findmnt -rno TARGET | grep -F "$DIR/exec/netns/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
    if findmnt -rno TARGET --mountpoint "$DIR/exec/netns" >/dev/null 2>&1; then umount -l "$DIR/exec/netns" || true; fi
    # The engine's containers' cgroups lived under cgroup-parent $NAME: remove the (now empty) parents.
    find /sys/fs/cgroup -maxdepth 2 -type d -name "$NAME" -exec rmdir {} + 2>/dev/null || true
    if [ -f "$DIR/made-dirs" ]; then
      while read -r d; do
        find "$d" -depth -type d -empty -delete 2>/dev/null || true
      done <"$DIR/made-dirs"
    fi
    if [ "$keep" = 0 ] && [ -d "$DIR" ]; then
      # Whatever is still mounted under DIR (an engine killed hard) is unmounted before the directory goes.
      { findmnt -rno TARGET | grep -F "$DIR/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
      rm -rf --one-file-system "$DIR"
    fi
    ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
