"""Three tresor nodes on one real 3-member etcd cluster, every node serving
reads and writes: hvac writes on one node and reads, with the returned
X-Vault-Index, on the others; a revoked token and a changed policy are seen
by every node; writers on different nodes increment one counter with CAS
and lose nothing; two nodes racing `sys/init`, exactly one wins."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import uuid
import warnings

import hvac
import requests

import time

from cut_proxy import CutProxy
from etcd_cluster import EtcdCluster

TRESOR = os.environ.get("TRESOR_BIN", "tresor")


class Node:
    """`tresor server` on a free loopback port, storing in etcd under `prefix`."""

    def __init__(self, directory, name, endpoints, prefix):
        self.config = os.path.join(directory, f"{name}.toml")
        with open(self.config, "w") as f:
            f.write('listen = "127.0.0.1:0"\n[storage]\ntype = "etcd"\n'
                    f"endpoints = {json.dumps(endpoints)}\n"
                    f'prefix = "{prefix}"\nrequest_timeout = "3s"\n')
        self.proc = subprocess.Popen([TRESOR, "server", "--config", self.config],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        banner = [self.proc.stdout.readline() for _ in range(3)]
        match = re.match(r"tresor server: listening on (http://127\.0\.0\.1:\d+)\n", banner[0])
        if not match:
            self.proc.kill()
            raise AssertionError(f"no banner: {banner} {self.proc.stderr.read()}")
        self.url = match.group(1)
        self.storage_line = banner[1].strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def call(self, method, path, token=None, body=None, index=None):
        headers = {}
        if token:
            headers["X-Vault-Token"] = token
        if index:
            headers["X-Vault-Index"] = str(index)
        r = requests.request(method, self.url + "/v1/" + path, headers=headers,
                             data=None if body is None else json.dumps(body), timeout=60)
        return r


class ClusterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        warnings.simplefilter("ignore", ResourceWarning)
        cls.etcd = EtcdCluster(3).start()
        cls.dir = tempfile.mkdtemp(prefix="tresor-cluster-")

    @classmethod
    def tearDownClass(cls):
        cls.etcd.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.nodes = []

    def tearDown(self):
        for n in self.nodes:
            n.stop()

    def start_nodes(self, count, endpoints_of=None):
        prefix = f"tresor-{uuid.uuid4().hex[:8]}/"
        for i in range(count):
            endpoints = (endpoints_of or {}).get(i, self.etcd.endpoints)
            self.nodes.append(Node(self.dir, f"n{len(self.nodes)}", endpoints, prefix))
        return self.nodes

    def unsealed_cluster(self, endpoints_of=None):
        a, b, c = self.start_nodes(3, endpoints_of)
        self.assertTrue(a.storage_line.startswith("storage: etcd 127.0.0.1:"), a.storage_line)
        made = hvac.Client(url=a.url).sys.initialize(secret_shares=1, secret_threshold=1)
        for node in (a, b, c):
            status = hvac.Client(url=node.url).sys.submit_unseal_key(made["keys"][0])
            self.assertFalse(status["sealed"])
            self.assertEqual(status["storage_type"], "etcd")
        return (a, b, c), made["root_token"]

    def test_a_write_on_one_node_is_read_on_the_others_with_its_index(self):
        (a, b, c), root = self.unsealed_cluster()
        client = hvac.Client(url=a.url, token=root)
        client.secrets.kv.v2.create_or_update_secret(path="app/db", secret={"password": "one"})
        # The raw write, for its X-Vault-Index header.
        written = a.call("POST", "secret/data/app/db", root, {"data": {"password": "two"}})
        self.assertEqual(written.status_code, 200, written.text)
        index = int(written.headers["X-Vault-Index"])
        for node in (b, c):
            read = node.call("GET", "secret/data/app/db", root, index=index)
            self.assertEqual(read.status_code, 200, read.text)
            self.assertEqual(read.json()["data"]["data"], {"password": "two"})
            self.assertEqual(read.json()["data"]["metadata"]["version"], 2)
            self.assertGreaterEqual(int(read.headers["X-Vault-Index"]), index)

    def test_a_revoked_token_and_a_changed_policy_are_seen_by_every_node(self):
        (a, b, c), root = self.unsealed_cluster()
        policy = 'path "secret/data/shared" { capabilities = ["read"] }'
        r = b.call("PUT", "sys/policy/reader", root, {"policy": policy})
        self.assertEqual(r.status_code, 204, r.text)
        r = a.call("POST", "secret/data/shared", root, {"data": {"v": "1"}})
        made = a.call("POST", "auth/token/create", root, {"policies": ["reader"]},
                      index=r.headers["X-Vault-Index"])
        self.assertEqual(made.status_code, 200, made.text)
        token = made.json()["auth"]["client_token"]
        index = made.headers["X-Vault-Index"]
        self.assertEqual(c.call("GET", "secret/data/shared", token, index=index).status_code, 200)
        # The policy changed on B no longer lets the token read on C.
        r = b.call("PUT", "sys/policy/reader", root,
                   {"policy": 'path "secret/data/other" { capabilities = ["read"] }'})
        self.assertEqual(r.status_code, 204, r.text)
        denied = c.call("GET", "secret/data/shared", token, index=r.headers["X-Vault-Index"])
        self.assertEqual(denied.status_code, 403, denied.text)
        # Revoked on A, refused on B.
        r = a.call("POST", "auth/token/revoke", root, {"token": token})
        self.assertEqual(r.status_code, 204, r.text)
        gone = b.call("GET", "auth/token/lookup-self", token, index=r.headers["X-Vault-Index"])
        self.assertEqual(gone.status_code, 403, gone.text)

    def test_writers_on_every_node_increment_one_counter_with_cas_and_lose_nothing(self):
        nodes, root = self.unsealed_cluster()
        r = nodes[0].call("POST", "secret/data/counter", root, {"data": {"n": 0}})
        self.assertEqual(r.status_code, 200, r.text)
        start_index = r.headers["X-Vault-Index"]
        each = 250
        errors = []
        indexes = []

        def writer(node):
            index = start_index
            done = 0
            while done < each:
                read = node.call("GET", "secret/data/counter", root, index=index)
                if read.status_code != 200:
                    errors.append(read.text)
                    return
                body = read.json()["data"]
                version = body["metadata"]["version"]
                wrote = node.call("POST", "secret/data/counter", root,
                                  {"options": {"cas": version},
                                   "data": {"n": body["data"]["n"] + 1}})
                if wrote.status_code == 200:
                    done += 1
                    index = wrote.headers["X-Vault-Index"]
                elif wrote.status_code == 400 and "check-and-set" in wrote.text:
                    index = None  # someone else won: read again
                else:
                    errors.append(f"{wrote.status_code} {wrote.text}")
                    return
            indexes.append(int(index))

        threads = [threading.Thread(target=writer, args=(nodes[i % 3],)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        self.assertEqual(errors, [])
        # Every node, once it has applied the last increment, has them all.
        self.assertEqual(len(indexes), 4)
        for node in nodes:
            final = node.call("GET", "secret/data/counter", root, index=max(indexes)).json()
            self.assertEqual(final["data"]["data"], {"n": 4 * each})
            self.assertEqual(final["data"]["metadata"]["version"], 4 * each + 1)

    def test_the_cli_passes_over_a_node_it_cannot_reach(self):
        (a, b, c), root = self.unsealed_cluster()
        dead = "http://127.0.0.1:1"
        env = {"PATH": os.environ["PATH"], "HOME": self.dir, "TRESOR_TOKEN": root,
               "TRESOR_ADDR": f"{dead},{b.url},{c.url}"}

        def tresor(*args):
            out = subprocess.run([TRESOR, *args], capture_output=True, text=True, env=env,
                                 timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            return out.stdout

        self.assertEqual(tresor("kv", "put", "app/x", "v=1"), "secret/app/x: version 1\n")
        self.assertEqual(tresor("kv", "put", "app/x", "v=2"), "secret/app/x: version 2\n")
        # rollback reads, then writes: the second call carries the first's index.
        self.assertEqual(tresor("kv", "rollback", "--version", "1", "app/x"),
                         "secret/app/x: version 3 (a copy of version 1)\n")
        self.assertEqual(tresor("kv", "get", "app/x"), "v=1\n")
        env["TRESOR_ADDR"] = dead
        out = subprocess.run([TRESOR, "kv", "get", "app/x"], capture_output=True, text=True,
                             env=env, timeout=60)
        self.assertEqual(out.returncode, 3)
        self.assertEqual(out.stderr,
                         f"tresor: error: {dead}: cannot connect: Connection refused\n")

    def test_a_node_cut_off_from_etcd_stops_serving_and_catches_up_when_back(self):
        proxies = [CutProxy(p) for p in self.etcd.client_ports]
        self.addCleanup(lambda: [p.stop() for p in proxies])
        via_proxy = [f"127.0.0.1:{p.port}" for p in proxies]
        (a, b, c), root = self.unsealed_cluster({2: via_proxy})
        r = a.call("POST", "secret/data/cut", root, {"data": {"v": "before"}})
        self.assertEqual(c.call("GET", "secret/data/cut", root,
                                index=r.headers["X-Vault-Index"]).status_code, 200)
        # Idle for longer than the limit, a connected node still serves:
        # the watch's progress reports keep it in touch.
        time.sleep(7)
        self.assertEqual(c.call("GET", "secret/data/cut", root).status_code, 200)
        for p in proxies:
            p.cut()
        cut_at = time.monotonic()
        while True:
            read = c.call("GET", "secret/data/cut", root)
            if read.status_code == 503:
                break
            self.assertEqual(read.status_code, 200, read.text)
            self.assertLess(time.monotonic() - cut_at, 120, "C kept serving from its cache")
            time.sleep(0.2)
        self.assertTrue(read.json()["errors"][0].startswith("storage cannot be reached: etcd at "),
                        read.text)
        print(f"\n  a node cut off answered 503 after {time.monotonic() - cut_at:.1f} s",
              file=sys.stderr)
        # The others go on; a write made meanwhile is on C once it is back.
        during = a.call("POST", "secret/data/cut", root, {"data": {"v": "during"}})
        self.assertEqual(during.status_code, 200, during.text)
        for p in proxies:
            p.restore()
        back_at = time.monotonic()
        while True:
            read = c.call("GET", "secret/data/cut", root, index=during.headers["X-Vault-Index"])
            if read.status_code == 200:
                break
            self.assertIn(read.status_code, (429, 503), read.text)
            self.assertLess(time.monotonic() - back_at, 120, "C did not come back")
            time.sleep(0.2)
        self.assertEqual(read.json()["data"]["data"], {"v": "during"})

    def test_two_nodes_racing_init_exactly_one_wins(self):
        a, b = self.start_nodes(2)
        results = {}
        barrier = threading.Barrier(2)

        def init(node):
            barrier.wait()
            results[node.url] = node.call("PUT", "sys/init", body={"secret_shares": 1,
                                                                   "secret_threshold": 1})

        threads = [threading.Thread(target=init, args=(n,)) for n in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        statuses = sorted(r.status_code for r in results.values())
        self.assertEqual(statuses, [200, 400], [r.text for r in results.values()])
        winner = next(r for r in results.values() if r.status_code == 200)
        loser = next(r for r in results.values() if r.status_code == 400)
        self.assertEqual(loser.json(), {"errors": ["Vault is already initialized"]})
        # The winner's key unseals both nodes: there is one root key.
        for node in (a, b):
            status = hvac.Client(url=node.url).sys.submit_unseal_key(winner.json()["keys"][0])
            self.assertFalse(status["sealed"])


if __name__ == "__main__":
    unittest.main()
