# Shared by the benchmark scripts (sourced, not run): starting a server
# that prints "serving on port N" and waiting until it serves.

# bench_start_server LOG COMMAND [ARGS...]: starts COMMAND in the background
# with its output in LOG, sets server_pid, and waits until LOG names the
# port; sets port. LOG is emptied before the start, not by the redirection:
# that one happens in the child, after this shell may already have read a
# previous server's "serving on port" line. The line may be seen
# half-written, so it waits until it names the port. Prints LOG and
# returns 1 when the server exits or does not serve within 60 s.
bench_start_server() {
  local log=$1
  shift
  : >"$log"
  "$@" >"$log" 2>&1 &
  server_pid=$!
  port=
  for _ in $(seq 600); do
    port=$(sed -n 's/.*serving on port \([0-9][0-9]*\).*/\1/p' "$log")
    [[ -n "$port" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$1 did not start serving:" >&2
  cat "$log" >&2
  return 1
}
