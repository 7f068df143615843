"""The persistent server (`tresor server --config`): SQLite storage behind
the encrypting barrier, init/unseal/seal with Shamir keys or an age
identity, durability of acknowledged writes under kill -9, and no plaintext
secret or token in the database or the audit log. Driven by hvac,
node-vault, raw HTTP and the tresor CLI."""
import base64
import calendar
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import warnings

import hvac

warnings.simplefilter("ignore", ResourceWarning)

TRESOR = os.environ.get("TRESOR_BIN", "tresor")
NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


class Server:
    """A `tresor server --config` process on a free loopback port."""

    def __init__(self, directory, seal_identity=None, audit=True, extra="", data=None,
                 listen="127.0.0.1:0"):
        self.dir = directory
        self.config = os.path.join(directory, "server.toml")
        self.data = data or os.path.join(directory, "data")
        self.audit = os.path.join(directory, "audit.log")
        lines = [f'listen = "{listen}"', f'data_dir = "{self.data}"']
        if audit:
            lines.append(f'audit_file = "{self.audit}"')
        if seal_identity:
            lines += ["[seal]", 'type = "age"', f'age_identity_file = "{seal_identity}"']
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n" + extra)
        self.proc = None

    def start(self, *flags):
        self.proc = subprocess.Popen([TRESOR, "server", "--config", self.config, *flags],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        banner = [self.proc.stdout.readline() for _ in range(3)]
        match = re.match(r"tresor server: listening on http://127\.0\.0\.1:(\d+)\n", banner[0])
        if not match:
            self.proc.kill()
            raise AssertionError(f"no banner: {banner} {self.proc.stderr.read()}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = banner[2].strip()
        return self

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        if sig == signal.SIGTERM and self.proc.returncode != 0:
            print(f"server exited with {self.proc.returncode}:\n{err}", file=sys.stderr)
        return err

    def cli(self, *args, token=None, stdin=None):
        env = dict(os.environ, TRESOR_ADDR=self.url)
        env.pop("TRESOR_TOKEN", None)
        if token:
            env["TRESOR_TOKEN"] = token
        return subprocess.run([TRESOR, *args], input=stdin, capture_output=True, text=True,
                              env=env, timeout=60)


def init_and_unseal(server, shares=1, threshold=1):
    client = hvac.Client(url=server.url)
    made = client.sys.initialize(secret_shares=shares, secret_threshold=threshold)
    client.sys.submit_unseal_keys(made["keys"][:threshold])
    client.token = made["root_token"]
    return client, made


class TempDirTest(unittest.TestCase):
    def setUp(self):
        warnings.simplefilter("ignore", ResourceWarning)
        self.dir = tempfile.mkdtemp(prefix="tresor-persist-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            if s.proc and s.proc.poll() is None:
                s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def server(self, **kw):
        s = Server(self.dir, **kw)
        self.servers.append(s)
        return s


class InitUnsealTest(TempDirTest):
    def test_hvac_init_unseal_seal_and_restart(self):
        server = self.server().start()
        self.assertEqual(server.state, "state: not initialized (run tresor operator init)")
        client = hvac.Client(url=server.url)
        self.assertFalse(client.sys.is_initialized())
        self.assertEqual(client.sys.read_health_status(method="GET").status_code, 501)
        made = client.sys.initialize(secret_shares=5, secret_threshold=3)
        self.assertEqual(len(made["keys"]), 5)
        self.assertEqual(len(made["keys_base64"]), 5)
        self.assertTrue(all(len(k) == 66 for k in made["keys"]))
        self.assertTrue(client.sys.is_initialized())
        self.assertTrue(client.sys.is_sealed())
        with self.assertRaises(hvac.exceptions.InvalidRequest) as e:
            client.sys.initialize(secret_shares=1, secret_threshold=1)
        self.assertEqual(e.exception.errors, ["Vault is already initialized"])

        # A sealed server answers 503 to everything but the seal endpoints.
        client.token = made["root_token"]
        with self.assertRaises(hvac.exceptions.VaultDown):
            client.secrets.kv.v2.read_secret_version("x")

        # Three keys, one of them altered: the combination opens nothing,
        # and progress starts over.
        bad = made["keys"][1][:10] + ("0" if made["keys"][1][10] != "0" else "1") + made["keys"][1][11:]
        client.sys.submit_unseal_key(made["keys"][0])
        progress = client.sys.submit_unseal_key(bad)
        self.assertEqual(progress["progress"], 2)
        with self.assertRaises(hvac.exceptions.InvalidRequest) as e:
            client.sys.submit_unseal_key(made["keys"][2])
        self.assertEqual(e.exception.errors,
                         ["unseal failed: these keys do not open the keyring; start again"])
        status = client.sys.read_seal_status()
        self.assertEqual((status["sealed"], status["progress"], status["t"], status["n"]),
                         (True, 0, 3, 5))

        # Base64 and hex keys both work; any three of five.
        client.sys.submit_unseal_key(made["keys_base64"][4])
        client.sys.submit_unseal_key(made["keys"][3])
        done = client.sys.submit_unseal_key(made["keys_base64"][1])
        self.assertFalse(done["sealed"])
        self.assertEqual(client.sys.read_health_status(method="GET")["sealed"], False)

        client.secrets.kv.v2.create_or_update_secret("app/db", {"password": "kept"})
        client.sys.create_or_update_policy("reader", 'path "secret/data/app/*" { capabilities = ["read"] }')
        child = client.auth.token.create(policies=["reader"], ttl="1h")["auth"]["client_token"]
        client.sys.enable_auth_method("userpass")
        client.auth.userpass.create_or_update_user("carol", "carol-pw", policies=["reader"])
        client.sys.enable_secrets_engine("kv", path="legacy", options={"version": "1"})
        client.secrets.kv.v1.create_or_update_secret("db", {"pw": "v1-kept"}, mount_point="legacy")

        client.sys.seal()
        self.assertTrue(client.sys.is_sealed())
        server.stop()

        # After a restart: sealed, and everything is back once unsealed.
        server = self.server().start()
        self.assertEqual(server.state, "state: sealed (run tresor operator unseal)")
        client = hvac.Client(url=server.url, token=made["root_token"])
        client.sys.submit_unseal_keys([made["keys"][0], made["keys"][2], made["keys"][4]])
        self.assertEqual(client.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "kept"})
        reader = hvac.Client(url=server.url, token=child)
        self.assertEqual(reader.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "kept"})
        with self.assertRaises(hvac.exceptions.Forbidden):
            reader.secrets.kv.v2.create_or_update_secret("app/db", {"password": "no"})
        self.assertEqual(client.secrets.kv.v1.read_secret("db", mount_point="legacy")["data"],
                         {"pw": "v1-kept"})
        carol = hvac.Client(url=server.url)
        carol.auth.userpass.login("carol", "carol-pw")
        self.assertEqual(carol.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "kept"})

    def test_node_vault_init_and_unseal(self):
        if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "node-vault")):
            self.fail("node-vault is not installed: run `npm ci` in tests/integration/node")
        server = self.server().start()
        proc = subprocess.run(["node", "node_vault_init_test.js", server.url], cwd=NODE_DIR,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout.splitlines()[-1], "ok 4")

    def test_cli_operator_commands(self):
        server = self.server().start()
        status = server.cli("status")
        self.assertEqual(status.returncode, 1)
        self.assertIn("initialized: false\n", status.stdout)
        self.assertEqual(status.stderr, "tresor: error: the server is sealed\n")
        init = server.cli("operator", "init", "--shares", "3", "--threshold", "2")
        self.assertEqual(init.returncode, 0, init.stderr)
        keys = re.findall(r"^unseal key \d: (\S+)$", init.stdout, re.M)
        token = re.search(r"^root token: (\S+)$", init.stdout, re.M).group(1)
        self.assertEqual(len(keys), 3)
        first = server.cli("operator", "unseal", stdin=keys[1] + "\n")
        self.assertEqual(first.stdout, "sealed: true (progress 1/2)\n")
        second = server.cli("operator", "unseal", "-", stdin=keys[2] + "\n")
        self.assertEqual(second.stdout, "sealed: false\n")
        self.assertEqual(server.cli("status").returncode, 0)
        put = server.cli("kv", "put", "app/x", "k=v", token=token)
        self.assertEqual(put.returncode, 0, put.stderr)
        denied = server.cli("operator", "seal", token="not-a-token")
        self.assertEqual(denied.returncode, 1)
        self.assertIn("403", denied.stderr)
        sealed = server.cli("operator", "seal", token=token)
        self.assertEqual(sealed.returncode, 0, sealed.stderr)
        self.assertEqual(sealed.stderr, "tresor: the server is sealed\n")
        get = server.cli("kv", "get", "app/x", token=token)
        self.assertNotEqual(get.returncode, 0)
        self.assertIn("503: Vault is sealed", get.stderr)


