# Sourced by the tool tests: starts collectionsd on a free loopback port
# with a small demo portfolio in "$work/data", and defines ctl() to call it.
#
#   start_server <collectionsd> <collectionsctl> <demo debtors>
# Sets server_pid and port; the caller's EXIT trap kills the server.
start_server() {
  local server_bin=$1 ctl_bin=$2 debtors=$3
  "$server_bin" --listen=127.0.0.1:0 --data_dir="$work/data" --seed_demo \
    --demo_debtors="$debtors" --tree_head_interval_seconds=0 \
    --due_events_interval_seconds=0 --insecure_plaintext \
    >"$work/server.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 200); do
    grep -q "serving on port" "$work/server.out" && break
    sleep 0.1
  done
  port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$work/server.out")
  [[ -n "$port" ]] || { cat "$work/server.out"; exit 1; }
  ctl_path=$ctl_bin
  ctl() { "$ctl_path" --server="127.0.0.1:$port" "$@"; }
}
