#!/usr/bin/env bash
# Cluster mode with real processes on loopback: three nats-server (one
# JetStream stream, three replicas) and two collectionsd nodes. loadgen
# appends through both nodes, retrying a failed call on the other node with
# the same request id. Mid-load one NATS server and then node A are killed
# (SIGKILL); appends go on through node B. Afterwards crash_check on B's
# copy finds every acknowledged event exactly once, where its
# acknowledgement said, and A, restarted, catches up to the same head.
# Then a partitioned minority: with one server down and another stopped,
# appends through a node are refused UNAVAILABLE, and after the heal both
# nodes go on from the same log. Last, two new nodes seed the demo
# portfolio at once and it lands once.
#
#   cluster_test.sh <collectionsd> <collectionsctl> <loadgen> <crash_check>
#
# Exit 77 (skipped) where nats-server is not installed; CI installs it.
set -euo pipefail
server_bin=$1 ctl_bin=$2 loadgen_bin=$3 check_bin=$4
nats_bin=$(command -v nats-server || ls /usr/sbin/nats-server 2>/dev/null || true)
if [[ -z "$nats_bin" ]]; then
  echo "SKIP: nats-server is not installed (apt-get install nats-server)"
  exit 77
fi
work=$(mktemp -d)
pids=()
cleanup() {
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 5 "$work"/*.log >&2 || true; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Three NATS servers, routed to each other.
client_ports=() route_ports=()
for i in 0 1 2; do client_ports+=("$(free_port)"); route_ports+=("$(free_port)"); done
urls=()
for i in 0 1 2; do
  routes=()
  for j in 0 1 2; do
    [[ $j != "$i" ]] && routes+=("nats-route://127.0.0.1:${route_ports[$j]}")
  done
  mkdir -p "$work/n$i"
  cat >"$work/n$i.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:${client_ports[$i]}
jetstream { store_dir: "$work/n$i" }
cluster {
  name: collections-test
  listen: 127.0.0.1:${route_ports[$i]}
  routes: [$(IFS=,; echo "${routes[*]}")]
}
CONF
  "$nats_bin" -c "$work/n$i.conf" >"$work/nats$i.log" 2>&1 &
  nats_pids[$i]=$!
  pids+=("$!")
  urls+=("nats://127.0.0.1:${client_ports[$i]}")
done
cluster=$(IFS=,; echo "${urls[*]}")

# Every node signs what it publishes with its own key; the keys file lists
# them all (deploy/CLUSTER.md): made here as an operator would, with openssl.
for node in a b c d; do
  openssl genpkey -algorithm ed25519 -out "$work/node-$node.pem" 2>/dev/null
  echo "node-$node $(openssl pkey -in "$work/node-$node.pem" -pubout -outform DER |
    tail -c 32 | od -An -tx1 | tr -d ' \n')" >>"$work/node-keys.txt"
done

# launch_node <name> [flag…]: starts collectionsd in cluster mode and sets
# pid_<name>, without waiting for it.
launch_node() {
  "$server_bin" --listen=127.0.0.1:0 --data_dir="$work/$1" \
    --insecure_plaintext --rate_limit_per_second=0 --cluster_servers="$cluster" \
    --cluster_node_id="node-$1" --cluster_node_key_file="$work/node-$1.pem" \
    --cluster_node_keys_file="$work/node-keys.txt" \
    --signing_key_file="$work/signing.pem" --master_key_file="$work/master.key" \
    --tree_head_interval_seconds=0 --due_events_interval_seconds=0 \
    --min_free_disk_mb=0 --cluster_publish_timeout_ms=2000 "${@:2}" \
    >"$work/$1.log" 2>&1 &
  pids+=("$!")
  eval "pid_$1=$!"
}
# serving <name>: waits until node <name> serves and sets port_<name>;
# returns 1 when it exits instead (a cluster still electing its leaders
# refuses it).
serving() {
  local pid_var="pid_$1"
  # Up to three minutes: a node seeding the demo portfolio under a
  # sanitizer on a busy machine serves only once it is seeded.
  for _ in $(seq 3600); do
    grep -q "serving on port" "$work/$1.log" && break
    kill -0 "${!pid_var}" 2>/dev/null || return 1
    sleep 0.05
  done
  grep -q "serving on port" "$work/$1.log" || return 1
  eval "port_$1=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$work/$1.log")"
}
# start_node <name> [flag…]: both.
start_node() {
  launch_node "$@"
  serving "$1"
}
openssl genpkey -algorithm ed25519 -out "$work/signing.pem" 2>/dev/null
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/master.key"
chmod 600 "$work/signing.pem" "$work/master.key"
# The first start waits for the NATS cluster to elect its leaders.
started=0
for _ in $(seq 30); do
  if start_node a; then started=1; break; fi
  sleep 1
done
[[ $started == 1 ]] || fail "node a did not start"
start_node b || fail "node b did not start"
echo "nodes a :$port_a and b :$port_b on $cluster"

"$loadgen_bin" --server="127.0.0.1:$port_a,127.0.0.1:$port_b" --workload=single \
  --callers=8 --seconds=8 --retry --acked_log="$work/acked" \
  --case_prefix=cl >"$work/loadgen.out" 2>&1 &
loadgen_pid=$!
pids+=("$loadgen_pid")
sleep 2
kill -KILL "${nats_pids[2]}"
echo "killed NATS server n2"
sleep 2
kill -KILL "$pid_a"
echo "killed node a"
wait "$loadgen_pid" || { cat "$work/loadgen.out"; fail "loadgen reported errors"; }
cat "$work/loadgen.out"
acked=$(wc -l <"$work/acked")
[[ $acked -gt 100 ]] || fail "only $acked appends acknowledged"
grep -q "retried [1-9]" "$work/loadgen.out" || fail "no call was retried on the other node"

# Node b's copy holds every acknowledged event exactly once. An append is
# acknowledged once JetStream has it; b applies what went through a from the
# stream, so on a loaded machine it may still be catching up: wait until its
# head reaches the acknowledged count (at most 60 s) before stopping it.
log_head() {
  "$ctl_bin" --server="127.0.0.1:$1" status --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["log_head"])'
}
for _ in $(seq 300); do
  [[ $(log_head "$port_b") -ge $acked ]] && break
  sleep 0.2
done
kill -TERM "$pid_b"; wait "$pid_b" 2>/dev/null || true
"$check_bin" --data_dir="$work/b" --acked_log="$work/acked" ||
  fail "crash_check on node b's copy"

# Both nodes back: a catches up from its checkpoint to b's head.
start_node a || fail "node a did not restart"
start_node b || fail "node b did not restart"
head_a=$(log_head "$port_a")
head_b=$(log_head "$port_b")
[[ "$head_a" == "$head_b" && "$head_a" -gt 0 ]] ||
  fail "heads differ after catch-up: a $head_a, b $head_b"
echo "cluster_test: $acked appends acknowledged across 2 nodes, none lost or doubled; both nodes at $head_a"

# A partitioned minority: n2 is down; stopping n1 leaves n0 alone, one of
# three. Appends are refused (UNAVAILABLE after the publish timeout, or
# the key store's when the command needs a debtor's key first), not taken
# by a minority that could diverge.
kill -STOP "${nats_pids[1]}"
for _ in $(seq 100); do
  [[ $(ps -o stat= -p "${nats_pids[1]}") == T* ]] && break
  sleep 0.05
done
if "$loadgen_bin" --server="127.0.0.1:$port_a" --workload=single --callers=1 \
  --seconds=1 --case_prefix=minority >"$work/minority.out" 2>&1; then
  kill -CONT "${nats_pids[1]}"
  cat "$work/minority.out"
  fail "an append was acknowledged by a minority"
fi
kill -CONT "${nats_pids[1]}"
grep -q "majority" "$work/minority.out" ||
  { cat "$work/minority.out"; fail "the minority's refusal does not say why"; }
echo "cluster_test: a minority of one NATS server refused appends: $(grep -o '[^:"]*majority[^;"]*' "$work/minority.out" | head -n 1)"
# Healed: appends go on through both nodes, and both hold the same log.
"$loadgen_bin" --server="127.0.0.1:$port_a,127.0.0.1:$port_b" --workload=single \
  --callers=4 --seconds=2 --retry --case_prefix=healed >"$work/healed.out" 2>&1 ||
  { cat "$work/healed.out"; fail "appends after the heal failed"; }
for _ in $(seq 100); do
  head_a=$(log_head "$port_a")
  head_b=$(log_head "$port_b")
  [[ "$head_a" == "$head_b" ]] && break
  sleep 0.1
done
[[ "$head_a" == "$head_b" ]] || fail "heads differ after the heal: a $head_a, b $head_b"
echo "cluster_test: after the heal both nodes are at $head_a"

# The demo portfolio, seeded by two new nodes starting at once on a stream
# of their own, lands once: the same number of events as one single node
# seeds.
"$server_bin" --listen=127.0.0.1:0 --data_dir="$work/single" --insecure_plaintext \
  --seed_demo --tree_head_interval_seconds=0 --due_events_interval_seconds=0 \
  --min_free_disk_mb=0 >"$work/single.log" 2>&1 &
pids+=("$!")
for _ in $(seq 3600); do grep -q "serving on port" "$work/single.log" && break; sleep 0.05; done
port_single=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$work/single.log")
[[ -n "$port_single" ]] || fail "the single node did not start"
launch_node c --seed_demo --cluster_stream=DEMO
launch_node d --seed_demo --cluster_stream=DEMO
# A node that lost the race to a stream still electing its leader exits;
# started again, it finds the portfolio there or seeds what is missing.
for node in c d; do
  for attempt in $(seq 10); do
    serving "$node" && break
    [[ $attempt == 10 ]] && fail "demo node $node did not start"
    sleep 1
    launch_node "$node" --seed_demo --cluster_stream=DEMO
  done
done
# A node that was serving while the other seeded catches up within moments.
demo_single=$(log_head "$port_single")
for _ in $(seq 100); do
  demo_c=$(log_head "$port_c")
  demo_d=$(log_head "$port_d")
  [[ "$demo_c" == "$demo_single" && "$demo_d" == "$demo_single" ]] && break
  sleep 0.1
done
[[ "$demo_c" == "$demo_single" && "$demo_d" == "$demo_single" ]] ||
  fail "demo seeded twice or partly: single $demo_single, nodes $demo_c and $demo_d"
echo "cluster_test: the demo portfolio seeded by two nodes at once: $demo_c events on each, as on a single node"