class AgeSealTest(TempDirTest):
    def keygen(self, name):
        path = os.path.join(self.dir, name)
        subprocess.run(["age-keygen", "-o", path], check=True, capture_output=True)
        return path

    def test_auto_unseal_and_a_wrong_identity_is_an_error(self):
        identity = self.keygen("unseal.key")
        server = self.server(seal_identity=identity).start()
        init = server.cli("operator", "init")
        self.assertEqual(init.returncode, 0, init.stderr)
        self.assertNotIn("unseal key", init.stdout)
        token = re.search(r"^root token: (\S+)$", init.stdout, re.M).group(1)
        self.assertEqual(server.cli("status").returncode, 0)
        self.assertEqual(server.cli("kv", "put", "app/db", "password=by-age", token=token).returncode, 0)
        server.stop()

        server = self.server(seal_identity=identity).start()
        self.assertEqual(server.state, "state: unsealed")
        got = server.cli("kv", "get", "app/db", token=token)
        self.assertEqual(got.stdout, "password=by-age\n")
        server.stop()

        # Another identity: the server refuses to start, and re-initialises
        # nothing; the right identity still opens everything afterwards.
        other = self.keygen("other.key")
        wrong = subprocess.run([TRESOR, "server", "--config", Server(self.dir, seal_identity=other).config],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(wrong.returncode, 4, wrong.stderr)
        self.assertEqual(wrong.stderr,
                         f"tresor: error: {other}: does not open this store's root key: no "
                         "identity matched any of the file's 1 recipient (wrong key or "
                         "passphrase?)\n")
        server = self.server(seal_identity=identity).start()
        self.assertEqual(server.state, "state: unsealed")
        self.assertEqual(server.cli("kv", "get", "app/db", token=token).stdout, "password=by-age\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, predicate, deadline=120):
    """Polls `predicate` until it holds; fails after `deadline` seconds."""
    end = time.monotonic() + deadline
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"not within {deadline} s: {what}")
        time.sleep(0.2)


def transit_seal_policy(key):
    return "".join(f'path "transit/{op}/{key}" {{ capabilities = ["update"] }}\n'
                   for op in ("encrypt", "decrypt", "rewrap"))


class TransitSealTest(TempDirTest):
    """A server whose root key is kept by a transit key on another tresor
    server (the keeper), as with Vault's transit seal."""

    def start_keeper(self, port):
        directory = os.path.join(self.dir, "keeper")
        os.makedirs(directory, exist_ok=True)
        identity = os.path.join(directory, "unseal.key")
        if not os.path.exists(identity):
            subprocess.run(["age-keygen", "-o", identity], check=True, capture_output=True)
        keeper = Server(directory, seal_identity=identity, listen=f"127.0.0.1:{port}")
        self.servers.append(keeper)
        return keeper.start()

    def setUp(self):
        super().setUp()
        self.keeper_port = free_port()
        keeper = self.start_keeper(self.keeper_port)
        init = keeper.cli("operator", "init")
        self.assertEqual(init.returncode, 0, init.stderr)
        admin = hvac.Client(url=keeper.url, token=re.search(r"^root token: (\S+)$", init.stdout,
                                                            re.M).group(1))
        admin.sys.enable_secrets_engine("transit")
        admin.secrets.transit.create_key("autounseal")
        admin.secrets.transit.create_key("other")
        for key in ("autounseal", "other"):
            admin.sys.create_or_update_policy(key, transit_seal_policy(key))
        self.admin = admin
        self.keeper = keeper
        self.token_file = self.token_with(["autounseal"], "seal.token")
        self.node_dir = os.path.join(self.dir, "node")
        os.makedirs(self.node_dir)

    def token_with(self, policies, name):
        made = self.admin.auth.token.create(policies=policies, period="768h")
        path = os.path.join(self.dir, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(made["auth"]["client_token"] + "\n")
        return path

    def node(self, key="autounseal", token_file=None):
        extra = ("[seal]\ntype = \"transit\"\n"
                 f'address = "http://127.0.0.1:{self.keeper_port}"\n'
                 f'key_name = "{key}"\ntoken_file = "{token_file or self.token_file}"\n')
        node = Server(self.node_dir, extra=extra)
        self.servers.append(node)
        return node

    def init_node(self):
        node = self.node().start()
        self.assertEqual(node.state, "state: not initialized (run tresor operator init)")
        init = node.cli("operator", "init")
        self.assertEqual(init.returncode, 0, init.stderr)
        self.assertNotIn("unseal key", init.stdout)
        token = re.search(r"^root token: (\S+)$", init.stdout, re.M).group(1)
        put = node.cli("kv", "put", "app/db", "password=by-transit", token=token)
        self.assertEqual(put.returncode, 0, put.stderr)
        return node, token

    def refused_start(self, node):
        return subprocess.run([TRESOR, "server", "--config", node.config], capture_output=True,
                              text=True, timeout=60)

    def test_unseals_at_every_start_follows_rotation_and_refuses_a_wrong_key(self):
        node, token = self.init_node()
        status = hvac.Client(url=node.url).sys.read_seal_status()
        self.assertEqual((status["type"], status["sealed"], status["initialized"]),
                         ("transit", False, True))
        node.stop()
        node = self.node().start()
        self.assertEqual(node.state, "state: unsealed")
        self.assertEqual(node.cli("kv", "get", "app/db", token=token).stdout,
                         "password=by-transit\n")
        node.stop()

        # The keeper's key rotates: the next start stores the root key
        # wrapped under version 2, so version 1 can be retired.
        self.admin.secrets.transit.rotate_key("autounseal")
        node = self.node().start()
        self.assertEqual(node.state, "state: unsealed")
        node.stop()
        self.admin.secrets.transit.update_key_configuration("autounseal",
                                                            min_decryption_version=2)
        node = self.node().start()
        self.assertEqual(node.state, "state: unsealed")
        self.assertEqual(node.cli("kv", "get", "app/db", token=token).stdout,
                         "password=by-transit\n")
        node.stop()

        # Another key does not open it, and a token without the policy may
        # not ask: the node refuses to start, and nothing is initialised again.
        where = f"transit seal http://127.0.0.1:{self.keeper_port}/v1/transit/decrypt"
        self.admin.secrets.transit.rotate_key("other")  # it has a version 2 as well
        wrong = self.refused_start(
            self.node(key="other", token_file=self.token_with(["other"], "other")))
        self.assertEqual(wrong.returncode, 4, wrong.stderr)
        self.assertEqual(wrong.stderr, f"tresor: error: {where}/other: HTTP 400: "
                                       "cipher: message authentication failed\n")
        weak = self.refused_start(self.node(token_file=self.token_with(["default"], "weak")))
        self.assertEqual(weak.returncode, 1)
        self.assertEqual(weak.stderr,
                         f"tresor: error: {where}/autounseal: HTTP 403: permission denied\n")
        node = self.node().start()
        self.assertEqual(node.state, "state: unsealed")
        self.assertEqual(node.cli("kv", "get", "app/db", token=token).stdout,
                         "password=by-transit\n")

    def test_a_node_started_while_its_keeper_is_down_unseals_when_it_is_back(self):
        node, token = self.init_node()
        node.stop()
        self.keeper.stop()
        node = self.node().start()
        self.assertEqual(node.state,
                         f"state: sealed (retrying: transit seal http://127.0.0.1:"
                         f"{self.keeper_port}/v1/transit/decrypt/autounseal: cannot connect: "
                         "Connection refused)")
        client = hvac.Client(url=node.url)
        status = client.sys.read_seal_status()
        self.assertEqual((status["type"], status["sealed"], status["initialized"]),
                         ("transit", True, True))
        self.start_keeper(self.keeper_port)
        wait_for("the node unseals", lambda: not client.sys.read_seal_status()["sealed"])
        self.assertEqual(node.cli("kv", "get", "app/db", token=token).stdout,
                         "password=by-transit\n")
        # Sealed by an operator, it stays sealed until it is restarted.
        self.assertEqual(node.cli("operator", "seal", token=token).returncode, 0)
        time.sleep(5)  # more than two of the retries' periods
        self.assertTrue(client.sys.read_seal_status()["sealed"])


class AuditHeadTest(TempDirTest):
    """The audit log's head is kept in the store: a log cut or deleted while
    the server was down stops it from unsealing, unless the gap is
    accepted and recorded."""

    def start_refused(self, server):
        return subprocess.run([TRESOR, "server", "--config", server.config],
                              capture_output=True, text=True, timeout=60)

    def test_a_cut_or_deleted_log_is_refused_at_start_unless_the_gap_is_recorded(self):
        identity = os.path.join(self.dir, "unseal.key")
        subprocess.run(["age-keygen", "-o", identity], check=True, capture_output=True)
        server = self.server(seal_identity=identity).start()
        init = server.cli("operator", "init")
        self.assertEqual(init.returncode, 0, init.stderr)
        token = re.search(r"^root token: (\S+)$", init.stdout, re.M).group(1)
        self.assertEqual(server.cli("kv", "put", "app/db", "password=x", token=token).returncode,
                         0)
        # While it runs, the log holds the server's last line.
        verify = subprocess.run([TRESOR, "audit", "verify", "--server", server.audit],
                                env=dict(os.environ, TRESOR_ADDR=server.url, TRESOR_TOKEN=token),
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(verify.returncode, 0, verify.stderr)
        self.assertRegex(verify.stdout, r"\nserver: its log's last line \(seq \d+\) is in "
                         + re.escape(server.audit) + ", as it should be\n$")
        server.stop()
        with open(server.audit) as f:
            lines = f.readlines()
        logged = len(lines)  # the head stored at shutdown is the last line
        with open(server.audit, "w") as f:
            f.writelines(lines[:-2])
        refused = self.start_refused(server)
        self.assertEqual(refused.returncode, 5)
        self.assertEqual(refused.stderr,
                         f"tresor: error: {server.audit}: the audit log ends at seq {logged - 2}, "
                         f"but the server logged up to seq {logged}: lines were cut from its end, "
                         "or it was replaced or deleted (--audit-accept-gap records the gap in "
                         "the log and goes on)\n")
        os.remove(server.audit)
        refused = self.start_refused(server)
        self.assertEqual(refused.returncode, 5)
        self.assertIn(f"{server.audit}: the audit log ends at seq 0, but the server logged up to "
                      f"seq {logged}", refused.stderr)
        # Accepted: a "gap" line records what was lost, and the chain goes on.
        server = self.server(seal_identity=identity).start("--audit-accept-gap")
        self.assertEqual(server.state, "state: unsealed")
        self.assertEqual(server.cli("kv", "get", "app/db", token=token).stdout, "password=x\n")
        server.stop()
        with open(server.audit) as f:
            gap = json.loads(f.readline())
        self.assertEqual((gap["type"], gap["seq"], gap["expected"]["seq"], gap["found"]["seq"]),
                         ("gap", 1, logged, 0))
        self.assertEqual(gap["expected"]["hash"], json.loads(lines[-1])["hash"])
        ok = subprocess.run([TRESOR, "audit", "verify", server.audit], capture_output=True,
                            text=True, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        server = self.server(seal_identity=identity).start()  # the new head is kept
        self.assertEqual(server.state, "state: unsealed")

    def test_verify_server_finds_lines_cut_while_it_runs(self):
        identity = os.path.join(self.dir, "unseal.key")
        subprocess.run(["age-keygen", "-o", identity], check=True, capture_output=True)
        server = self.server(seal_identity=identity).start()
        init = server.cli("operator", "init")
        token = re.search(r"^root token: (\S+)$", init.stdout, re.M).group(1)
        env = dict(os.environ, TRESOR_ADDR=server.url, TRESOR_TOKEN=token)
        with open(server.audit) as f:
            lines = f.readlines()
        with open(server.audit, "w") as f:  # the server appends to the open file
            f.writelines(lines[:-1])
        verify = subprocess.run([TRESOR, "audit", "verify", "--server", server.audit], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(verify.returncode, 5)
        self.assertRegex(verify.stderr, "^tresor: error: " + re.escape(server.audit) +
                         r": (ends at seq \d+, but the server has logged up to seq \d+: lines "
                         r"were cut from its end, or the file was replaced|line \d+: .*)\n$")


class AuditDevicesTest(TempDirTest):
    def test_the_audit_log_is_listed_as_vaults_file_device_and_not_changed_by_the_api(self):
        server = self.server(audit=True).start()
        client, _ = init_and_unseal(server)
        listed = client.sys.list_enabled_audit_devices()
        self.assertEqual(listed["data"], {"file/": {
            "type": "file", "description": "the server's hash-chained audit log",
            "options": {"file_path": server.audit}, "local": False, "path": "file/"}})
        with self.assertRaises(hvac.exceptions.InvalidRequest) as refused:
            client.sys.enable_audit_device("file", path="other",
                                           options={"file_path": "/tmp/other.log"})
        self.assertEqual(refused.exception.errors,
                         ["audit devices are not changed through the API: the server's audit "
                          "log is audit_file in server.toml (or --audit-file)"])
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            client.sys.disable_audit_device("file")
        self.assertEqual(client.sys.list_enabled_audit_devices()["data"], listed["data"])
        # Vault's rule: sudo's; a plain token is refused.
        plain = client.auth.token.create(policies=["default"])["auth"]["client_token"]
        with self.assertRaises(hvac.exceptions.Forbidden):
            hvac.Client(url=server.url, token=plain).sys.list_enabled_audit_devices()
        server.stop()
        quiet = self.server(audit=False, data=os.path.join(self.dir, "quiet")).start()
        client, _ = init_and_unseal(quiet)
        self.assertEqual(client.sys.list_enabled_audit_devices()["data"], {})


class DiskFullTest(TempDirTest):
    """A full disk: the writes it refuses answer 500 and are never served,
    the failure is logged, and writes resume once there is room again,
    without a restart."""

    def kv(self, server, token, method, key, data=None):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        body = json.dumps({"data": data}).encode() if data is not None else None
        conn.request(method, f"/v1/secret/data/{key}", body=body,
                     headers={"X-Vault-Token": token})
        response = conn.getresponse()
        text = response.read()
        conn.close()
        return response.status, json.loads(text) if text else None

    def test_writes_refused_by_a_full_disk_are_not_served_and_writes_resume(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to mount a small file system")
        small = os.path.join(self.dir, "small")
        os.mkdir(small)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", small],
                       check=True)
        self.addCleanup(subprocess.run, ["umount", "-l", small])
        identity = os.path.join(self.dir, "unseal.key")
        subprocess.run(["age-keygen", "-o", identity], check=True, capture_output=True)
        server = self.server(seal_identity=identity, data=os.path.join(small, "data")).start()
        init = server.cli("operator", "init")
        self.assertEqual(init.returncode, 0, init.stderr)
        token = re.search(r"^root token: (\S+)$", init.stdout, re.M).group(1)
        self.assertEqual(self.kv(server, token, "POST", "kept", {"v": "kept"})[0], 200)
        # Fill the file system, then write values big enough to need room.
        with open(os.path.join(small, "filler"), "wb") as f:
            try:
                while True:
                    f.write(b"\0" * (1 << 20))
                    f.flush()
            except OSError:
                pass
        refused = None
        for i in range(64):
            status, body = self.kv(server, token, "POST", f"big{i}", {"v": "x" * (512 << 10)})
            if status != 200:
                self.assertEqual((status, body), (500, {"errors": ["storage write failed"]}))
                refused = f"big{i}"
                break
        self.assertIsNotNone(refused, "no write was refused on a full disk")
        # What was refused is not served (the state is reloaded from disk).
        deadline = time.monotonic() + 60
        while self.kv(server, token, "GET", refused)[0] != 404:
            self.assertLess(time.monotonic(), deadline, "a refused write is still served")
            time.sleep(0.1)
        self.assertEqual(self.kv(server, token, "GET", "kept")[1]["data"]["data"], {"v": "kept"})
        # Room again: writes resume, no restart.
        os.remove(os.path.join(small, "filler"))
        deadline = time.monotonic() + 180
        while self.kv(server, token, "POST", "after", {"v": "works"})[0] != 200:
            self.assertLess(time.monotonic(), deadline, "writes never resumed")
            time.sleep(0.2)
        self.assertEqual(self.kv(server, token, "GET", "after")[1]["data"]["data"], {"v": "works"})
        log = [json.loads(line) for line in server.stop().splitlines()]
        failures = [e for e in log if e["msg"] == "storage: a write failed; writes stop until "
                    "it recovers"]
        self.assertTrue(failures)
        self.assertEqual(failures[0]["error"], "database or disk is full")
        self.assertIn("storage: writes resumed; state reloaded", [e["msg"] for e in log])
        # After a restart, the same: what was refused never was.
        server = self.server(seal_identity=identity, data=os.path.join(small, "data")).start()
        self.assertEqual(self.kv(server, token, "GET", refused)[0], 404)
        self.assertEqual(self.kv(server, token, "GET", "after")[1]["data"]["data"], {"v": "works"})


class ConfigTest(TempDirTest):
    def run_config(self, text):
        path = os.path.join(self.dir, "bad.toml")
        with open(path, "w") as f:
            f.write(text)
        return subprocess.run([TRESOR, "server", "--config", path], capture_output=True,
                              text=True, timeout=30), path

    def test_bad_settings_are_named_with_their_place(self):
        data = os.path.join(self.dir, "d")
        proc, path = self.run_config(f'data_dir = "{data}"\nlisten = "127.0.0.1:0"\nlistne = "x"\n')
        self.assertEqual(proc.returncode, 5)
        self.assertEqual(proc.stderr, f"tresor: error: {path}:3:10: unknown setting listne\n")
        proc, path = self.run_config('listen = "127.0.0.1:0"\n')
        self.assertEqual(proc.stderr, f"tresor: error: {path}: data_dir is required\n")
        proc, path = self.run_config(f'data_dir = "{data}"\n[limits]\nthreads = "two"\n')
        self.assertEqual(proc.stderr,
                         f"tresor: error: {path}:3:11: limits.threads: wrong type or range\n")
        proc, path = self.run_config(f'data_dir = "{data}"\n[seal]\ntype = "kms"\n')
        self.assertEqual(proc.stderr, f'tresor: error: {path}: seal.type must be "shamir", '
                                      f'"age" or "transit", not "kms"\n')
        proc, path = self.run_config(f'data_dir = "{data}"\n[seal]\ntype = "transit"\n'
                                     'address = "https://vault:8200"\nkey_name = "unseal"\n')
        self.assertEqual(proc.stderr,
                         f'tresor: error: {path}: seal.type "transit" needs seal.token_file\n')
        proc, path = self.run_config(f'data_dir = "{data}"\n[seal]\ntype = "age"\n'
                                     'age_identity_file = "k"\nkey_name = "unseal"\n')
        self.assertEqual(proc.stderr, f'tresor: error: {path}: [seal] has settings of another '
                                      'seal type than "age"\n')
        proc = subprocess.run([TRESOR, "server", "--dev", "--threads", "0"], capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, "tresor: error: --threads: Value 0 not in range 1 to 1024 "
                                      "(see tresor server --help)\n")

    def test_a_missing_or_changeable_config_is_one_line_naming_it(self):
        missing = os.path.join(self.dir, "none.toml")
        proc = subprocess.run([TRESOR, "server", "--config", missing], capture_output=True,
                              text=True, timeout=30)
        self.assertEqual((proc.returncode, proc.stderr),
                         (3, f"tresor: error: {missing}: cannot open: No such file or directory\n"))
        data = os.path.join(self.dir, "d")
        path = os.path.join(self.dir, "bad.toml")
        with open(path, "w") as f:
            f.write("")
        os.chmod(path, 0o664)
        proc, _ = self.run_config(f'data_dir = "{data}"\nlisten = "127.0.0.1:0"\n')
        self.assertEqual((proc.returncode, proc.stderr),
                         (1, f"tresor: error: {path}: the server's settings file is writable "
                             f"by group or others (mode 0664); chmod go-w it\n"))
        self.assertFalse(os.path.exists(data))
        if os.geteuid() != 0:
            return  # another owner needs root to arrange; CI runs as root
        os.chmod(path, 0o644)
        os.chown(path, 65534, 65534)
        proc, _ = self.run_config(f'data_dir = "{data}"\nlisten = "127.0.0.1:0"\n')
        self.assertEqual((proc.returncode, proc.stderr),
                         (1, f"tresor: error: {path}: the server's settings file is owned by "
                             f"uid 65534, neither root nor the user this runs as (uid 0); chown it\n"))

    def test_open_data_directory_and_second_server_are_refused(self):
        data = os.path.join(self.dir, "open")
        os.mkdir(data, 0o755)
        os.chmod(data, 0o755)
        proc, _ = self.run_config(f'data_dir = "{data}"\nlisten = "127.0.0.1:0"\n')
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stderr, f"tresor: error: {data}: mode 0755, must be 0700 "
                                      f"(chmod 700 {data})\n")
        server = self.server().start()
        second = subprocess.run([TRESOR, "server", "--config", server.config],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(second.returncode, 1)
        self.assertEqual(second.stderr,
                         f"tresor: error: {server.data}/tresor.db: in use by another tresor server\n")


class DurabilityTest(TempDirTest):
    """Every acknowledged write survives kill -9 of the server."""

    WRITERS = 8
    ROUNDS = 5

    def writer(self, port, token, round_no, w, acked, stop):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n = 0
        try:
            while not stop.is_set():
                n += 1
                value = f"v-{round_no}-{w}-{n}"
                body = json.dumps({"data": {"value": value}})
                for path in (f"dur/r{round_no}/w{w}/{n}", f"dur/counter/w{w}"):
                    conn.request("POST", f"/v1/secret/data/{path}", body,
                                 {"X-Vault-Token": token})
                    reply = conn.getresponse()
                    data = reply.read()
                    if reply.status != 200:
                        raise AssertionError(f"{reply.status} {data}")
                    acked.append((path, json.loads(data)["data"]["version"], value))
        except (ConnectionError, http.client.HTTPException, OSError):
            pass  # the server was killed

    def test_acknowledged_writes_survive_kill_9(self):
        server = self.server(audit=False).start()
        client, made = init_and_unseal(server)
        token = made["root_token"]
        client.secrets.kv.v2.configure(max_versions=1000)
        acked = []
        for round_no in range(self.ROUNDS):
            stop = threading.Event()
            threads = [threading.Thread(target=self.writer,
                                        args=(server.port, token, round_no, w, acked, stop))
                       for w in range(self.WRITERS)]
            for t in threads:
                t.start()
            time.sleep(random.uniform(0.3, 0.8))
            server.stop(signal.SIGKILL)
            stop.set()
            for t in threads:
                t.join()
            server = self.server(audit=False).start()
            client = hvac.Client(url=server.url, token=token)
            client.sys.submit_unseal_key(made["keys"][0])
            self.check(client, acked)
        self.assertGreater(len(acked), 1000)

    def check(self, client, acked):
        kv = client.secrets.kv.v2
        latest = {}
        for path, version, value in acked:
            got = kv.read_secret_version(path, version=version)["data"]["data"]
            self.assertEqual(got, {"value": value}, f"{path} version {version}")
            latest[path] = max(latest.get(path, 0), version)
        for path, version in latest.items():
            current = kv.read_secret_metadata(path)["data"]["current_version"]
            self.assertGreaterEqual(current, version, path)


class NoPlaintextTest(TempDirTest):
    def test_database_and_audit_log_hold_no_secret_and_no_token(self):
        server = self.server().start()
        client, made = init_and_unseal(server, 3, 2)
        needles = {"root token": made["root_token"]}
        for i in range(50):
            value = f"needle-value-{i}-{random.getrandbits(64):016x}"
            client.secrets.kv.v2.create_or_update_secret(f"apps/a{i}", {"password": value})
            needles[f"value {i}"] = value
        child = client.auth.token.create(policies=["default"], ttl="1h")["auth"]["client_token"]
        needles["child token"] = child
        client.sys.enable_auth_method("userpass")
        client.auth.userpass.create_or_update_user("dave", "dave-password-needle")
        needles["password"] = "dave-password-needle"
        login = hvac.Client(url=server.url)
        needles["login token"] = login.auth.userpass.login("dave", "dave-password-needle")["auth"]["client_token"]
        for i, key in enumerate(made["keys"]):
            needles[f"unseal key {i}"] = key
            needles[f"unseal key {i} (base64)"] = made["keys_base64"][i]

        def search():
            files = [server.audit] + [os.path.join(server.data, f) for f in os.listdir(server.data)]
            for path in files:
                with open(path, "rb") as f:
                    content = f.read()
                for what, needle in needles.items():
                    self.assertNotIn(needle.encode(), content, f"{what} found in {path}")
            return files

        files = search()  # while running: the WAL holds the latest writes
        self.assertTrue(any(f.endswith("tresor.db-wal") for f in files))
        self.assertGreater(os.path.getsize(server.audit), 10000)
        server.stop()
        search()  # after the WAL was folded into the database
        # The values are there, encrypted: the paths are stored as they are.
        with open(os.path.join(server.data, "tresor.db"), "rb") as f:
            self.assertIn(b"kv/secret/k/apps/a7", f.read())
        for path in [server.audit, os.path.join(server.data, "tresor.db")]:
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600, path)


class GenerateRootTest(TempDirTest):
    """A lost root token is recovered with a quorum of unseal keys
    (sys/generate-root), through hvac and the CLI; wrong keys, a wrong
    nonce and options tresor does not build are refused."""

    @staticmethod
    def decode(encoded, otp):
        raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
        return bytes(a ^ b for a, b in zip(raw, otp.encode())).decode()

    def test_hvac_and_the_cli_make_a_new_root_token(self):
        server = self.server().start()
        client, made = init_and_unseal(server, 3, 2)
        keys = made["keys"]
        anon = hvac.Client(url=server.url)
        started = anon.sys.start_root_token_generation()
        self.assertEqual((started["started"], started["required"], started["progress"],
                          started["otp_length"], len(started["otp"])), (True, 2, 0, 35, 35))
        progress = anon.sys.generate_root(keys[0], started["nonce"])
        self.assertEqual((progress["progress"], progress["complete"]), (1, False))
        self.assertEqual(anon.sys.read_root_generation_progress()["progress"], 1)
        done = anon.sys.generate_root(keys[2], started["nonce"])
        self.assertTrue(done["complete"])
        token = self.decode(done["encoded_token"], started["otp"])
        self.assertRegex(token, r"^tr\.[0-9A-Za-z]{32}$")
        root = hvac.Client(url=server.url, token=token)
        self.assertEqual(root.auth.token.lookup_self()["data"]["policies"], ["root"])
        self.assertIn("default", root.sys.list_policies()["data"]["policies"])

        out = server.cli("operator", "generate-root", stdin=f"{keys[1]}\n{keys[0]}\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "tresor: unseal key 1 of 2\ntresor: unseal key 2 of 2\n")
        new = re.fullmatch(r"root token: (tr\.[0-9A-Za-z]{32})\n", out.stdout).group(1)
        self.assertNotEqual(new, token)
        self.assertEqual(server.cli("token", "lookup", token=new).stdout.splitlines()[1],
                         "policies: root")

    def test_wrong_keys_a_wrong_nonce_and_unbuilt_options_are_refused(self):
        server = self.server().start()
        _, made = init_and_unseal(server, 3, 2)
        anon = hvac.Client(url=server.url)
        started = anon.sys.start_root_token_generation()
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            anon.sys.start_root_token_generation()
        self.assertEqual(caught.exception.errors,
                         ["root generation already in progress (cancel it first)"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            anon.sys.generate_root(made["keys"][0], "not-the-nonce")
        self.assertEqual(caught.exception.errors, ["incorrect nonce"])
        anon.sys.generate_root(made["keys"][0], started["nonce"])
        # A key of the right form that is not one of the server's.
        forged = "ff" * (len(bytes.fromhex(made["keys"][1])))
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            anon.sys.generate_root(forged, started["nonce"])
        self.assertEqual(caught.exception.errors,
                         ["these keys do not open the keyring; start again"])
        self.assertFalse(anon.sys.read_root_generation_progress()["started"])
        for option in ({"otp": "x" * 35}, {"pgp_key": "mQENBF..."}):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                anon.sys.start_root_token_generation(**option)
            self.assertIn("is not supported: the server makes the one-time pad",
                          caught.exception.errors[0])
        anon.sys.start_root_token_generation()
        anon.sys.cancel_root_generation()
        self.assertFalse(anon.sys.read_root_generation_progress()["started"])

    def test_an_age_sealed_server_has_no_keys_to_check(self):
        identity = os.path.join(self.dir, "unseal.key")
        subprocess.run(["age-keygen", "-o", identity], check=True, capture_output=True)
        server = self.server(seal_identity=identity).start()
        self.assertEqual(server.cli("operator", "init").returncode, 0)
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            hvac.Client(url=server.url).sys.start_root_token_generation()
        self.assertEqual(caught.exception.errors, [
            "generate-root needs unseal keys; this server unseals with its age identity"])


class RekeyTest(TempDirTest):
    """New unseal keys from a quorum of the current ones (sys/rekey), through
    hvac and the CLI: the old keys then open nothing, the new ones unseal
    after a restart, and the data is untouched; bad attempts are refused."""

    def unseal_with(self, server, keys):
        client = hvac.Client(url=server.url)
        reply = None
        for key in keys:
            reply = client.sys.submit_unseal_key(key)
        return reply

    def test_hvac_and_the_cli_change_the_unseal_keys(self):
        server = self.server().start()
        client, made = init_and_unseal(server, 3, 2)
        client.secrets.kv.v2.create_or_update_secret("app/db", secret={"password": "p1"})
        old = made["keys"]
        anon = hvac.Client(url=server.url)
        started = anon.sys.start_rekey(secret_shares=5, secret_threshold=3)
        self.assertEqual({k: started[k] for k in ("started", "t", "n", "progress", "required")},
                         {"started": True, "t": 3, "n": 5, "progress": 0, "required": 2})
        first = anon.sys.rekey(old[0], nonce=started["nonce"])
        self.assertEqual((first["progress"], first.get("complete", False)), (1, False))
        self.assertEqual(anon.sys.read_rekey_progress()["progress"], 1)
        done = anon.sys.rekey(old[2], nonce=started["nonce"])
        self.assertTrue(done["complete"])
        self.assertEqual(len(done["keys"]), 5)
        self.assertEqual([base64.b64decode(k).hex() for k in done["keys_base64"]], done["keys"])
        self.assertFalse(anon.sys.read_rekey_progress()["started"])
        status = anon.sys.read_seal_status()
        self.assertEqual((status["n"], status["t"], status["sealed"]), (5, 3, False))

        server.stop()
        server = self.server().start()
        # The old keys: as many as the new threshold, and they open nothing.
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.unseal_with(server, [old[0], old[1], old[2]])
        self.assertEqual(caught.exception.errors,
                         ["unseal failed: these keys do not open the keyring; start again"])
        self.assertFalse(self.unseal_with(server, done["keys"][1:4])["sealed"])
        client = hvac.Client(url=server.url, token=made["root_token"])
        self.assertEqual(client.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "p1"})

        # The CLI, keys from stdin, back to two of three.
        new = done["keys"]
        out = server.cli("operator", "rekey", "--shares", "3", "--threshold", "2",
                         stdin=f"{new[4]}\n{new[0]}\n{new[2]}\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "tresor: unseal key 1 of 3\ntresor: unseal key 2 of 3\n"
                                     "tresor: unseal key 3 of 3\n"
                                     "tresor: these keys are shown once and stored nowhere. Give "
                                     "them to 3 different people; any 2 of them unseal the "
                                     "server after every restart.\n"
                                     "tresor: the old unseal keys open nothing any more\n")
        latest = re.findall(r"^unseal key \d: (\S+)$", out.stdout, re.M)
        self.assertEqual(len(latest), 3)
        server.stop()
        server = self.server().start()
        self.assertFalse(self.unseal_with(server, latest[:2])["sealed"])

    def test_bad_attempts_are_refused_and_change_nothing(self):
        server = self.server().start()
        _, made = init_and_unseal(server, 3, 2)
        anon = hvac.Client(url=server.url)
        for shares, threshold in ((2, 3), (3, 1), (256, 2)):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                anon.sys.start_rekey(secret_shares=shares, secret_threshold=threshold)
            self.assertEqual(caught.exception.errors, [
                "shares and threshold must satisfy 1 <= threshold <= shares <= 255, with a "
                "threshold above 1 when there is more than one share"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            anon.sys.start_rekey(secret_shares=3, secret_threshold=2, pgp_keys=["a", "b", "c"])
        self.assertEqual(caught.exception.errors, ["pgp_keys is not supported"])
        started = anon.sys.start_rekey(secret_shares=3, secret_threshold=2)
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            anon.sys.start_rekey(secret_shares=3, secret_threshold=2)
        self.assertEqual(caught.exception.errors, ["rekey already in progress (cancel it first)"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            anon.sys.rekey(made["keys"][0], nonce="not-the-nonce")
        self.assertEqual(caught.exception.errors, ["incorrect nonce"])
        anon.sys.rekey(made["keys"][0], nonce=started["nonce"])
        forged = "ff" * len(bytes.fromhex(made["keys"][1]))
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            anon.sys.rekey(forged, nonce=started["nonce"])
        self.assertEqual(caught.exception.errors,
                         ["these keys do not open the keyring; start again"])
        self.assertFalse(anon.sys.read_rekey_progress()["started"])
        anon.sys.start_rekey(secret_shares=3, secret_threshold=2)
        anon.sys.cancel_rekey()
        self.assertFalse(anon.sys.read_rekey_progress()["started"])
        # The old keys still unseal: nothing changed.
        server.stop()
        server = self.server().start()
        self.assertFalse(self.unseal_with(server, made["keys"][:2])["sealed"])
        identity = os.path.join(self.dir, "unseal.key")
        subprocess.run(["age-keygen", "-o", identity], check=True, capture_output=True)
        os.makedirs(os.path.join(self.dir, "aged"))
        aged = Server(os.path.join(self.dir, "aged"), seal_identity=identity)
        self.servers.append(aged)
        aged.start()
        self.assertEqual(aged.cli("operator", "init").returncode, 0)
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            hvac.Client(url=aged.url).sys.start_rekey(secret_shares=3, secret_threshold=2)
        self.assertEqual(caught.exception.errors, [
            "rekey needs unseal keys; this server unseals with its age identity"])


class InitOptionsTest(TempDirTest):
    def test_options_tresor_does_not_build_are_refused_and_nothing_is_initialised(self):
        server = self.server().start()
        client = hvac.Client(url=server.url)
        for option, value in (("pgp_keys", ["keybase:someone"]),
                              ("root_token_pgp_key", "mQENBF..."),
                              ("recovery_shares", 3)):
            with self.subTest(option):
                with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                    client.sys.initialize(secret_shares=1, secret_threshold=1,
                                          **{option: value})
                self.assertEqual(caught.exception.errors,
                                 [f"{option} is not supported by this server"])
                self.assertFalse(client.sys.is_initialized())


class KeyRotationTest(TempDirTest):
    """sys/rotate adds a barrier key: records written after it use the new
    term, those before still open, across a restart; it needs sudo."""

    def record_terms(self, server, prefix):
        """The key term of each stored record under `prefix`, by key."""
        import sqlite3
        db = sqlite3.connect(os.path.join(server.data, "tresor.db"))
        try:
            rows = db.execute("SELECT key, value FROM records WHERE key LIKE ?",
                              (prefix + "%",)).fetchall()
        finally:
            db.close()
        return {key: int.from_bytes(value[1:5], "big") for key, value in rows}

    def test_rotate_and_key_status(self):
        server = self.server().start()
        began = int(time.time())
        client, made = init_and_unseal(server)
        status = client.sys.get_encryption_key_status()
        self.assertEqual((status["term"], status["data"]["term"]), (1, 1))
        installed = status["data"]["install_time"]
        self.assertRegex(installed, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0+Z$")
        since_epoch = calendar.timegm(time.strptime(installed[:19], "%Y-%m-%dT%H:%M:%S"))
        self.assertTrue(began <= since_epoch <= time.time(), (began, installed))
        client.secrets.kv.v2.create_or_update_secret("before", secret={"v": "1"})
        self.assertEqual(client.sys.rotate_encryption_key().status_code, 204)
        self.assertEqual(client.sys.get_encryption_key_status()["data"]["term"], 2)
        client.secrets.kv.v2.create_or_update_secret("after", secret={"v": "2"})
        # Each new key's one version is in its metadata record.
        terms = self.record_terms(server, "kv/secret/k/")
        self.assertEqual(terms, {"kv/secret/k/before": 1, "kv/secret/k/after": 2})

        # update without sudo is refused; with sudo it rotates.
        client.sys.create_or_update_policy("rotate", 'path "sys/rotate" { capabilities = ["update"] }')
        client.sys.create_or_update_policy(
            "rotate-sudo", 'path "sys/rotate" { capabilities = ["update", "sudo"] }')
        for policy, code in (("rotate", 403), ("rotate-sudo", 204)):
            token = client.auth.token.create(policies=[policy])["auth"]["client_token"]
            answer = put_empty(server.port, "/v1/sys/rotate", token)
            self.assertEqual(answer[0], code, answer)
        self.assertEqual(client.sys.get_encryption_key_status()["data"]["term"], 3)
        rotated = server.cli("operator", "rotate", token=made["root_token"])
        self.assertEqual((rotated.returncode, rotated.stdout, rotated.stderr),
                         (0, "key term: 4\n", ""))
        shown = server.cli("operator", "key-status", "--json", token=made["root_token"])
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertEqual(json.loads(shown.stdout)["term"], 4)
        denied = server.cli("operator", "rotate")  # no token
        self.assertEqual((denied.returncode, denied.stdout, denied.stderr),
                         (1, "", "tresor: error: sys/rotate: 403: permission denied\n"))

        server.stop()
        server.start()
        client = hvac.Client(url=server.url, token=made["root_token"])
        client.sys.submit_unseal_keys(made["keys"][:1])
        self.assertEqual(client.sys.get_encryption_key_status()["data"]["term"], 4)
        for path, value in (("before", "1"), ("after", "2")):
            read = client.secrets.kv.v2.read_secret_version(path)
            self.assertEqual(read["data"]["data"], {"v": value})


def put_empty(port, path, token):
    """PUT with an empty body: the status and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    try:
        connection.request("PUT", path, body=b"", headers={"X-Vault-Token": token})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


if __name__ == "__main__":
    unittest.main()
