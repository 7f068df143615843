"""A real etcd cluster on loopback ports, for tests: starts N members of
Debian's etcd-server, waits until the cluster answers, and can kill -9,
freeze (SIGSTOP), thaw and restart members."""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request

ETCD = os.environ.get("TRESOR_ETCD_BIN", shutil.which("etcd") or "/usr/bin/etcd")


def free_ports(n):
    """n distinct free loopback ports (held open until all are chosen)."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class EtcdCluster:
    def __init__(self, members=3, max_txn_ops=10000, election_timeout_ms=1000, tls=None):
        """tls: {"ca", "cert", "key"} files: clients then speak TLS and must
        show a certificate the CA signed (peers stay on plain loopback)."""
        self.dir = tempfile.mkdtemp(prefix="tresor-etcd-")
        ports = free_ports(2 * members)
        self.client_ports = ports[:members]
        self.peer_ports = ports[members:]
        self.names = [f"m{i}" for i in range(members)]
        self.max_txn_ops = max_txn_ops
        self.election_timeout_ms = election_timeout_ms
        self.tls = tls
        self.procs = [None] * members
        self.logs = [os.path.join(self.dir, f"{n}.log") for n in self.names]

    @property
    def endpoints(self):
        if self.tls:
            return [f"https://127.0.0.1:{p}" for p in self.client_ports]
        return [f"127.0.0.1:{p}" for p in self.client_ports]

    def _open(self, port, path, data=None):
        scheme, context = "http", None
        if self.tls:
            scheme = "https"
            context = ssl.create_default_context(cafile=self.tls["ca"])
            context.load_cert_chain(self.tls["cert"], self.tls["key"])
        request = urllib.request.Request(f"{scheme}://127.0.0.1:{port}{path}", data=data,
                                         method="POST" if data is not None else "GET")
        return urllib.request.urlopen(request, timeout=2, context=context)

    def _args(self, i, state):
        cluster = ",".join(f"{n}=http://127.0.0.1:{p}"
                           for n, p in zip(self.names, self.peer_ports))
        client = f"{'https' if self.tls else 'http'}://127.0.0.1:{self.client_ports[i]}"
        peer = f"http://127.0.0.1:{self.peer_ports[i]}"
        return [ETCD, "--name", self.names[i],
                "--data-dir", os.path.join(self.dir, self.names[i]),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", cluster, "--initial-cluster-state", state,
                "--initial-cluster-token", os.path.basename(self.dir),
                "--max-txn-ops", str(self.max_txn_ops),
                # A follower that hears no leader for between one and two
                # election timeouts calls an election.
                "--heartbeat-interval", "100",
                "--election-timeout", str(self.election_timeout_ms)] + (
                    ["--cert-file", self.tls["cert"], "--key-file", self.tls["key"],
                     "--trusted-ca-file", self.tls["ca"], "--client-cert-auth"]
                    if self.tls else [])

    def _spawn(self, i, state):
        log = open(self.logs[i], "ab")
        self.procs[i] = subprocess.Popen(self._args(i, state), stdout=log,
                                         stderr=subprocess.STDOUT)
        log.close()

    def start(self, timeout=60):
        for i in range(len(self.names)):
            self._spawn(i, "new")
        self.wait_healthy(range(len(self.names)), timeout)
        return self

    def healthy(self, i):
        try:
            with self._open(self.client_ports[i], "/health") as r:
                return json.load(r).get("health") == "true"
        except (OSError, ValueError):
            return False

    def wait_healthy(self, members, timeout=60):
        deadline = time.monotonic() + timeout
        for i in members:
            while not self.healthy(i):
                if self.procs[i].poll() is not None:
                    raise RuntimeError(f"etcd {self.names[i]} exited: "
                                       + open(self.logs[i]).read()[-2000:])
                if time.monotonic() > deadline:
                    raise RuntimeError(f"etcd {self.names[i]} not healthy in {timeout} s")
                time.sleep(0.1)

    def leader(self):
        """The index of the member that leads the raft group now."""
        for i, port in enumerate(self.client_ports):
            try:
                with self._open(port, "/v3/maintenance/status", b"{}") as r:
                    status = json.load(r)
            except (OSError, ValueError):
                continue
            if status.get("leader") == status["header"]["member_id"]:
                return i
        return None

    def kill(self, i):
        self.procs[i].kill()
        self.procs[i].wait()

    def freeze(self, i):
        os.kill(self.procs[i].pid, signal.SIGSTOP)

    def thaw(self, i):
        os.kill(self.procs[i].pid, signal.SIGCONT)

    def restart(self, i, timeout=60):
        """Starts a killed member again on its data directory."""
        self._spawn(i, "existing")
        self.wait_healthy([i], timeout)

    def stop(self):
        for p in self.procs:
            if p is None or p.poll() is not None:
                continue
            try:
                os.kill(p.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            p.kill()  # its data goes with it: no need to wait for a clean stop
        for p in self.procs:
            if p is not None:
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
