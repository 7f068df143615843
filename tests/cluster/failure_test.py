"""Failures under continuous writes, on three tresor nodes and a real
3-member etcd: kill -9 an etcd member, freeze one (SIGSTOP) for 10 s,
kill -9 a tresor node, cut a node off from etcd. Writers that know every
node's address keep writing; after each failure every acknowledged write
is there, each writer was answered again within 2 s, and the victim
rejoins once restarted. The node that runs the background work is known
to every node, and another takes over when it dies."""
import os
import subprocess
import sys
import threading
import time

import requests

from cut_proxy import CutProxy
from tresor_nodes import TRESOR, ClusterCase, Node, wait_for

# The longest a writer may go without an acknowledged write.
MAX_GAP = 2.0


class Writers:
    """One thread per writer, each writing new keys as fast as it is
    answered, through the node it last reached, moving to the next address
    on a refused connection or an error answer (as a client given several
    addresses does)."""

    def __init__(self, nodes, token, count=3):
        self.urls = [n.url for n in nodes]
        self.token = token
        self.acked = {}  # path -> (value, index)
        self.times = [[] for _ in range(count)]  # each writer's acknowledgements
        self.refused = []  # what the writers were answered, when not 200
        self.slowest = (0.0, None, None)  # the longest request: seconds, node, status
        self.lock = threading.Lock()
        self.stopping = False
        self.threads = [threading.Thread(target=self._write, args=(t,)) for t in range(count)]
        for t in self.threads:
            t.start()

    def _write(self, t):
        session = requests.Session()
        at = t % len(self.urls)
        i = 0
        while not self.stopping:
            path = f"secret/data/load/w{t}-{i}"
            began = time.monotonic()
            try:
                r = session.post(f"{self.urls[at]}/v1/{path}", json={"data": {"v": str(i)}},
                                 headers={"X-Vault-Token": self.token}, timeout=30)
            except requests.RequestException as e:
                r = None
                answer = type(e).__name__
            took = time.monotonic() - began
            with self.lock:
                if took > self.slowest[0]:
                    self.slowest = (took, self.urls[at], None if r is None else r.status_code)
            if r is not None and r.status_code == 200:
                with self.lock:
                    self.acked[path] = (str(i), int(r.headers["X-Vault-Index"]))
                    self.times[t].append(time.monotonic())
                i += 1
                continue
            with self.lock:
                self.refused.append(answer if r is None else f"{r.status_code} {r.text.strip()}")
            # The same write again (its outcome may be unknown), on the next node.
            at = (at + 1) % len(self.urls)
            session = requests.Session()

    def count(self):
        with self.lock:
            return len(self.acked)

    def wait_more(self, n, timeout=120):
        """Waits for n more acknowledgements (by every writer together)."""
        target = self.count() + n
        wait_for(f"{n} more acknowledged writes", lambda: self.count() >= target, timeout)

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join(timeout=120)

    def max_gap(self, since):
        """The longest any writer went without an acknowledgement after
        `since` (up to its last one)."""
        gap = 0.0
        for times in self.times:
            last = since
            for at in times:
                if at > since:
                    gap = max(gap, at - last)
                    last = at
        return gap


