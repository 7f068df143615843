"""Three tresor nodes on one real 3-member etcd cluster, every node serving
reads and writes: hvac writes on one node and reads, with the returned
X-Vault-Index, on the others; a revoked token and a changed policy are seen
by every node; writers on different nodes increment one counter with CAS
and lose nothing; two nodes racing `sys/init`, exactly one wins."""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
import uuid
import warnings

import hvac
import requests

from cut_proxy import CutProxy
from etcd_cluster import EtcdCluster
from tls_certs import make_ca, make_cert
from tresor_nodes import TRESOR, ClusterCase, Node, wait_for


class SqliteServer:
    """`tresor server` on SQLite in `data_dir`, on a free loopback port."""

    def __init__(self, directory, data_dir):
        config = os.path.join(directory, "sqlite.toml")
        with open(config, "w") as f:
            f.write(f'listen = "127.0.0.1:0"\ndata_dir = "{data_dir}"\n')
        self.proc = subprocess.Popen([TRESOR, "server", "--config", config],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = re.match(r"tresor server: listening on (\S+)", self.proc.stdout.readline())[1]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


class ClusterTest(ClusterCase):
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

    def test_every_node_has_the_one_server_recipient(self):
        (a, b, c), root = self.unsealed_cluster()
        recipients = {n.call("GET", "sys/tresor/recipient").json()["data"]["recipient"]
                      for n in (a, b, c)}
        self.assertEqual(len(recipients), 1, recipients)
        ciphertext = subprocess.run(["age", "-r", recipients.pop()], input=b"for-the-cluster",
                                    capture_output=True, check=True).stdout
        r = requests.post(b.url + "/v1/secret/data/sealed-in",
                          headers={"X-Vault-Token": root, "X-Tresor-Encrypted": "true"},
                          json={"data": {"v": base64.b64encode(ciphertext).decode()}}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        read = c.call("GET", "secret/data/sealed-in", root, index=r.headers["X-Vault-Index"])
        self.assertEqual(read.json()["data"]["data"], {"v": "for-the-cluster"})

    def test_a_node_that_never_saw_a_key_writes_its_next_version(self):
        # A node writes a key it has not seen as new first (one round trip);
        # the store tells it otherwise, and it writes the next version.
        (a, b, c), root = self.unsealed_cluster()
        r = a.call("POST", "secret/data/seen", root, {"data": {"v": "a"}})
        self.assertEqual(r.json()["data"]["version"], 1, r.text)
        r = b.call("POST", "secret/data/seen", root, {"data": {"v": "b"}})
        self.assertEqual(r.json()["data"]["version"], 2, r.text)
        r = c.call("POST", "secret/data/seen", root, {"options": {"cas": 2},
                                                      "data": {"v": "c"}})
        self.assertEqual(r.json()["data"]["version"], 3, r.text)
        index = r.headers["X-Vault-Index"]
        for node in (a, b):
            refused = node.call("POST", "secret/data/seen", root, {"options": {"cas": 0},
                                                                    "data": {"v": "x"}},
                                index=index)
            self.assertEqual((refused.status_code, refused.json()), (400, {"errors": [
                "check-and-set parameter did not match the current version"]}))
        r = a.call("GET", "secret/data/seen", root, index=index)
        self.assertEqual(r.json()["data"]["data"], {"v": "c"})

    def test_a_secret_larger_than_etcd_takes_is_refused_with_413_and_nothing_written(self):
        (a, b, c), root = self.unsealed_cluster()
        limit = 1536 * 1024 - 8192  # etcd's default request limit, less room for the key
        two_mib = {f"f{i}": "x" * (512 << 10) for i in range(4)}
        big = a.call("POST", "secret/data/big", root, {"data": two_mib})
        self.assertEqual((big.status_code, big.json()), (413, {"errors": [
            f"the secret's new version is larger than the storage takes in one write "
            f"({limit} bytes)"]}))
        self.assertEqual(b.call("GET", "secret/data/big", root).status_code, 404)
        # Each version has a record of its own: two of 900 KiB fit. (The
        # first is written inline, in the key's metadata record; the second
        # write moves it out in a write of its own, as both do not fit in one.)
        for n, fill in ((1, "y"), (2, "z")):
            r = a.call("POST", "secret/data/big", root, {"data": {"v": fill * (900 << 10)}})
            self.assertEqual((r.status_code, r.json()["data"]["version"]), (200, n))
        for version, fill in ((1, "y"), (2, "z")):
            read = c.call("GET", f"secret/data/big?version={version}", root,
                          index=r.headers["X-Vault-Index"])
            self.assertEqual(read.json()["data"]["data"]["v"], fill * (900 << 10))
        r = a.call("POST", "sys/mounts/old", root, {"type": "kv"})
        self.assertEqual(r.status_code, 204, r.text)
        v1 = a.call("POST", "old/big", root, two_mib)
        self.assertEqual((v1.status_code, v1.json()), (413, {"errors": [
            f"the secret is larger than the storage takes in one record ({limit} bytes)"]}))

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

    def test_an_auth_method_enabled_on_one_node_serves_on_the_others(self):
        (a, b, c), root = self.unsealed_cluster()

        def then(node, path, body, status, after, token=root):
            """`path` written on `node` once it has `after`'s revision."""
            r = node.call("POST", path, token, body, index=after.headers["X-Vault-Index"])
            self.assertEqual(r.status_code, status, r.text)
            return r

        r = a.call("POST", "sys/auth/corp/staff", root, {"type": "userpass"})
        self.assertEqual(r.status_code, 204, r.text)
        r = then(b, "auth/corp/staff/users/erin", {"password": "erin-pw"}, 204, r)
        login = then(c, "auth/corp/staff/login/erin", {"password": "erin-pw"}, 200, r, None)
        self.assertEqual(login.json()["auth"]["metadata"], {"username": "erin"})
        listed = c.call("GET", "sys/auth", root).json()["data"]
        self.assertEqual(listed["corp/staff/"]["type"], "userpass")
        # Moved on A: served at the new path by C with its users, and what B
        # writes there reaches A.
        r = a.call("POST", "sys/remount", root, {"from": "auth/corp/staff", "to": "auth/people"})
        self.assertEqual(r.status_code, 204, r.text)
        then(c, "auth/people/login/erin", {"password": "erin-pw"}, 200, r, None)
        r = then(b, "auth/people/users/frank", {"password": "frank-pw"}, 204, r)
        then(a, "auth/people/login/frank", {"password": "frank-pw"}, 200, r, None)
        # Disabled on B: gone on A with its users, at once.
        r = b.call("DELETE", "sys/auth/people", root)
        self.assertEqual(r.status_code, 204, r.text)
        gone = then(a, "auth/people/login/erin", {"password": "erin-pw"}, 403, r, None)
        self.assertEqual(gone.json(), {"errors": ["permission denied"]})

    def test_a_limited_use_token_is_used_exactly_its_uses_across_nodes(self):
        nodes, root = self.unsealed_cluster()
        r = nodes[0].call("POST", "secret/data/limited", root, {"data": {"v": "1"}})
        made = nodes[0].call("POST", "auth/token/create", root,
                             {"policies": ["root"], "num_uses": 25},
                             index=r.headers["X-Vault-Index"])
        self.assertEqual(made.status_code, 200, made.text)
        token = made.json()["auth"]["client_token"]
        index = made.headers["X-Vault-Index"]
        answers = {200: 0, 403: 0}
        lock = threading.Lock()
        barrier = threading.Barrier(6)

        def spend(node):
            barrier.wait()
            for _ in range(20):
                got = node.call("GET", "secret/data/limited", token, index=index).status_code
                with lock:
                    answers[got] = answers.get(got, 0) + 1

        threads = [threading.Thread(target=spend, args=(nodes[i % 3],)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        self.assertEqual(answers, {200: 25, 403: 120 - 25})

    def test_mounts_enabled_at_once_on_every_node_are_all_kept(self):
        nodes, root = self.unsealed_cluster()
        errors = []
        indexes = []
        barrier = threading.Barrier(3)

        def enable(i, node):
            barrier.wait()
            for j in range(6):
                r = node.call("POST", f"sys/mounts/kv{i}-{j}", root, {"type": "kv-v2"})
                if r.status_code != 204:
                    errors.append(r.text)
                else:
                    indexes.append(int(r.headers["X-Vault-Index"]))

        threads = [threading.Thread(target=enable, args=(i, n)) for i, n in enumerate(nodes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        self.assertEqual(errors, [])
        wanted = sorted([f"kv{i}-{j}/" for i in range(3) for j in range(6)] +
                        ["cubbyhole/", "secret/", "sys/"])
        for node in nodes:
            mounts = node.call("GET", "sys/mounts", root, index=max(indexes)).json()["data"]
            self.assertEqual(sorted(mounts), wanted)
        # Unmounting on one node, written on another: both seen everywhere.
        r = nodes[0].call("DELETE", "sys/mounts/kv1-0", root)
        self.assertEqual(r.status_code, 204, r.text)
        r = nodes[1].call("POST", "kv2-5/data/x", root, {"data": {"v": "1"}},
                          index=r.headers["X-Vault-Index"])
        self.assertEqual(r.status_code, 200, r.text)
        for node in nodes:
            mounts = node.call("GET", "sys/mounts", root, index=r.headers["X-Vault-Index"]).json()
            self.assertNotIn("kv1-0/", mounts["data"])
            self.assertEqual(node.call("GET", "kv2-5/data/x", root,
                                       index=r.headers["X-Vault-Index"]).status_code, 200)

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

    def record_terms(self, prefix):
        """The barrier key term of each record under `prefix` in etcd."""
        start = base64.b64encode(prefix.encode()).decode()
        end = base64.b64encode(prefix[:-1].encode() + bytes([prefix.encode()[-1] + 1])).decode()
        request = urllib.request.Request(
            f"http://{self.etcd.endpoints[0]}/v3/kv/range", method="POST",
            data=json.dumps({"key": start, "range_end": end}).encode())
        with urllib.request.urlopen(request, timeout=10) as r:
            kvs = json.load(r).get("kvs", [])
        return {base64.b64decode(kv["key"]).decode()[len(prefix):]:
                int.from_bytes(base64.b64decode(kv["value"])[1:5], "big") for kv in kvs}

    def test_a_key_rotation_on_one_node_is_used_by_every_node(self):
        (a, b, c), root = self.unsealed_cluster()
        prefix = a.storage_line.rsplit(" under ", 1)[1]
        self.assertEqual(a.call("POST", "secret/data/before", root,
                                {"data": {"v": "1"}}).status_code, 200)
        rotated = a.call("PUT", "sys/rotate", root)
        self.assertEqual(rotated.status_code, 204, rotated.text)
        index = rotated.headers["X-Vault-Index"]
        for node in (b, c):
            status = node.call("GET", "sys/key-status", root, index=index)
            self.assertEqual(status.json()["data"]["term"], 2, node.name)
        wrote = b.call("POST", "secret/data/after", root, {"data": {"v": "2"}})
        self.assertEqual(wrote.status_code, 200)
        # Each new key's one version is in its metadata record.
        self.assertEqual(self.record_terms(prefix + "kv/secret/k/"), {"before": 1, "after": 2})
        for node in (a, b, c):
            for path, value in (("before", "1"), ("after", "2")):
                read = node.call("GET", f"secret/data/{path}", root,
                                 index=wrote.headers["X-Vault-Index"])
                self.assertEqual(read.json()["data"]["data"], {"v": value}, node.name)

        # Two nodes rotating at once: neither term is lost.
        answers = [None, None]
        barrier = threading.Barrier(2)

        def rotate(i, node):
            barrier.wait()
            answers[i] = node.call("PUT", "sys/rotate", root)

        threads = [threading.Thread(target=rotate, args=(i, n)) for i, n in enumerate((b, c))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([r.status_code for r in answers], [204, 204])
        last = max(int(r.headers["X-Vault-Index"]) for r in answers)
        for node in (a, b, c):
            status = node.call("GET", "sys/key-status", root, index=last)
            self.assertEqual(status.json()["data"]["term"], 4, node.name)

    def test_init_refuses_a_prefix_that_holds_another_programs_keys(self):
        prefix = "shared-" + os.path.basename(self.dir) + "/"
        key = base64.b64encode((prefix + "app/config").encode()).decode()
        request = urllib.request.Request(
            f"http://{self.etcd.endpoints[0]}/v3/kv/put", method="POST",
            data=json.dumps({"key": key, "value": base64.b64encode(b"x").decode()}).encode())
        urllib.request.urlopen(request, timeout=10).read()
        node = Node(self.dir, "foreign", self.etcd.endpoints, prefix)
        self.nodes.append(node)
        r = node.call("PUT", "sys/init", body={"secret_shares": 1, "secret_threshold": 1})
        self.assertEqual((r.status_code, r.json()), (400, {"errors": [
            'the etcd store holds data that is not a tresor store\'s (a key "app/config") and '
            "no tresor seal configuration: initialising would mix with it; use an empty "
            "prefix"]}))
        self.assertFalse(node.call("GET", "sys/init").json()["initialized"])

    def test_a_node_whose_key_is_for_another_cluster_says_so_and_changes_nothing(self):
        prefix = "sealed-" + os.path.basename(self.dir) + "/"
        keys = {}
        for name in ("ours", "theirs"):
            keys[name] = os.path.join(self.dir, f"{name}.key")
            subprocess.run([TRESOR, "keygen", "-o", keys[name]], check=True,
                           capture_output=True, timeout=60)
        ours = Node(self.dir, "ours", self.etcd.endpoints, prefix,
                    age_identity_file=keys["ours"])
        self.nodes.append(ours)
        r = ours.call("PUT", "sys/init", body={})
        self.assertEqual(r.status_code, 200, r.text)
        root = r.json()["root_token"]
        # A node given another cluster's key on this prefix stops, naming both.
        theirs = Node(self.dir, "theirs", self.etcd.endpoints, prefix,
                      age_identity_file=keys["theirs"], start=False)
        out = subprocess.run([TRESOR, "server", "--config", theirs.config], capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(out.returncode, 4, out.stderr)
        self.assertEqual(out.stderr.splitlines()[-1], (
            f"tresor: error: etcd {','.join(self.etcd.endpoints)} under {prefix}: "
            f"{keys['theirs']}: does not open this store's root key: no identity matched any "
            "of the file's 1 recipient (wrong key or passphrase?)"))
        # Nothing changed: the cluster's own node still serves with its root token.
        self.assertEqual(ours.call("GET", "auth/token/lookup-self", root).status_code, 200)
        self.assertTrue(ours.call("GET", "sys/init").json()["initialized"])

    def test_the_cluster_key_is_a_transit_key_and_every_node_unseals_itself(self):
        # The keeper: another tresor server, holding the transit key.
        env = dict(os.environ, TRESOR_DEV_ROOT_TOKEN="keeper-root")
        keeper = subprocess.Popen([TRESOR, "server", "--dev", "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                  env=env)
        self.addCleanup(keeper.wait, 30)
        self.addCleanup(keeper.terminate)
        url = re.search(r"listening on (\S+)", "".join(keeper.stdout.readline()
                                                       for _ in range(2))).group(1)
        admin = hvac.Client(url=url, token="keeper-root")
        admin.sys.enable_secrets_engine("transit")
        admin.secrets.transit.create_key("cluster")
        admin.sys.create_or_update_policy("seal", "".join(
            f'path "transit/{op}/cluster" {{ capabilities = ["update"] }}\n'
            for op in ("encrypt", "decrypt", "rewrap")))
        token_file = os.path.join(self.dir, "seal.token")
        with open(os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(admin.auth.token.create(policies=["seal"])["auth"]["client_token"])
        seal = (f'[seal]\ntype = "transit"\naddress = "{url}"\nkey_name = "cluster"\n'
                f'token_file = "{token_file}"\n')
        prefix = f"transit-{uuid.uuid4().hex[:8]}/"
        a, b = (Node(self.dir, name, self.etcd.endpoints, prefix, seal=seal)
                for name in ("ta", "tb"))
        self.nodes += [a, b]
        for node in (a, b):
            self.assertEqual(node.state_line, "state: not initialized (run tresor operator init)")
        made = a.call("PUT", "sys/init", body={}).json()
        self.assertEqual((made["keys"], made["recovery_keys"]), ([], []))
        root = made["root_token"]
        # b sees the store initialised and unseals itself: no key is typed.
        wait_for("b unseals", lambda: not b.call("GET", "sys/seal-status").json()["sealed"])
        status = b.call("GET", "sys/seal-status").json()
        self.assertEqual((status["type"], status["initialized"]), ("transit", True))
        self.assertEqual(a.call("POST", "secret/data/app", root,
                                {"data": {"k": "v"}}).status_code, 200)
        b.stop()
        b.start(port=b.port)
        self.assertEqual(b.state_line, "state: unsealed")
        got = b.call("GET", "secret/data/app", root, index=None).json()
        self.assertEqual(got["data"]["data"], {"k": "v"})
        # A third node started later unseals itself at start.
        c = Node(self.dir, "tc", self.etcd.endpoints, prefix, seal=seal)
        self.nodes.append(c)
        self.assertEqual(c.state_line, "state: unsealed")

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

    def test_each_node_keeps_its_own_audit_log_head(self):
        prefix = "audit-" + os.path.basename(self.dir) + "/"
        logs = [os.path.join(self.dir, f"audit-{i}.log") for i in range(2)]
        a, b = (Node(self.dir, f"a{i}", self.etcd.endpoints, prefix, audit_file=logs[i])
                for i in range(2))
        self.nodes += [a, b]
        made = hvac.Client(url=a.url).sys.initialize(secret_shares=1, secret_threshold=1)
        key, root = made["keys"][0], made["root_token"]
        for node in (a, b):
            self.assertFalse(node.unseal(key)["sealed"])
        for i in range(5):  # both logs grow, each past the other's head
            for node in (a, b):
                r = node.call("POST", f"secret/data/audited/{i}", root, {"data": {"v": i}})
                self.assertEqual(r.status_code, 200, r.text)
        a.stop()
        b.stop()
        # Each node's head is its own: both unseal again over their logs.
        for node in (a, b):
            node.start()
            self.assertFalse(node.unseal(key)["sealed"])
        b.stop()
        # A log cut short is noticed by its own node only.
        with open(logs[1], "r+") as f:
            lines = f.readlines()
            f.seek(0)
            f.writelines(lines[:-4])
            f.truncate()
        b.start()
        refused = b.call("PUT", "sys/unseal", body={"key": key})
        self.assertEqual(refused.status_code, 500, refused.text)
        self.assertEqual(refused.json()["errors"], [
            f"unseal failed: {logs[1]}: the audit log ends at seq 11, but the server logged up "
            "to seq 14: lines were cut from its end, or it was replaced or deleted "
            "(--audit-accept-gap records the gap in the log and goes on)"])
        self.assertEqual(a.call("GET", "secret/data/audited/4", root).status_code, 200)

    def test_scheduled_snapshots_are_written_by_the_node_that_leads_only(self):
        key = os.path.join(self.dir, "snapshots.key")
        subprocess.run(["age-keygen", "-o", key], check=True, capture_output=True)
        public = subprocess.run(["age-keygen", "-y", key], check=True, capture_output=True,
                                text=True).stdout.strip()
        prefix = f"tresor-snap-{os.path.basename(self.dir)}/"
        dirs = [os.path.join(self.dir, f"snapshots-{i}") for i in range(3)]
        nodes = [Node(self.dir, f"s{i}", self.etcd.endpoints, prefix,
                      storage_extra=f'[snapshots]\ninterval = "1s"\nkeep = 2\n'
                                    f'dir = "{dirs[i]}"\nrecipients = ["{public}"]\n')
                 for i in range(3)]
        self.nodes += nodes
        made = hvac.Client(url=nodes[0].url).sys.initialize(secret_shares=1, secret_threshold=1)
        for node in nodes:
            self.assertFalse(node.unseal(made["keys"][0])["sealed"])
        wait_for("two scheduled snapshots",
                 lambda: sum(len(os.listdir(d)) for d in dirs) >= 2 or None)
        leading = [n for n in nodes if n.call("GET", "sys/leader").json()["is_self"]]
        self.assertEqual(len(leading), 1)
        self.assertEqual([n.name for n, d in zip(nodes, dirs) if os.listdir(d)],
                         [leading[0].name])

    def migrate(self, source, target, prefix, env=None):
        return subprocess.run([TRESOR, "operator", "migrate", "--from", source, "--to", target,
                               "--prefix", prefix, "--json"],
                              capture_output=True, text=True, timeout=300, env=env)

    def test_migrate_copies_sqlite_to_etcd_and_back(self):
        sqlite_dir = os.path.join(self.dir, "sqlite-data")
        server = SqliteServer(self.dir, sqlite_dir)
        made = hvac.Client(url=server.url).sys.initialize(secret_shares=1, secret_threshold=1)
        key, root = made["keys"][0], made["root_token"]
        hvac.Client(url=server.url).sys.submit_unseal_key(key)
        client = hvac.Client(url=server.url, token=root)
        for i in range(3):
            client.secrets.kv.v2.create_or_update_secret(path=f"app/s{i}", secret={"v": str(i)})
        client.sys.create_or_update_policy("reader", 'path "secret/*" { capabilities = ["read"] }')
        recipient = requests.get(server.url + "/v1/sys/tresor/recipient",
                                 timeout=30).json()["data"]["recipient"]
        server.stop()

        prefix = "migrated-" + os.path.basename(self.dir) + "/"
        etcd = "etcd:" + ",".join(self.etcd.endpoints)
        out = self.migrate(f"sqlite:{sqlite_dir}", etcd, prefix)
        self.assertEqual(out.returncode, 0, out.stderr)
        copied = json.loads(out.stdout)
        self.assertEqual((copied["from"], copied["to"]), (f"sqlite:{sqlite_dir}", etcd))
        # The keyring, the seal, the server's age identity, the root token,
        # the policy, and three secrets (each new key's one version is in its
        # metadata record).
        self.assertEqual(copied["records"], 8)
        self.assertRegex(copied["sha256"], "^[0-9a-f]{64}$")
        # A snapshot of the etcd copy holds the same records: same digest.
        backup_key = os.path.join(self.dir, "backup.key")
        subprocess.run(["age-keygen", "-o", backup_key], check=True, capture_output=True)
        public = subprocess.run(["age-keygen", "-y", backup_key], check=True, capture_output=True,
                                text=True).stdout.strip()
        saved = subprocess.run([TRESOR, "operator", "snapshot", "save", "--from", etcd,
                                "--prefix", prefix, "-r", public, "--json",
                                os.path.join(self.dir, "etcd.age")],
                               capture_output=True, text=True, timeout=300)
        self.assertEqual(saved.returncode, 0, saved.stderr)
        self.assertEqual({k: json.loads(saved.stdout)[k] for k in ("records", "sha256")},
                         {k: copied[k] for k in ("records", "sha256")})

        # Two nodes on the copy unseal with the same key and serve what was written.
        a = Node(self.dir, "m0", self.etcd.endpoints, prefix)
        b = Node(self.dir, "m1", self.etcd.endpoints, prefix)
        self.nodes += [a, b]
        for node in (a, b):
            self.assertFalse(node.unseal(key)["sealed"])
            # The server's identity came along: what was encrypted to it still opens.
            self.assertEqual(node.call("GET", "sys/tresor/recipient").json()["data"]["recipient"],
                             recipient)
        on_b = hvac.Client(url=b.url, token=root)
        self.assertEqual(on_b.secrets.kv.v2.read_secret_version(path="app/s1")["data"]["data"],
                         {"v": "1"})
        self.assertIn("reader", on_b.sys.list_policies()["data"]["policies"])
        written = a.call("POST", "secret/data/app/s3", root, {"data": {"v": "3"}})
        self.assertEqual(written.status_code, 200, written.text)

        # Not while nodes run on it, nor into a store that holds anything.
        # Under ASan, LeakSanitizer's stop of every thread at exit crashes
        # now and then (a SIGSEGV in its tracer, not a leak) on gRPC's threads
        # when a command ends right after connecting, as these two refusals
        # do; the migrate runs that copy keep their leak check.
        quiet = dict(os.environ)
        if "ASAN_OPTIONS" in quiet:
            quiet["ASAN_OPTIONS"] += ":detect_leaks=0"
        busy = self.migrate(etcd, f"sqlite:{self.dir}/never", prefix, env=quiet)
        self.assertEqual((busy.returncode, busy.stderr),
                         (1, f"tresor: error: {etcd}: 2 node(s) are running on it; "
                             "stop them first\n"))
        a.stop()
        b.stop()
        full = self.migrate(f"sqlite:{sqlite_dir}", etcd, prefix, env=quiet)
        self.assertEqual(full.returncode, 1)
        self.assertEqual(full.stderr, f"tresor: error: {etcd}: not empty (it holds core/age-identity); "
                                      "migrate copies into an empty store only\n")

        back_dir = os.path.join(self.dir, "back")
        out = self.migrate(etcd, f"sqlite:{back_dir}", prefix)
        self.assertEqual(out.returncode, 0, out.stderr)
        # One record more: the secret written on the copy (a new key: one record).
        self.assertEqual(json.loads(out.stdout)["records"], copied["records"] + 1)
        server = SqliteServer(self.dir, back_dir)
        try:
            self.assertFalse(hvac.Client(url=server.url).sys.submit_unseal_key(key)["sealed"])
            client = hvac.Client(url=server.url, token=root)
            for i in range(4):
                read = client.secrets.kv.v2.read_secret_version(path=f"app/s{i}")
                self.assertEqual(read["data"]["data"], {"v": str(i)})
        finally:
            server.stop()


class TlsEtcdTest(unittest.TestCase):
    """Nodes on an etcd that speaks only TLS and asks every client for a
    certificate its CA signed, as production etcd does."""

    @classmethod
    def setUpClass(cls):
        warnings.simplefilter("ignore", ResourceWarning)
        cls.dir = tempfile.mkdtemp(prefix="tresor-tls-")
        cls.ca = make_ca(cls.dir)
        member = make_cert(cls.dir, "etcd", cls.ca, "serverAuth,clientAuth", "IP:127.0.0.1")
        cls.client = make_cert(cls.dir, "node", cls.ca, "clientAuth")
        cls.other_ca = make_ca(cls.dir, "other")
        cls.etcd = EtcdCluster(1, tls={"ca": cls.ca[0], "cert": member[0],
                                       "key": member[1]}).start()

    @classmethod
    def tearDownClass(cls):
        cls.etcd.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def tls(self, ca, client_certificate=True):
        text = f'ca_file = "{ca}"\n'
        if client_certificate:
            text += f'cert_file = "{self.client[0]}"\nkey_file = "{self.client[1]}"\n'
        return text

    def test_nodes_serve_from_a_tls_etcd(self):
        endpoint = self.etcd.endpoints[0]
        self.assertTrue(endpoint.startswith("https://127.0.0.1:"), endpoint)
        a = Node(self.dir, "a", [endpoint], "tls/", storage_extra=self.tls(self.ca[0]))
        b = Node(self.dir, "b", [endpoint], "tls/", storage_extra=self.tls(self.ca[0]))
        try:
            self.assertEqual(a.storage_line, f"storage: etcd {endpoint} under tls/")
            made = hvac.Client(url=a.url).sys.initialize(secret_shares=1, secret_threshold=1)
            for node in (a, b):
                self.assertFalse(node.unseal(made["keys"][0])["sealed"])
            token = made["root_token"]
            wrote = a.call("POST", "secret/data/app", token, {"data": {"password": "s3cret"}})
            self.assertEqual(wrote.status_code, 200, wrote.text)
            read = b.call("GET", "secret/data/app", token, index=wrote.headers["X-Vault-Index"])
            self.assertEqual(read.status_code, 200, read.text)
            self.assertEqual(read.json()["data"]["data"], {"password": "s3cret"})
        finally:
            a.stop()
            b.stop()

    def test_a_refused_handshake_says_why(self):
        endpoint = self.etcd.endpoints[0]
        cases = [
            ("no client certificate", self.tls(self.ca[0], client_certificate=False),
             "the member refused this node's client certificate (cert_file, key_file), "
             "or wanted one"),
            ("another CA", self.tls(self.other_ca[0]),
             "the member's certificate does not verify against ca_file"),
            ("no CA file", "", "the member's certificate does not verify against the "
             "system's CAs (no ca_file given)"),
        ]
        for what, extra, why in cases:
            with self.subTest(what):
                node = Node(self.dir, "refused", [endpoint], "tls/", storage_extra=extra,
                            start=False)
                out = subprocess.run([TRESOR, "server", "--config", node.config],
                                     capture_output=True, text=True, timeout=120)
                self.assertEqual(out.stdout, "")
                self.assertEqual(out.stderr,
                                 f"tresor: error: etcd at {endpoint}: no member accepted a "
                                 f"connection within 2000 ms (TLS handshake failed: {why})\n")
                self.assertEqual(out.returncode, 3)


if __name__ == "__main__":
    unittest.main()
