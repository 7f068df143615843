"""Sealed-file groups whose key the server holds (recipient tresor:NAME):
the per-backend INI of a storage plugin, sealed once, read on two hosts
that have no private key at all, each with a token that may decrypt only
with its backend's transit key. Each host renders, runs and gets its own
backend's values and finds the other's absent (with a message naming the
group); `unseal --group` turns one group back to plaintext without
touching the other; deleting a key on the server closes its group on
every host at once."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import hvac

from server_test import ROOT, TRESOR, ServerTestCase

EXIT_NO_MATCH = 4

CINDER = """\
[DEFAULT]
enabled_backends = backend_a, backend_b

[backend_a]
volume_driver = hpe
hpe3par_password = alpha-secret
san_login = admin

[backend_b]
hpe3par_password = bravo-secret
san_login = admin
"""

RULES = """\
[[rule]]
path = "*.conf"
recipients = ["tresor:ops"]
keys = "(?i)password$"

[[rule.group]]
name = "backend_a"
paths = ["backend_a"]
recipients = ["tresor:backend_a"]

[[rule.group]]
name = "backend_b"
paths = ["backend_b"]
recipients = ["tresor:backend_b"]
"""


class ServerKeyGroupsTest(ServerTestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)
        self.root = hvac.Client(url=self.url, token=ROOT)
        self.addCleanup(self.root.adapter.close)
        mounts = self.root.sys.list_mounted_secrets_engines()["data"]
        if "transit/" not in mounts:
            self.root.sys.enable_secrets_engine("transit")
        self.tokens = {}
        for name in ("ops", "backend_a", "backend_b"):
            self.root.secrets.transit.create_key(name)
            self.root.sys.create_or_update_policy(
                f"host-{name}", f'path "transit/decrypt/{name}" {{ capabilities = ["update"] }}')
            self.tokens[name] = self.root.auth.token.create(
                policies=[f"host-{name}"])["auth"]["client_token"]
        self.conf = os.path.join(self.dir, "cinder.conf")
        with open(self.conf, "w") as f:
            f.write(CINDER)
        with open(os.path.join(self.dir, ".tresor.toml"), "w") as f:
            f.write(RULES)

    def tresor(self, token, *args, code=0, stdin=None):
        # A host with no key of its own: an empty home, no agent, no identity.
        env = {"PATH": os.environ["PATH"], "HOME": self.dir, "TRESOR_ADDR": self.url,
               "TRESOR_TOKEN": token, "XDG_RUNTIME_DIR": self.dir}
        proc = subprocess.run([TRESOR, *args], capture_output=True, env=env, timeout=60,
                              cwd=self.dir, input=stdin,
                              stdin=subprocess.DEVNULL if stdin is None else None)
        self.assertEqual(proc.returncode, code, proc.stderr.decode())
        return proc

    def read(self):
        with open(self.conf) as f:
            return f.read()

    def seal(self):
        self.tresor(ROOT, "seal", "--in-place", self.conf)
        data = self.read()
        self.assertNotIn("alpha-secret", data)
        self.assertNotIn("bravo-secret", data)
        self.assertIn("backend_a=tresor:backend_a", data)  # the header lists the server keys
        return data

    def test_each_host_reads_its_backend_and_not_the_other(self):
        self.seal()
        for host, other, mine in (("backend_a", "backend_b", "alpha-secret"),
                                  ("backend_b", "backend_a", "bravo-secret")):
            token = self.tokens[host]
            got = self.tresor(token, "get", self.conf, f"{host}.hpe3par_password").stdout
            self.assertEqual(got, mine.encode() + b"\n")
            rendered = self.tresor(token, "render", self.conf).stdout.decode()
            expected = CINDER.replace(f"hpe3par_password = {'bravo' if host == 'backend_a' else 'alpha'}-secret\n", "")
            self.assertEqual(rendered, expected)
            ran = self.tresor(token, "run", "-f", self.conf, "--", "sh", "-c",
                              f'echo "${{{host.upper()}_HPE3PAR_PASSWORD}}|'
                              f'${{{other.upper()}_HPE3PAR_PASSWORD-absent}}"').stdout
            self.assertEqual(ran, f"{mine}|absent\n".encode())
            refused = self.tresor(token, "get", self.conf, f"{other}.hpe3par_password",
                                  code=EXIT_NO_MATCH).stderr.decode()
            self.assertIn(f"{other}.hpe3par_password: in group {other}, which no identity opens",
                          refused)
            # Unsealing the whole file needs every group, and says why the
            # server did not open the others.
            whole = self.tresor(token, "unseal", self.conf, code=EXIT_NO_MATCH).stderr.decode()
            self.assertIn("unseal needs every group", whole)
        # Ops' token opens nothing but the default group (no password there):
        # every value is absent, yet the file opens.
        self.assertEqual(self.tresor(self.tokens["ops"], "get", self.conf,
                                     "backend_a.san_login").stdout, b"admin\n")

    def test_unseal_one_group_then_delete_the_other_key_on_the_server(self):
        sealed = self.seal()
        self.tresor(self.tokens["backend_a"], "unseal", "--group", "backend_a", "--in-place",
                    self.conf)
        data = self.read()
        self.assertIn("hpe3par_password = alpha-secret\n", data)  # back in plaintext
        self.assertNotIn("bravo-secret", data)
        self.assertNotIn("backend_a=tresor:backend_a", data)  # the group left the header
        # backend_b's token and MAC are untouched.
        b_line = [line for line in sealed.splitlines() if "tresor:v1:backend_b" in line]
        self.assertEqual([line for line in data.splitlines() if "tresor:v1:backend_b" in line],
                         b_line)
        self.assertEqual(self.tresor(self.tokens["backend_b"], "get", self.conf,
                                     "backend_b.hpe3par_password").stdout, b"bravo-secret\n")
        # The operator deletes backend_b's key on the server: no host can
        # open that group any more.
        deleted = self.tresor(ROOT, "key", "delete", "--server", "backend_b", "--yes")
        self.assertEqual(deleted.stdout, b"transit key backend_b: deleted\n")
        gone = self.tresor(self.tokens["backend_b"], "get", self.conf,
                           "backend_b.hpe3par_password", code=EXIT_NO_MATCH).stderr.decode()
        self.assertEqual(gone, f"tresor: error: {self.conf}: no identity opens the data key of "
                         "group default, backend_b; the server did not open it (tresor:ops: "
                         "transit/decrypt/ops: 403: permission denied; tresor:backend_b: "
                         "transit/decrypt/backend_b: 400: encryption key not found)\n")
        self.root.secrets.transit.create_key("backend_b")  # for the other test's setUp order

    def test_a_whole_file_encrypted_to_a_server_key(self):
        plain = os.path.join(self.dir, "notes.txt")
        with open(plain, "w") as f:
            f.write("for backend a only\n")
        sealed = plain + ".age"
        self.tresor(ROOT, "encrypt", "-r", "tresor:backend_a", "-o", sealed, plain)
        got = self.tresor(self.tokens["backend_a"], "decrypt", sealed).stdout
        self.assertEqual(got, b"for backend a only\n")
        refused = self.tresor(self.tokens["backend_b"], "decrypt", sealed,
                              code=EXIT_NO_MATCH).stderr.decode()
        self.assertIn("the server did not open it (tresor:backend_a: transit/decrypt/backend_a: "
                      "403: permission denied)", refused)

    def test_the_agent_holds_a_hosts_token(self):
        # login --agent: the token only in the agent's memory, none in the
        # environment or on disk; get, render and kv use it until the agent
        # is locked.
        self.seal()
        self.tresor("", "agent", "start")
        self.addCleanup(self.tresor, "", "agent", "stop")
        login = self.tresor("", "login", "--agent", "--method", "token",
                            stdin=self.tokens["backend_a"].encode() + b"\n")
        self.assertRegex(login.stderr.decode(), r"^tresor: logged in as token \S+ \(policies "
                         r"default,host-backend_a\); token held by the agent, for "
                         + re.escape(self.url) + "\n$")
        self.assertFalse(os.path.exists(os.path.join(self.dir, ".tresor-token")))
        status = json.loads(self.tresor("", "agent", "status", "--json").stdout)
        self.assertEqual((status["identities"], status["tokens"]), (0, 1))
        self.assertEqual(self.tresor("", "get", self.conf, "backend_a.hpe3par_password").stdout,
                         b"alpha-secret\n")
        # The CLI's own server commands take it too (and are refused what the
        # token may not do).
        denied = self.tresor("", "kv", "get", "anything", code=1).stderr.decode()
        self.assertEqual(denied, "tresor: error: secret/data/anything: 403: permission denied\n")
        self.tresor("", "agent", "lock")
        gone = self.tresor("", "get", self.conf, "backend_a.hpe3par_password",
                           code=EXIT_NO_MATCH).stderr.decode()
        self.assertIn("no identity opens", gone)

    def test_a_host_whose_token_may_not_decrypt_is_told_why(self):
        self.seal()
        denied = self.tresor(self.tokens["backend_a"], "unseal", "--group", "backend_b",
                             self.conf, code=EXIT_NO_MATCH).stderr.decode()
        self.assertIn("no identity opens the data key of group backend_b", denied)
        outsider = self.root.auth.token.create(policies=["default"])["auth"]["client_token"]
        nothing = self.tresor(outsider, "render", self.conf, code=EXIT_NO_MATCH).stderr.decode()
        self.assertIn("transit/decrypt/backend_a: 403: permission denied", nothing)


if __name__ == "__main__":
    unittest.main()
