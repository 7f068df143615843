"""tresor against the real age binary, in both directions."""
import os
import unittest

from tresor_testlib import TempDirTest, run, run_with_tty, tresor, sha256, TRESOR

SIZES = {
    "empty": 0,
    "one_byte": 1,
    "exactly_64k": 64 * 1024,
    "64k_plus_one": 64 * 1024 + 1,
    "100_mib": 100 * 1024 * 1024,
}


class X25519Interop(TempDirTest):
    def setUp(self):
        super().setUp()
        self.key, self.recipient = self.keygen("key.txt")

    def check_sizes(self, armor):
        flags = ["-a"] if armor else []
        for label, size in SIZES.items():
            with self.subTest(size=label):
                plain = self.write("plain", os.urandom(size))
                # tresor -> age
                tresor("encrypt", *flags, "-r", self.recipient, "-o", self.path("t.age"), plain,
                       check=True)
                out = run(["age", "-d", "-i", self.key, self.path("t.age")], check=True).stdout
                self.assertEqual(sha256(out), sha256(self.read("plain")))
                # age -> tresor
                run(["age", *flags, "-r", self.recipient, "-o", self.path("a.age"), plain],
                    check=True)
                out = tresor("decrypt", "-i", self.key, self.path("a.age"), check=True).stdout
                self.assertEqual(sha256(out), sha256(self.read("plain")))

    def test_binary_all_sizes_both_directions(self):
        self.check_sizes(armor=False)

    def test_armored_all_sizes_both_directions(self):
        self.check_sizes(armor=True)

    def test_several_recipients_both_directions(self):
        key2, rcpt2 = self.keygen("key2.txt")
        key3, rcpt3 = self.keygen("key3.txt")
        plain = os.urandom(200_000)
        enc = tresor("encrypt", "-r", self.recipient, "-r", rcpt2, "-r", rcpt3, stdin=plain,
                     check=True).stdout
        for key in (self.key, key2, key3):
            self.assertEqual(run(["age", "-d", "-i", key], stdin=enc, check=True).stdout, plain)
        enc = run(["age", "-r", self.recipient, "-r", rcpt2, "-r", rcpt3], stdin=plain,
                  check=True).stdout
        for key in (self.key, key2, key3):
            self.assertEqual(tresor("decrypt", "-i", key, stdin=enc, check=True).stdout, plain)

    def test_recipients_file_and_identity_flag_on_encrypt(self):
        _, rcpt2 = self.keygen("key2.txt")
        rfile = self.write("recipients.txt", f"# team\n{self.recipient}\n\n{rcpt2}\n")
        enc = tresor("encrypt", "-R", rfile, stdin=b"x", check=True).stdout
        self.assertEqual(run(["age", "-d", "-i", self.key], stdin=enc, check=True).stdout, b"x")
        enc = tresor("encrypt", "-i", self.key, stdin=b"y", check=True).stdout
        self.assertEqual(run(["age", "-d", "-i", self.key], stdin=enc, check=True).stdout, b"y")


