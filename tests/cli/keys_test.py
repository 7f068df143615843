"""Named keys, the key-discovery order, `tresor keys`, and password files
for daemons (--passphrase-file, --passphrase-file-once)."""
import json
import os
import stat

from tresor_testlib import TRESOR, TempDirTest, run, run_with_tty


class KeysTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.keyring = self.path("keys")
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("TRESOR_IDENTITY", "TRESOR_IDENTITY_FILE")}
        self.env.update(TRESOR_KEYRING_DIR=self.keyring,
                        TRESOR_AGENT_SOCK=self.path("no-agent/agent.sock"))
        self.write("plain.txt", "payload\n")

    def tresor(self, *args, env=None, code=0):
        proc = run([TRESOR, *args], env=env or self.env)
        self.assertEqual(proc.returncode, code, proc.stderr.decode())
        return proc

    def test_named_keys_and_the_default_key(self):
        prod = self.tresor("key", "new", "prod").stdout.decode().strip()
        self.assertTrue(prod.startswith("age1"))
        dev = self.tresor("key", "new", "dev").stdout.decode().strip()
        self.assertEqual(oct(stat.S_IMODE(os.stat(self.keyring).st_mode)), "0o700")
        self.assertEqual(oct(stat.S_IMODE(os.stat(f"{self.keyring}/prod.key").st_mode)), "0o600")
        listed = json.loads(self.tresor("key", "list", "--json").stdout)
        self.assertEqual([(k["name"], k["recipient"], k["default"]) for k in listed],
                         [("prod", prod, True), ("dev", dev, False)])
        # No recipient option: the default key. --key: that key.
        self.tresor("encrypt", "-o", self.path("a.age"), self.path("plain.txt"))
        self.tresor("encrypt", "--key", "dev", "-o", self.path("b.age"), self.path("plain.txt"))
        # Decryption finds either in the keyring...
        for name in ("a.age", "b.age"):
            self.assertEqual(self.tresor("decrypt", self.path(name)).stdout, b"payload\n")
        # ...and --key restricts it to one.
        proc = self.tresor("decrypt", "--key", "prod", self.path("b.age"), code=4)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {self.path('b.age')}: no match: no identity matched "
                         "any of the file's 1 recipient (wrong key or passphrase?) (tried key "
                         "prod)\n")
        self.tresor("key", "default", "dev")
        self.assertEqual(self.tresor("key", "list").stdout.decode(),
                         f"dev                  {dev}  default\nprod                 {prod}\n")
        # Sealed files: seal to a key by name, read with it.
        self.write("app.env", "TOKEN=abc123\n")
        self.tresor("seal", "--key", "prod", "--in-place", self.path("app.env"))
        self.assertNotIn(b"abc123", self.read("app.env"))
        self.assertEqual(self.tresor("get", "--key", "prod", self.path("app.env"), "TOKEN").stdout,
                         b"abc123\n")
        # A private key is destroyed only when the user says so.
        proc = self.tresor("key", "delete", "prod", code=2)
        self.assertEqual(proc.stderr.decode(), "tresor: error: key delete prod: confirm with "
                         "--yes (stdin is not a terminal)\n")
        self.assertTrue(os.path.exists(f"{self.keyring}/prod.key"))
        self.tresor("key", "delete", "--yes", "prod")
        proc = self.tresor("get", "--key", "prod", self.path("app.env"), "TOKEN", code=6)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: no key named \"prod\" in {self.keyring}\n")
        proc = self.tresor("key", "new", "../evil", code=2)
        self.assertEqual(proc.stderr.decode(),
                         "tresor: error: bad key name \"../evil\": letters, digits, '.', '_' and "
                         "'-', not starting with '.'\n")
        proc = self.tresor("key", "new", "dev", code=1)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {self.keyring}/dev.key: already "
                                               "exists\n")

    def test_import_of_a_protected_key_asks_its_passphrase_once(self):
        self.write("pw", "hunter22\n", 0o600)
        self.tresor("keygen", "--passphrase", "--passphrase-file", self.path("pw"),
                    "-o", self.path("id.age"))
        recipient = self.tresor("key", "import", "backend_a", self.path("id.age"),
                                "--passphrase-file", self.path("pw")).stdout.decode().strip()
        self.assertEqual(self.read("id.age"), open(f"{self.keyring}/backend_a.key", "rb").read())
        listed = json.loads(self.tresor("key", "list", "--json").stdout)
        self.assertEqual((listed[0]["recipient"], listed[0]["protected"]), (recipient, True))
        self.tresor("encrypt", "-o", self.path("a.age"), self.path("plain.txt"))
        # No terminal, no passphrase: the protected key is skipped, and said so.
        proc = self.tresor("decrypt", self.path("a.age"), code=4)
        self.assertIn("tried key backend_a (", proc.stderr.decode())
        self.assertEqual(self.tresor("decrypt", "--passphrase-file", self.path("pw"),
                                     self.path("a.age")).stdout, b"payload\n")

    def test_a_passphrase_file_alone_protects_the_new_key(self):
        self.write("pw", "hunter22\n", 0o600)
        self.tresor("keygen", "--passphrase-file", self.path("pw"), "--work-factor", "10", "-o",
                    self.path("id.age"))
        self.assertTrue(self.read("id.age").startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n"))
        self.tresor("key", "new", "guarded", "--passphrase-file", self.path("pw"),
                    "--work-factor", "10")
        with open(f"{self.keyring}/guarded.key", "rb") as f:
            self.assertTrue(f.read().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n"))
        listed = json.loads(self.tresor("key", "list", "--json").stdout)
        self.assertEqual([(k["name"], k["protected"]) for k in listed], [("guarded", True)])

    def test_discovery_order_and_keys_listing(self):
        inline_path, inline_r = self.keygen("inline.txt")
        file_path, file_r = self.keygen("file.txt")
        ring_r = self.tresor("key", "new", "ring").stdout.decode().strip()
        env = dict(self.env, TRESOR_IDENTITY=open(inline_path).read(),
                   TRESOR_IDENTITY_FILE=file_path)
        rows = json.loads(self.tresor("keys", "--json", env=env).stdout)
        self.assertEqual(rows, [
            {"source": "TRESOR_IDENTITY", "where": "", "recipient": inline_r, "state": "ready"},
            {"source": "TRESOR_IDENTITY_FILE", "where": file_path, "recipient": file_r,
             "state": "ready"},
            {"source": "agent", "where": self.path("no-agent/agent.sock"), "recipient": "",
             "state": "not running"},
            {"source": "keyring", "where": "ring (default)", "recipient": ring_r,
             "state": "ready"},
        ])
        rows = json.loads(self.tresor("keys", "--json", "-i", file_path, env=env).stdout)
        self.assertEqual([r["source"] for r in rows], ["-i"])
        # Each source decrypts a file meant for it.
        for recipient in (inline_r, file_r, ring_r):
            enc = self.path(recipient[-8:] + ".age")
            self.tresor("encrypt", "-r", recipient, "-o", enc, self.path("plain.txt"))
            self.assertEqual(self.tresor("decrypt", enc, env=env).stdout, b"payload\n")
        proc = self.tresor("decrypt", self.path(inline_r[-8:] + ".age"), code=4)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {self.path(inline_r[-8:] + '.age')}: no match: no "
                         "identity matched any of the file's 1 recipient (wrong key or "
                         "passphrase?) (tried key ring)\n")
        bad = dict(self.env, TRESOR_IDENTITY="AGE-SECRET-KEY-1NOPE")
        proc = self.tresor("decrypt", self.path(inline_r[-8:] + ".age"), env=bad, code=2)
        self.assertEqual(proc.stderr.decode(),
                         "tresor: error: TRESOR_IDENTITY: line 1: not an age identity (expected "
                         "AGE-SECRET-KEY-1...)\n")

    def test_no_key_anywhere_says_where_to_get_one(self):
        _, recipient = self.keygen("k.txt")
        self.tresor("encrypt", "-r", recipient, "-o", self.path("a.age"), self.path("plain.txt"))
        proc = self.tresor("decrypt", self.path("a.age"), code=4)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {self.path('a.age')}: no match: no identity matched any "
                         "of the file's 1 recipient (wrong key or passphrase?) (no key found: use "
                         "-i FILE, set TRESOR_IDENTITY_FILE, start the agent and add one (tresor "
                         "agent add FILE), or make one (tresor key new NAME))\n")

    def test_only_the_protected_keys_a_sealed_file_names_are_asked_for(self):
        self.write("pw", "right one\n", 0o600)
        for name in ("a", "b"):
            self.tresor("key", "new", name, "--passphrase-file", self.path("pw"),
                        "--work-factor", "10")
        with open(f"{self.keyring}/b.pub") as f:
            b = f.read().strip()
        self.write("app.env", "TOKEN=abc\n")
        self.tresor("seal", "-r", b, "--in-place", self.path("app.env"))
        env = [f"{k}={v}" for k, v in self.env.items()]
        code, text = run_with_tty(["env", "-i", *env, TRESOR, "get", self.path("app.env"),
                                   "TOKEN"], ["right one"])
        self.assertEqual(code, 0, text)
        self.assertEqual(text.lower().count("passphrase"), 1, text)  # b's only, not a's
        self.assertIn(f"identity file \"{self.keyring}/b.key\"", text)
        self.assertTrue(text.rstrip().endswith("abc"), text)
        self.write("wrong", "not it\n", 0o600)
        proc = self.tresor("get", "--passphrase-file", self.path("wrong"), self.path("app.env"),
                           "TOKEN", code=4)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {self.path('app.env')}: no identity opens the data key "
                         "of group default (tried key b (wrong passphrase), key a "
                         "(passphrase-protected, and not a recipient of the file))\n")

    def test_under_cron_the_error_says_where_the_agent_was_looked_for(self):
        _, recipient = self.keygen("k.txt")
        self.tresor("encrypt", "-r", recipient, "-o", self.path("a.age"), self.path("plain.txt"))
        cron = {k: v for k, v in self.env.items()
                if k not in ("TRESOR_AGENT_SOCK", "XDG_RUNTIME_DIR")}
        proc = self.tresor("decrypt", self.path("a.age"), env=cron, code=4)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {self.path('a.age')}: no match: no identity matched any "
                         "of the file's 1 recipient (wrong key or passphrase?) (no key found: use "
                         "-i FILE, set TRESOR_IDENTITY_FILE, start the agent and add one (tresor "
                         "agent add FILE), or make one (tresor key new NAME)); no agent at "
                         f"/tmp/tresor-{os.geteuid()}/agent.sock: XDG_RUNTIME_DIR is not set (as "
                         "under cron), so an agent started in a login session is not found there; "
                         "set TRESOR_AGENT_SOCK to its socket (tresor agent status prints it), or "
                         "unlock a key into an agent started with TRESOR_AGENT_SOCK set (tresor "
                         "agent unlock KEY)\n")

    def test_passphrase_file_once_is_deleted_even_on_failure(self):
        self.write("pw", "right one\n", 0o600)
        self.tresor("encrypt", "-p", "--passphrase-file", self.path("pw"), "-o",
                    self.path("a.age"), self.path("plain.txt"))
        self.write("once", "right one\n", 0o600)
        self.assertEqual(self.tresor("decrypt", "--passphrase-file-once", self.path("once"),
                                     self.path("a.age")).stdout, b"payload\n")
        self.assertFalse(os.path.exists(self.path("once")))
        self.write("once", "wrong one\n", 0o600)
        proc = self.tresor("decrypt", "--passphrase-file-once", self.path("once"),
                           self.path("a.age"), code=4)
        self.assertIn("no match", proc.stderr.decode())
        self.assertFalse(os.path.exists(self.path("once")))
        # Readable by others: refused, and still deleted.
        self.write("once", "right one\n", 0o644)
        proc = self.tresor("decrypt", "--passphrase-file-once", self.path("once"),
                           self.path("a.age"), code=1)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {self.path('once')}: passphrase file is accessible by "
                         "group or others (mode 0644); chmod 600 it\n")
        self.assertFalse(os.path.exists(self.path("once")))
        self.assertEqual(proc.stdout, b"")
        # A bad command line after it: still deleted.
        self.write("once", "right one\n", 0o600)
        self.tresor("decrypt", "--passphrase-file-once", self.path("once"), "--bogus", code=2)
        self.assertFalse(os.path.exists(self.path("once")))


if __name__ == "__main__":
    import unittest
    unittest.main()
