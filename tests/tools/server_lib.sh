# Sourced by the tool tests: starts collectionsd on a free loopback port
# with a small demo portfolio in "$work/data", and defines ctl() to call it.
#
#   wait_serving <server output file>
# Waits (up to 30 s) until the server started last ($server_pid) prints
# the port it serves on, and sets port; exits 1 showing its output if it
# does not.
wait_serving() {
  for _ in $(seq 600); do
    grep -q "serving on port" "$1" && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$1")
  if [[ -z "$port" ]]; then
    echo "FAIL: the server did not start:"; cat "$1"; exit 1
  fi
}
#
#   start_server <collectionsd> <collectionsctl> <demo debtors>
# Sets server_pid and port; the caller's EXIT trap kills the server.
start_server() {
  local server_bin=$1 ctl_bin=$2 debtors=$3
  : >"$work/server.out"  # emptied now: the redirection below runs later
  "$server_bin" --listen=127.0.0.1:0 --data_dir="$work/data" --seed_demo \
    --demo_debtors="$debtors" --tree_head_interval_seconds=0 \
    --due_events_interval_seconds=0 --insecure_plaintext \
    >"$work/server.out" 2>&1 &
  server_pid=$!
  wait_serving "$work/server.out"
  ctl_path=$ctl_bin
  ctl() { "$ctl_path" --server="127.0.0.1:$port" "$@"; }
}