class KeyFileInterop(TempDirTest):
    def test_tresor_keygen_file_works_with_age(self):
        key = self.path("k.txt")
        proc = tresor("keygen", "-o", key, check=True)
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        lines = self.read("k.txt").decode().splitlines()
        self.assertRegex(lines[0], r"^# created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertRegex(lines[1], r"^# public key: age1[02-9ac-hj-np-z]{58}$")
        self.assertRegex(lines[2], r"^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$")
        recipient = lines[1].removeprefix("# public key: ")
        self.assertEqual(proc.stderr.decode(), f"Public key: {recipient}\n")
        self.assertEqual(run(["age-keygen", "-y", key], check=True).stdout.decode().strip(),
                         recipient)
        self.assertEqual(tresor("keygen", "-y", key, check=True).stdout.decode().strip(),
                         recipient)
        enc = run(["age", "-r", recipient], stdin=b"secret", check=True).stdout
        self.assertEqual(tresor("decrypt", "-i", key, stdin=enc, check=True).stdout, b"secret")
        enc = tresor("encrypt", "-r", recipient, stdin=b"secret", check=True).stdout
        self.assertEqual(run(["age", "-d", "-i", key], stdin=enc, check=True).stdout, b"secret")

    def test_age_keygen_file_works_with_tresor(self):
        key, recipient = self.keygen("k.txt")
        self.assertEqual(tresor("keygen", "-y", key, check=True).stdout.decode(), recipient + "\n")

    def test_passphrase_protected_tresor_identity_opens_in_age(self):
        pw = self.write("pw", "correct horse\n", 0o600)
        key = self.path("k.age")
        tresor("keygen", "--passphrase", "--passphrase-file", pw, "--work-factor", "12",
               "-o", key, check=True)
        self.assertTrue(self.read("k.age").startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n"))
        recipient = tresor("keygen", "-y", "--passphrase-file", pw, key, check=True).stdout
        recipient = recipient.decode().strip()
        enc = self.write("m.age", tresor("encrypt", "-r", recipient, stdin=b"hi",
                                         check=True).stdout)
        code, text = run_with_tty(["age", "-d", "-i", key, "-o", self.path("m.txt"), enc],
                                  ["correct horse"])
        self.assertEqual(code, 0, text)
        self.assertEqual(self.read("m.txt"), b"hi")

    def test_passphrase_protected_age_identity_opens_in_tresor(self):
        key, recipient = self.keygen("k.txt")
        code, text = run_with_tty(["age", "-p", "-a", "-o", self.path("k.age"), key],
                                  ["tr0ub4dor", "tr0ub4dor"])
        self.assertEqual(code, 0, text)
        pw = self.write("pw", "tr0ub4dor\n", 0o600)
        enc = run(["age", "-r", recipient], stdin=b"data", check=True).stdout
        out = tresor("decrypt", "-i", self.path("k.age"), "--passphrase-file", pw, stdin=enc,
                     check=True)
        self.assertEqual(out.stdout, b"data")


class PassphraseInterop(TempDirTest):
    def test_tresor_passphrase_file_opens_in_age(self):
        pw = self.write("pw", "hunter2\n", 0o600)
        plain = os.urandom(70_000)
        for flags in ([], ["-a"]):
            with self.subTest(flags=flags):
                enc = self.write("t.age", tresor("encrypt", "-p", *flags, "--passphrase-file", pw,
                                                 stdin=plain, check=True).stdout)
                code, text = run_with_tty(["age", "-d", "-o", self.path("out"), enc], ["hunter2"])
                self.assertEqual(code, 0, text)
                self.assertEqual(self.read("out"), plain)

    def test_age_passphrase_file_opens_in_tresor(self):
        plain = self.write("plain", os.urandom(70_000))
        code, text = run_with_tty(["age", "-p", "-o", self.path("a.age"), plain],
                                  ["hunter2", "hunter2"])
        self.assertEqual(code, 0, text)
        pw = self.write("pw", "hunter2\n", 0o600)
        out = tresor("decrypt", "--passphrase-file", pw, self.path("a.age"), check=True).stdout
        self.assertEqual(out, self.read("plain"))

    def test_tresor_prompts_on_the_terminal_without_echo(self):
        code, text = run_with_tty(["age", "-p", "-o", self.path("a.age"), self.write("p", "typed")],
                                  ["s3cret", "s3cret"])
        self.assertEqual(code, 0, text)
        code, text = run_with_tty([TRESOR, "decrypt", "-o", self.path("out"), self.path("a.age")],
                                  ["s3cret"])
        self.assertEqual(code, 0, text)
        self.assertIn("Enter passphrase: ", text)
        self.assertNotIn("s3cret", text)  # not echoed
        self.assertEqual(self.read("out"), b"typed")

if __name__ == "__main__":
    unittest.main()
