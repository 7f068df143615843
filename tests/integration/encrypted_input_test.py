"""Values encrypted for the server: its age recipient (public, kept across
restarts), ciphertexts made by `tresor kv encrypt-value`, `tresor encrypt`
and the real `age` binary written with `kv put --encrypted` by a writer who
cannot read them back; ciphertexts that do not open are refused with the
reason and nothing is stored."""
import base64
import os
import re
import subprocess

import hvac
import requests

from persistence_test import TRESOR, TempDirTest, init_and_unseal


class EncryptedInputTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.srv = self.server().start()
        self.client, self.made = init_and_unseal(self.srv)
        self.root = self.made["root_token"]
        self.client.sys.create_or_update_policy(
            "writer", 'path "secret/data/workloads/*" { capabilities = ["create", "update"] }\n')
        self.writer = self.client.auth.token.create(policies=["writer"])["auth"]["client_token"]
        self.addCleanup(self.client.adapter.close)

    def tresor(self, *args, token=None, stdin=None, code=0):
        out = self.srv.cli(*args, token=token, stdin=stdin)
        self.assertEqual(out.returncode, code, out.stderr)
        return out

    def recipient(self):
        return self.tresor("operator", "recipient").stdout.strip()

    def file(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def age(self, *args, data=b""):
        return subprocess.run(["age", *args], input=data, capture_output=True, check=True).stdout

    def test_the_recipient_is_public_and_kept_across_restarts(self):
        recipient = self.recipient()
        self.assertRegex(recipient, r"^age1[0-9a-z]{58}$")
        raw = requests.get(self.srv.url + "/v1/sys/tresor/recipient", timeout=30)  # no token
        self.assertEqual(raw.json()["data"], {"recipient": recipient})
        self.assertEqual(self.tresor("operator", "recipient", "--json").stdout,
                         f'{{\n  "recipient": "{recipient}"\n}}\n')
        self.srv.stop()
        self.srv = self.server().start()
        self.assertEqual(self.srv.state, "state: sealed (run tresor operator unseal)")
        sealed = requests.get(self.srv.url + "/v1/sys/tresor/recipient", timeout=30)
        self.assertEqual((sealed.status_code, sealed.json()), (503, {"errors": ["Vault is sealed"]}))
        hvac.Client(url=self.srv.url).sys.submit_unseal_keys(self.made["keys"])
        self.assertEqual(self.recipient(), recipient)
        # The identity is stored sealed, like every record.
        with open(os.path.join(self.srv.data, "tresor.db"), "rb") as f:
            self.assertNotIn(b"AGE-SECRET-KEY", f.read())

    def test_ciphertexts_from_every_tool_register_and_the_writer_cannot_read(self):
        recipient = self.recipient()
        line = self.tresor("kv", "encrypt-value", stdin="from-encrypt-value\n").stdout
        self.assertRegex(line, r"^YWdlLWVuY3J5cHRpb24ub3JnL3Yx[A-Za-z0-9+/=]+\n$")
        offline = self.tresor("kv", "encrypt-value", "-r", recipient, stdin="offline").stdout
        binary = self.file("v.age", self.age("-r", recipient, data=b"from-age"))
        armored = self.file("v.asc", self.age("-a", "-r", recipient, data=b"armored\nlines"))
        by_tresor = os.path.join(self.dir, "t.age")
        self.tresor("encrypt", "-r", recipient, "-o", by_tresor, stdin="from-tresor")
        out = self.tresor("kv", "put", "--encrypted", "workloads/api", f"a={line.strip()}",
                          f"b=@{binary}", f"c=@{armored}", f"d=@{by_tresor}",
                          f"e={offline.strip()}", token=self.writer)
        self.assertEqual(out.stdout, "secret/workloads/api: version 1\n")
        denied = self.tresor("kv", "get", "workloads/api", token=self.writer, code=1)
        self.assertEqual(denied.stderr,
                         "tresor: error: secret/data/workloads/api: 403: permission denied\n")
        self.assertEqual(
            self.client.secrets.kv.v2.read_secret_version("workloads/api")["data"]["data"],
            {"a": "from-encrypt-value", "b": "from-age", "c": "armored\nlines",
             "d": "from-tresor", "e": "offline"})
        # The API form: the header, the ciphertext as a string (KV v1 too).
        self.client.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
        r = requests.post(self.srv.url + "/v1/kv1/app",
                          headers={"X-Vault-Token": self.root, "X-Tresor-Encrypted": "true"},
                          json={"k": base64.b64encode(self.age("-r", recipient,
                                                               data=b"v1")).decode()},
                          timeout=30)
        self.assertEqual(r.status_code, 204, r.text)
        self.assertEqual(self.client.secrets.kv.v1.read_secret("app", mount_point="kv1")["data"],
                         {"k": "v1"})

    def test_what_does_not_open_is_refused_and_nothing_is_stored(self):
        recipient = self.recipient()
        stranger = subprocess.run(["age-keygen"], capture_output=True, text=True,
                                  check=True).stdout
        other = re.search(r"age1[0-9a-z]+", stranger).group(0)
        good = self.age("-r", recipient, data=b"value")
        tampered = bytearray(good)
        tampered[-1] ^= 1
        cases = [
            ("other.age", self.age("-r", other, data=b"value"),
             f"field pw: not encrypted to this server (its recipient is {recipient})"),
            ("tampered.age", bytes(tampered),
             "field pw: does not open: payload: chunk 0: authentication failed (data truncated "
             "or modified)"),
            ("short.age", good[:60],
             "field pw: does not open: header: line 2: file ends inside the header"),
            ("plain.txt", b"just text",
             "field pw: not an age ciphertext (an armored age file, or the base64 of one on "
             "one line)"),
            ("binary-plaintext.age", self.age("-r", recipient, data=b"\xff\xfe"),
             "field pw: the decrypted value is not UTF-8 text"),
        ]
        for name, data, message in cases:
            with self.subTest(name):
                path = self.file(name, data)
                out = self.tresor("kv", "put", "--encrypted", "workloads/bad", "ok=@" + path,
                                  "pw=@" + path, token=self.writer, code=2)
                self.assertEqual(out.stderr, "tresor: error: secret/data/workloads/bad: 400: "
                                             + message.replace("field pw", "field ok") + "\n")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.client.secrets.kv.v2.read_secret_metadata("workloads/bad")
        for headers, message in (
                ({"X-Tresor-Encrypted": "yes"}, 'X-Tresor-Encrypted: "yes": expected true'),
                ({"X-Tresor-Encrypted": "true", "X-Vault-Request": "true"}, None)):
            r = requests.get(self.srv.url + "/v1/secret/data/workloads/bad",
                             headers={"X-Vault-Token": self.root, **headers}, timeout=30)
            self.assertEqual(r.status_code, 400)
            self.assertEqual(r.json()["errors"], [
                message or "X-Tresor-Encrypted: only a KV write (KV v2 data/, KV v1) takes "
                           "values encrypted to the server"])
