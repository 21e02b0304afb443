#!/bin/sh
# podlab's container shim (what conmon or containerd-shim are to a container): it starts the container's command as
# its own session (so the command and everything it starts can be ended together), records the command's pid and
# start time, waits for it, ends whatever it left behind, and records its exit status and end time. A supervisor that
# started later, or was restarted, learns everything from these files.
#
#   shim.sh DIR ATTEMPT WORKDIR -- CMD ARGS...
#   DIR/ATTEMPT.start:  "<pid> <epoch seconds>"
#   DIR/ATTEMPT.exit:   "<exit code> <epoch seconds> [<reason> [<message>]]"   (128+N for signal N, as a container's)
dir=$1 n=$2 wd=$3
shift 4
now() { date +%s.%N; }
record() { printf '%s\n' "$2" > "$dir/$n.$1.tmp" && mv -f "$dir/$n.$1.tmp" "$dir/$n.$1"; }
cd "$wd" 2>/dev/null || cd /
if ! command -v -- "$1" >/dev/null 2>&1; then
  t=$(now)
  record start "0 $t"
  echo "exec: \"$1\": executable file not found in \$PATH" >&2
  record exit "128 $t StartError exec: \"$1\": executable file not found in \$PATH"
  exit 0
fi
setsid "$@" &
pid=$!
record start "$pid $(now)"
trap '' HUP INT
while :; do
  wait "$pid"
  code=$?
  kill -0 "$pid" 2>/dev/null || break
done
kill -KILL "-$pid" 2>/dev/null
record exit "$code $(now)"
