"""tresor server nodes on one real etcd cluster, for the cluster suites:
a node is a `tresor server` process on a free loopback port that can be
stopped, killed with -9 and started again on the same configuration."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import uuid
import warnings

import hvac
import requests

from etcd_cluster import EtcdCluster

TRESOR = os.environ.get("TRESOR_BIN", "tresor")


class Node:
    """`tresor server` named `name`, storing in etcd under `prefix`."""

    def __init__(self, directory, name, endpoints, prefix, request_timeout="3s",
                 lease_ttl="10s", audit_file=None, age_identity_file=None, start=True,
                 storage_extra="", seal=""):
        self.name = name
        self.config = os.path.join(directory, f"{name}.toml")
        with open(self.config, "w") as f:
            if audit_file:
                f.write(f'audit_file = "{audit_file}"\n')
            f.write(f'listen = "127.0.0.1:0"\nnode_name = "{name}"\n')
            if age_identity_file:
                f.write(f'[seal]\ntype = "age"\nage_identity_file = "{age_identity_file}"\n')
            f.write(seal)
            f.write(                    '[storage]\ntype = "etcd"\n'
                    f"endpoints = {json.dumps(endpoints)}\n"
                    f'prefix = "{prefix}"\nrequest_timeout = "{request_timeout}"\n'
                    f'lease_ttl = "{lease_ttl}"\n' + storage_extra)
        self.proc = None
        self.url = None
        if start:
            self.start()

    def start(self, port=0):
        """Starts the process (on `port` if given: a restart keeps its address)."""
        if port:
            with open(self.config) as f:
                text = f.read()
            with open(self.config, "w") as f:
                f.write(re.sub(r'listen = "127\.0\.0\.1:\d+"', f'listen = "127.0.0.1:{port}"',
                               text))
        self.proc = subprocess.Popen([TRESOR, "server", "--config", self.config],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        banner = [self.proc.stdout.readline() for _ in range(4)]
        match = re.match(r"tresor server: listening on (http://127\.0\.0\.1:\d+)\n", banner[0])
        if not match:
            self.proc.kill()
            raise AssertionError(f"no banner: {banner} {self.proc.stderr.read()}")
        self.url = match.group(1)
        self.storage_line = banner[1].strip()
        self.state_line = banner[2].strip()
        self.node_line = banner[3].strip()

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    def _close(self):
        self.proc.stdout.close()
        self.proc.stderr.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self._close()

    def kill(self):
        """kill -9: no clean stop, its lease left to expire."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._close()

    def call(self, method, path, token=None, body=None, index=None):
        headers = {}
        if token:
            headers["X-Vault-Token"] = token
        if index:
            headers["X-Vault-Index"] = str(index)
        return requests.request(method, self.url + "/v1/" + path, headers=headers,
                                data=None if body is None else json.dumps(body), timeout=60)

    def unseal(self, key):
        return hvac.Client(url=self.url).sys.submit_unseal_key(key)


def wait_for(what, check, timeout=60):
    """Polls `check` until it returns something other than None or False
    (returned); fails after `timeout` s, which only a broken server reaches."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got is not None and got is not False:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


class ClusterCase(unittest.TestCase):
    """A 3-member etcd for the class; nodes per test, each test on a prefix
    of its own."""
    node_options = {}
    etcd_options = {}

    @classmethod
    def setUpClass(cls):
        warnings.simplefilter("ignore", ResourceWarning)
        cls.etcd = EtcdCluster(3, **cls.etcd_options).start()
        cls.dir = tempfile.mkdtemp(prefix="tresor-cluster-")

    @classmethod
    def tearDownClass(cls):
        cls.etcd.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.nodes = []

    def tearDown(self):
        for n in self.nodes:
            if n.proc.poll() is None:
                n.stop()

    def start_nodes(self, count, endpoints_of=None):
        prefix = f"tresor-{uuid.uuid4().hex[:8]}/"
        for i in range(count):
            endpoints = (endpoints_of or {}).get(i, self.etcd.endpoints)
            self.nodes.append(Node(self.dir, f"n{len(self.nodes)}", endpoints, prefix,
                                   **self.node_options))
        return self.nodes

    def unsealed_cluster(self, endpoints_of=None):
        a, b, c = self.start_nodes(3, endpoints_of)
        self.assertTrue(a.storage_line.startswith("storage: etcd 127.0.0.1:"), a.storage_line)
        made = hvac.Client(url=a.url).sys.initialize(secret_shares=1, secret_threshold=1)
        self.unseal_key = made["keys"][0]
        for node in (a, b, c):
            status = node.unseal(self.unseal_key)
            self.assertFalse(status["sealed"])
            self.assertEqual(status["storage_type"], "etcd")
        return (a, b, c), made["root_token"]
