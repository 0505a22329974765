#!/usr/bin/env python3
"""Checks deploy/ against the server it deploys:

- the sample flag file, and the flags in the Kubernetes ConfigMap, parse as
  collectionsd flags (the real binary reads them, and stops only at the
  missing secrets, past flag parsing);
- the Kubernetes manifests are valid YAML with the expected objects and
  fields, and agree with each other (mounts, flag file path, ports);
- the systemd unit has its hardening and points at the sample flag file;
- the container's runtime stage installs every Debian package that provides
  a library the server binary links.

    deploy_test.py <collectionsd> <source dir>
"""
import configparser
import os
import re
import subprocess
import sys
import tempfile

import yaml

# Packages a Debian base image has, and the sanitizers' runtimes (a test
# build's binary links them; a release build does not).
BASE_OR_TEST_ONLY = {"libc6", "libgcc-s1", "libstdc++6", "libasan8",
                     "libubsan1", "libtsan2", "liblsan0"}

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


def flags_parse(server, flags_text, label,
                stop_marker="/etc/collections/secrets", extra_args=()):
    """Runs collectionsd on the flags; they parse when it gets as far as the
    secrets they name (which do not exist here), or for cluster mode as far
    as connecting to the NATS servers (which are not here)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "collectionsd.flags")
        with open(path, "w") as out:
            out.write(flags_text)
        try:
            run = subprocess.run(
                [server, f"--flagfile={path}", f"--data_dir={tmp}/data",
                 "--listen=127.0.0.1:0", *extra_args],
                capture_output=True, text=True, timeout=60)
            output = run.stdout + run.stderr
        except subprocess.TimeoutExpired:
            check(False, f"{label}: the server ran instead of stopping at the "
                         "missing secrets")
            return
    check("Unknown command line flag" not in output and
          "Illegal value" not in output,
          f"{label}: flags do not parse:\n{output}")
    check(run.returncode != 0 and stop_marker in output,
          f"{label}: expected to stop at {stop_marker}:\n{output}")


def flags_of(text):
    return dict(line.split("=", 1) for line in text.splitlines()
                if line.startswith("--") and "=" in line)


def check_cluster(server, deploy):
    """Cluster mode's two tiers agree: the NATS pods route to each other,
    and collectionsd's --cluster_servers name every NATS pod's client port."""
    directory = os.path.join(deploy, "kubernetes", "cluster")
    with open(os.path.join(directory, "nats.yaml")) as f:
        nats = {d["kind"]: d for d in yaml.safe_load_all(f)}
    with open(os.path.join(directory, "collectionsd-cluster.yaml")) as f:
        nodes = {d["kind"]: d for d in yaml.safe_load_all(f)}
    for kind in ("ConfigMap", "Service", "StatefulSet"):
        check(kind in nats, f"cluster: nats.yaml lacks a {kind}")
        check(kind in nodes, f"cluster: collectionsd-cluster.yaml lacks a {kind}")
    if failures:
        return
    nats_set = nats["StatefulSet"]["spec"]
    service = nats["Service"]["metadata"]["name"]
    replicas = nats_set["replicas"]
    check(replicas >= 3 and replicas % 2 == 1,
          "cluster: NATS needs an odd number (3+) of servers for a majority")
    check(nats_set["serviceName"] == service and
          nats["Service"]["spec"].get("clusterIP") == "None",
          "cluster: NATS pods need a headless Service of their own")
    pods = [f"{nats['StatefulSet']['metadata']['name']}-{i}.{service}"
            for i in range(replicas)]
    nats_conf = nats["ConfigMap"]["data"]["nats.conf"]
    for pod in pods:
        check(f"nats-route://{pod}:6222" in nats_conf,
              f"cluster: the NATS routes miss {pod}")
    check("jetstream" in nats_conf, "cluster: JetStream is not enabled")
    # The trust model (deploy/CLUSTER.md): TLS for clients and routes, an
    # account whose nkey users are the collectionsd pods, nothing else.
    check(re.search(r"^tls \{[^}]*cert_file", nats_conf, re.M) is not None,
          "cluster: NATS clients must speak TLS")
    check(re.search(r"cluster \{.*tls \{[^}]*verify: true", nats_conf, re.S)
          is not None, "cluster: NATS routes must speak mutual TLS")
    check("accounts {" in nats_conf and "jetstream: enabled" in nats_conf,
          "cluster: the log's account (with JetStream) is missing")
    check("no_auth_user" not in nats_conf,
          "cluster: NATS must not admit unauthenticated clients")
    node_replicas = nodes["StatefulSet"]["spec"]["replicas"]
    for i in range(node_replicas):
        check(f"nkey: $COLLECTIONSD_{i}_NKEY" in nats_conf,
              f"cluster: no NATS user for collectionsd-{i}")
    check("DELETE" not in nats_conf and "PURGE" not in nats_conf,
          "cluster: nodes must not be allowed to delete or purge the log")
    policy = nats.get("NetworkPolicy", {}).get("spec", {})
    client_from = [rule["from"] for rule in policy.get("ingress", [])
                   if any(p.get("port") == 4222 for p in rule.get("ports", []))]
    check(policy.get("podSelector", {}).get("matchLabels") == {"app": "nats"}
          and client_from == [[{"podSelector": {"matchLabels":
                                                {"app": "collectionsd"}}}]],
          "cluster: a NetworkPolicy must let only collectionsd reach NATS")
    container = nats_set["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check(ports.get("client") == 4222 and ports.get("cluster") == 6222,
          "cluster: NATS container ports")
    check("readinessProbe" in container, "cluster: NATS readiness probe")

    flags = nodes["ConfigMap"]["data"]["collectionsd.flags"]
    node = nodes["StatefulSet"]["spec"]["template"]["spec"]["containers"][0]
    node_ports = {p["name"]: p["containerPort"] for p in node["ports"]}
    check(f"--health_listen=0.0.0.0:{node_ports.get('health')}" in flags,
          "cluster: --health_listen is not on the container's health port")
    for kind in ["readinessProbe", "livenessProbe"]:
        check(node.get(kind, {}).get("grpc", {}).get("port") ==
              node_ports.get("health"),
              f"cluster: the {kind} is not the gRPC probe on the health port")
    pod = f"{nodes['StatefulSet']['metadata']['name']}-0"
    # The container's own arguments, as Kubernetes expands $(POD_NAME).
    args = [a.replace("$(POD_NAME)", pod) for a in node["args"]
            if not a.startswith("--flagfile=")]
    check(any(e["name"] == "POD_NAME" and
              e["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
              for e in node.get("env", [])),
          "cluster: POD_NAME must come from the pod's name")
    check(f"--cluster_node_id={pod}" in args,
          "cluster: each node's id must be its pod name")
    check(f"--cluster_nats_nkey_seed_file=/etc/collections/cluster/{pod}.nk"
          in args, "cluster: each node must log in to NATS as its own user")
    check("--cluster_nats_ca_file" in flags_of(flags),
          "cluster: the nodes must check the NATS servers' certificates")
    # Parsed as far as the node's key (a secret not present here).
    flags_parse(server, flags, "cluster ConfigMap",
                stop_marker="/etc/collections/cluster", extra_args=args)
    mounts = {m["name"]: m["mountPath"] for m in node["volumeMounts"]}
    volumes = {v["name"]: v for v in
               nodes["StatefulSet"]["spec"]["template"]["spec"]["volumes"]}
    check(mounts.get("cluster-keys") == "/etc/collections/cluster" and
          volumes.get("cluster-keys", {}).get("secret", {}).get("secretName")
          == "collectionsd-cluster-keys",
          "cluster: the node keys must be mounted from their secret")
    check(flags_of(flags).get("--cluster_node_keys_file", "").startswith(
              "/etc/collections/cluster/"),
          "cluster: every node must read the cluster's node keys")
    servers = flags_of(flags).get("--cluster_servers", "").split(",")
    check(sorted(servers) == sorted(f"tls://{pod}:4222" for pod in pods),
          f"cluster: --cluster_servers {servers} is not every NATS pod, "
          "over TLS")
    check(flags_of(flags).get("--cluster_replicas") == str(replicas),
          "cluster: --cluster_replicas differs from the NATS servers")
    check("--signing_key_file" in flags_of(flags),
          "cluster: nodes must share one signing key")
    check(nodes["StatefulSet"]["spec"]["replicas"] >= 2,
          "cluster: fewer than two collectionsd nodes")


def main():
    server, source = sys.argv[1], sys.argv[2]
    deploy = os.path.join(source, "deploy")

    # The sample configuration.
    with open(os.path.join(deploy, "collectionsd.flags")) as f:
        sample = f.read()
    flags_parse(server, sample, "deploy/collectionsd.flags")
    sample_flags = flags_of(sample)

    # Kubernetes.
    with open(os.path.join(deploy, "kubernetes", "collectionsd.yaml")) as f:
        documents = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {d["kind"]: d for d in documents}
    check(set(by_kind) == {"ConfigMap", "Service", "StatefulSet",
                           "PodDisruptionBudget", "NetworkPolicy"},
          f"kubernetes: objects {sorted(by_kind)}")
    config = by_kind["ConfigMap"]["data"]["collectionsd.flags"]
    flags_parse(server, config, "kubernetes ConfigMap")
    spec = by_kind["StatefulSet"]["spec"]
    check(spec["replicas"] == 1, "kubernetes: the event log has one writer")
    pod = spec["template"]["spec"]
    pod_metadata = spec["template"]["metadata"]
    container = pod["containers"][0]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    check([c["metadata"]["name"] for c in spec["volumeClaimTemplates"]] ==
          ["data", "erasures"],
          "kubernetes: persistent volumes 'data' and 'erasures'")
    check(flags_of(config)["--erasure_ledger_file"].startswith(
              mounts["erasures"] + "/"),
          "kubernetes: the erasure ledger is not on its own volume")
    check(flags_of(config)["--data_dir"].startswith(mounts["data"] + "/"),
          "kubernetes: --data_dir is not on the persistent volume")
    check(container["args"] ==
          [f"--flagfile={mounts['config']}/collectionsd.flags"],
          "kubernetes: the flag file is not where the ConfigMap is mounted")
    check(all(v.startswith(mounts["secrets"] + "/")
              for k, v in flags_of(config).items()
              if k.endswith("_file") and k != "--erasure_ledger_file"),
          "kubernetes: a secret file outside the mounted Secret")
    port_names = {p["name"] for p in container["ports"]}
    check(all(p["targetPort"] in port_names
              for p in by_kind["Service"]["spec"]["ports"]),
          "kubernetes: the Service targets a port the container lacks")
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for flag, name in [("--listen", "grpc"), ("--metrics_listen", "metrics"),
                       ("--health_listen", "health")]:
        check(flags_of(config)[flag].endswith(f":{ports.get(name)}"),
              f"kubernetes: {flag} is not on the container's {name} port")
    annotations = pod_metadata.get("annotations", {})
    check(annotations.get("prometheus.io/port") == str(ports.get("metrics")),
          "kubernetes: the scrape annotation names another port")
    check("readinessProbe" in container and "livenessProbe" in container,
          "kubernetes: probes")
    check(pod["securityContext"].get("runAsNonRoot") is True,
          "kubernetes: runs as root")
    check(container["securityContext"].get("readOnlyRootFilesystem") is True,
          "kubernetes: writable root file system")
    check(re.search(r":[0-9][\w.-]*(@sha256:[0-9a-f]+)?$", container["image"])
          is not None and not container["image"].endswith(":latest"),
          f"kubernetes: the image {container['image']} is not pinned")
    budget = by_kind["PodDisruptionBudget"]["spec"]
    check(budget["selector"]["matchLabels"] == pod_metadata["labels"] and
          budget.get("minAvailable") == 1,
          "kubernetes: the disruption budget does not keep the writer")
    policy = by_kind["NetworkPolicy"]["spec"]
    check(policy["podSelector"]["matchLabels"] == pod_metadata["labels"],
          "kubernetes: the NetworkPolicy selects other pods")
    allowed = sorted(p["port"] for rule in policy["ingress"]
                     for p in rule["ports"])
    check(allowed == sorted([ports.get("grpc"), ports.get("metrics")]),
          f"kubernetes: the NetworkPolicy opens ports {allowed}, not just "
          f"gRPC and metrics")
    for kind in ["readinessProbe", "livenessProbe"]:
        check(container.get(kind, {}).get("grpc", {}).get("port") ==
              ports.get("health"),
              f"kubernetes: the {kind} is not the gRPC probe on the health "
              f"port")

    # systemd.
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(os.path.join(deploy, "collectionsd.service"))
    service = unit["Service"]
    check(service["ExecStart"].endswith(
        "--flagfile=/etc/collections/collectionsd.flags"),
        "systemd: ExecStart does not use the sample flag file's path")
    for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                       ("CapabilityBoundingSet", ""), ("PrivateTmp", "yes")]:
        check(service.get(key) == value, f"systemd: {key}={value}")
    writable = service["ReadWritePaths"].split()
    for flag in ["--data_dir", "--erasure_ledger_file"]:
        check(any(sample_flags[flag].startswith(path + "/")
                  for path in writable),
              f"systemd: {flag} is outside ReadWritePaths")

    check_cluster(server, deploy)

    # The container's runtime packages.
    with open(os.path.join(deploy, "Dockerfile")) as f:
        dockerfile = f.read()
    runtime = re.search(r"# runtime-packages-begin(.*)# runtime-packages-end",
                        dockerfile, re.S).group(1)
    installed = set(re.findall(r"\b(lib[\w.+-]+|zlib1g|tzdata)\b", runtime))
    linked = subprocess.run(["ldd", server], capture_output=True,
                            text=True).stdout
    needed = set()
    for path in re.findall(r"=> (/\S+)", linked):
        real = os.path.realpath(path)
        for candidate in (real, real.replace("/usr/lib/", "/lib/", 1)):
            owner = subprocess.run(["dpkg", "-S", candidate],
                                   capture_output=True, text=True)
            if owner.returncode == 0:
                needed.add(owner.stdout.split(":")[0])
                break
    check(needed, "docker: found no package the server links")
    missing = needed - installed - BASE_OR_TEST_ONLY
    check(not missing, f"docker: runtime stage lacks {sorted(missing)}")
    check(re.search(r"^USER (?!0\b|root\b)", dockerfile, re.M) is not None,
          "docker: the server must not run as root")
    exposed = set(re.findall(r"^EXPOSE (.*)$", dockerfile, re.M)[0].split())
    for flag in ["--listen", "--metrics_listen"]:
        port = sample_flags[flag].rsplit(":", 1)[1]
        check(port in exposed, f"docker: {flag}'s port {port} is not EXPOSEd")

    for failure in failures:
        print("FAIL", failure)
    print(f"deploy_test: {len(failures)} failures; "
          f"{len(needed)} linked packages checked")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
