# Sourced by scripts/network.sh and scripts/devnet.sh: a chain started in the
# background must not outlive the program that asked for it. When
# BIONFT_OWNER_PID is set (the test harnesses and the browser test set it to
# their own process id), a watchdog beside the chain stops it once that process
# has exited, even if it died before it could stop the chain itself (a
# timeout's SIGTERM, Ctrl-C, SIGKILL). Without BIONFT_OWNER_PID nothing changes:
# `scripts/devnet.sh start` and `scripts/network.sh start` from a shell keep
# their chains running until `stop`.

# Refused before the sourcing script starts anything.
if [ -n "${BIONFT_OWNER_PID:-}" ] && ! [[ "$BIONFT_OWNER_PID" =~ ^[1-9][0-9]*$ ]]; then
  echo "$(basename "$0"): BIONFT_OWNER_PID must be a process id, not '$BIONFT_OWNER_PID'" >&2
  exit 2
fi

# watchdog_start PIDFILE COMMAND [ARG…]: unless a watchdog recorded in PIDFILE
# runs already, start one that runs COMMAND once $BIONFT_OWNER_PID has exited.
watchdog_start() {
  local pidfile=$1 pid
  shift
  [ -n "${BIONFT_OWNER_PID:-}" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null) && kill -0 "$pid" 2>/dev/null && return 0
  # shellcheck disable=SC2016 # expanded by the watchdog's own shell
  setsid bash -c 'while kill -0 "$0" 2>/dev/null; do sleep 2; done; exec "$@"' "$BIONFT_OWNER_PID" "$@" \
    >/dev/null 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# watchdog_stop PIDFILE: stop the watchdog recorded there, unless it is this
# very process (the watchdog execs COMMAND, which then stops the chain).
watchdog_stop() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  [ "$pid" = "$$" ] || kill "$pid" 2>/dev/null || true
  rm -f "$1"
}