class FailureTest(ClusterCase):
    # Calls to a member that does not answer give up after 1 s; a node's
    # lease (and so its background work) lapses 2 s after it dies.
    node_options = {"request_timeout": "1s", "lease_ttl": "2s"}
    # A dead etcd leader is replaced within 0.5-1 s (etcd's default, 1 s,
    # makes it 1-2 s: writes wait for that whatever the client).
    etcd_options = {"election_timeout_ms": 500}

    def run_failure(self, nodes, root, name, fail, recover):
        """Writes through `fail()` and `recover()`; checks the gaps and that
        every acknowledged write is on every live node."""
        writers = Writers(nodes, root)
        try:
            writers.wait_more(30)
            failed_at = time.monotonic()
            fail()
            writers.wait_more(30)
            recover()
            writers.wait_more(30)
        finally:
            writers.stop()
        gap = writers.max_gap(failed_at)
        print(f"\n  {name}: {len(writers.acked)} writes acknowledged, the longest wait "
              f"{gap:.2f} s; answers other than 200: {len(writers.refused)}", file=sys.stderr)
        self.assertLess(gap, MAX_GAP, (writers.slowest, writers.refused[:5]))
        self.assert_kept(writers, [n for n in nodes if n.proc.poll() is None], root)
        return writers

    def assert_kept(self, writers, nodes, root):
        index = max(i for _, i in writers.acked.values())
        for node in nodes:
            session = requests.Session()
            missing = []
            for path, (value, _) in sorted(writers.acked.items()):
                r = session.get(f"{node.url}/v1/{path}",
                                headers={"X-Vault-Token": root, "X-Vault-Index": str(index)},
                                timeout=60)
                if r.status_code != 200 or r.json()["data"]["data"] != {"v": value}:
                    missing.append(f"{path}: {r.status_code} {r.text[:200]}")
            self.assertEqual(missing, [], f"on {node.name}")

    def assert_rejoined_through(self, endpoints, writers, root):
        """A new node that reaches etcd only through `endpoints` sees every
        acknowledged write."""
        prefix = self.prefix_of(self.nodes[0])
        fresh = Node(self.dir, f"n{len(self.nodes)}", endpoints, prefix, **self.node_options)
        self.nodes.append(fresh)
        self.assertFalse(fresh.unseal(self.unseal_key)["sealed"])
        self.assert_kept(writers, [fresh], root)

    @staticmethod
    def prefix_of(node):
        with open(node.config) as f:
            for line in f:
                if line.startswith("prefix = "):
                    return line.split('"')[1]
        raise AssertionError("no prefix")

    def test_killing_an_etcd_member(self):
        nodes, root = self.unsealed_cluster()
        # The raft leader: its loss costs an election as well.
        victim = wait_for("an etcd leader", self.etcd.leader)
        writers = self.run_failure(nodes, root, f"kill -9 of the etcd leader (member {victim})",
                                   lambda: self.etcd.kill(victim),
                                   lambda: self.etcd.restart(victim))
        self.assert_rejoined_through([self.etcd.endpoints[victim]], writers, root)

    def test_freezing_an_etcd_member_for_10_s(self):
        # Member 0, the one every node talks to first: their calls to it hang.
        nodes, root = self.unsealed_cluster()

        def freeze():
            self.etcd.freeze(0)
            time.sleep(10)  # the failure itself lasts 10 s; the writers go on meanwhile

        writers = self.run_failure(nodes, root, "SIGSTOP of an etcd member for 10 s", freeze,
                                   lambda: self.etcd.thaw(0))
        self.etcd.wait_healthy([0])
        self.assert_rejoined_through([self.etcd.endpoints[0]], writers, root)

    def test_killing_the_node_that_runs_the_background_work(self):
        nodes, root = self.unsealed_cluster()
        leader = wait_for("a node that leads", lambda: self.leader_of(nodes))
        statuses = leader.call("GET", "sys/ha-status", root).json()
        self.assertEqual(sorted((s["hostname"], s["api_address"], s["active_node"])
                                for s in statuses["nodes"]),
                         sorted((n.name, n.url, n is leader) for n in nodes))
        self.assertEqual(statuses["data"]["nodes"], statuses["nodes"])
        for node in nodes:
            said = node.call("GET", "sys/leader").json()
            self.assertEqual((said["ha_enabled"], said["is_self"], said["leader_address"]),
                             (True, node is leader, leader.url))
            status = subprocess.run([TRESOR, "status"], capture_output=True, text=True,
                                    timeout=60, env={**os.environ, "TRESOR_ADDR": node.url})
            self.assertEqual(status.returncode, 0, status.stderr)
            self.assertIn("\nstorage: etcd\n", status.stdout)
            self.assertEqual(status.stdout.splitlines()[-1], "background work: " + (
                "this node" if node is leader else f"the node at {leader.url}"))
        others = [n for n in nodes if n is not leader]
        took_over = {}

        def kill():
            killed_at = time.monotonic()
            leader.kill()
            new = wait_for("another node leading", lambda: self.leader_of(others), 60)
            took_over["after"] = time.monotonic() - killed_at
            took_over["node"] = new

        def restart():
            leader.start(leader.port)
            self.assertFalse(leader.unseal(self.unseal_key)["sealed"])

        writers = self.run_failure(nodes, root, "kill -9 of the leading tresor node", kill,
                                   restart)
        print(f"  the background work moved after {took_over['after']:.2f} s", file=sys.stderr)
        names = wait_for("the victim listed again", lambda: self.listed(took_over["node"], root,
                                                                      len(nodes)))
        self.assertEqual(names, sorted(n.name for n in nodes))

    def test_a_node_cut_off_from_etcd(self):
        proxies = [CutProxy(p) for p in self.etcd.client_ports]
        self.addCleanup(lambda: [p.stop() for p in proxies])
        via_proxy = [f"127.0.0.1:{p.port}" for p in proxies]
        nodes, root = self.unsealed_cluster({2: via_proxy})
        victim = nodes[2]

        def cut():
            for p in proxies:
                p.cut()
            wait_for("503 from the cut node",
                     lambda: victim.call("GET", "secret/data/x", root).status_code == 503)

        def restore():
            for p in proxies:
                p.restore()

        writers = self.run_failure(nodes, root, "a tresor node cut off from etcd", cut, restore)
        wait_for("the cut node serving again",
                 lambda: victim.call("GET", "sys/ha-status", root).status_code == 200)
        self.assert_kept(writers, [victim], root)

    @staticmethod
    def leader_of(nodes):
        leading = [n for n in nodes if n.call("GET", "sys/leader").json()["is_self"]]
        return leading[0] if len(leading) == 1 else None

    @staticmethod
    def listed(node, root, count):
        r = node.call("GET", "sys/ha-status", root)
        names = sorted(s["hostname"] for s in r.json()["nodes"]) if r.status_code == 200 else []
        return names if len(names) == count else None


if __name__ == "__main__":
    import unittest
    unittest.main()
