#!/usr/bin/env bash
# loadgen against cluster mode beside single-node mode, in one run on this
# machine: a single collectionsd (the baseline), then three nats-server
# (JetStream, three replicas) with NODES collectionsd nodes, loadgen's
# callers spread over the nodes. Same workload, callers and duration.
#
#   tools/dev/cluster_loadtest.sh                  # 2 nodes, 16 callers, 10 s
#   NODES=3 CALLERS=64 SECONDS_EACH=20 tools/dev/cluster_loadtest.sh
#
# Prints a table: appends/s, p50 and p99 ms, and the ratio to single node;
# then the CPU each append cost the servers (loadgen's own excluded), which
# tells a machine that is short of cores from a design that waits.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${BUILD_DIR:-build}"
NODES="${NODES:-2}" CALLERS="${CALLERS:-16}" SECONDS_EACH="${SECONDS_EACH:-10}"
nats_bin=$(command -v nats-server || echo /usr/sbin/nats-server)
[[ -x "$nats_bin" ]] || { echo "needs nats-server (tools/dev/install_deps.sh)"; exit 2; }
[[ -x "$BUILD_DIR/services/server/collectionsd" ]] || tools/dev/build.sh >/dev/null
work=$(mktemp -d)
pids=()
trap 'kill -KILL "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# node <name> [flags…]: starts collectionsd; sets port (empty: it exited).
node() {
  local name=$1; shift
  "$BUILD_DIR/services/server/collectionsd" --listen=127.0.0.1:0 \
    --data_dir="$work/$name" --insecure_plaintext --rate_limit_per_second=0 \
    --tree_head_interval_seconds=0 --due_events_interval_seconds=0 "$@" \
    >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  port=""
  for _ in $(seq 600); do
    grep -q "serving on port" "$work/$name.log" && break
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$work/$name.log")
}
# measure <servers>: "<appends/s> <p50> <p99>"
measure() {
  "$BUILD_DIR/tools/loadgen" --server="$1" --workload=single \
    --callers="$CALLERS" --seconds="$SECONDS_EACH" | grep '^{"benchmark"' |
    python3 -c 'import json,sys; o=json.load(sys.stdin)["ops"][0]; print("%.0f %.2f %.2f %d" % (o["events_per_s"], o["p50_ms"], o["p99_ms"], o["errors"]))'
}

# cpu_ticks <pid>…: user + system CPU the processes used so far, in ticks.
cpu_ticks() {
  local total=0 fields
  for p in "$@"; do
    read -r -a fields <"/proc/$p/stat"
    total=$((total + fields[13] + fields[14]))
  done
  echo "$total"
}
# per_append <ticks> <appends/s>: CPU milliseconds per append.
per_append() {
  python3 -c "print('%.3f' % ($1 * 1000 / $(getconf CLK_TCK) / max(1, $2 * $SECONDS_EACH)))"
}

node single
single_pid=${pids[-1]}
before=$(cpu_ticks "$single_pid")
single=$(measure "127.0.0.1:$port")
single_cpu=$(($(cpu_ticks "$single_pid") - before))
kill "$single_pid"

urls=() client=() route=()
for i in 0 1 2; do client+=("$(free_port)"); route+=("$(free_port)"); done
for i in 0 1 2; do
  routes=()
  for j in 0 1 2; do [[ $j != "$i" ]] && routes+=("nats-route://127.0.0.1:${route[$j]}"); done
  mkdir -p "$work/n$i"
  printf 'server_name: n%s\nlisten: 127.0.0.1:%s\njetstream { store_dir: "%s" }\ncluster { name: c\n listen: 127.0.0.1:%s\n routes: [%s] }\n' \
    "$i" "${client[$i]}" "$work/n$i" "${route[$i]}" "$(IFS=,; echo "${routes[*]}")" >"$work/n$i.conf"
  "$nats_bin" -c "$work/n$i.conf" >"$work/nats$i.log" 2>&1 &
  pids+=("$!")
  urls+=("nats://127.0.0.1:${client[$i]}")
done
nats_pids=("${pids[@]: -3}")
cluster_flags=(--cluster_servers="$(IFS=,; echo "${urls[*]}")" --signing_key_file="$work/key.pem")
openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null
chmod 600 "$work/key.pem"
servers=() node_pids=()
for n in $(seq "$NODES"); do
  for _ in $(seq 30); do node "node$n" "${cluster_flags[@]}" && break; sleep 1; done
  [[ -n "$port" ]] || { echo "node $n did not start"; tail "$work/node$n.log"; exit 1; }
  servers+=("127.0.0.1:$port")
  node_pids+=("${pids[-1]}")
done
nodes_before=$(cpu_ticks "${node_pids[@]}")
nats_before=$(cpu_ticks "${nats_pids[@]}")
cluster=$(measure "$(IFS=,; echo "${servers[*]}")")
nodes_cpu=$(($(cpu_ticks "${node_pids[@]}") - nodes_before))
nats_cpu=$(($(cpu_ticks "${nats_pids[@]}") - nats_before))

read -r s_eps s_p50 s_p99 s_err <<<"$single"
read -r c_eps c_p50 c_p99 c_err <<<"$cluster"
cat <<TABLE

Cluster load, $(date -u +%F), $(nproc) cores, $CALLERS callers, ${SECONDS_EACH} s, one-event LogCalls, sync on
| mode | appends/s | p50 ms | p99 ms | errors | vs single node |
|---|---:|---:|---:|---:|---:|
| single node | $s_eps | $s_p50 | $s_p99 | $s_err | 1.00 |
| cluster: 3 NATS (R=3) + $NODES nodes | $c_eps | $c_p50 | $c_p99 | $c_err | $(python3 -c "print('%.3f' % ($c_eps / $s_eps))") |

CPU per append (ms, user + system): single node $(per_append "$single_cpu" "$s_eps"); cluster: collectionsd nodes $(per_append "$nodes_cpu" "$c_eps"), nats-server $(per_append "$nats_cpu" "$c_eps")
command: NODES=$NODES CALLERS=$CALLERS SECONDS_EACH=$SECONDS_EACH tools/dev/cluster_loadtest.sh
TABLE
