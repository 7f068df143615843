"""age plugins (C2SP age-plugin): tresor runs age-plugin-NAME for recipients
age1NAME1... and identities AGE-PLUGIN-NAME-1..., as the real age does.
The plugin is tests/cli/plugins/age-plugin-tresortest (a Python program
speaking recipient-v1 and identity-v1); the same plugin serves age and
tresor, so files cross between them."""
import json
import os
import unittest

from tresor_testlib import TRESOR, TempDirTest, run, run_with_tty

PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins")
TOUCH = b"age-plugin-tresortest: touch the test key\n"


class PluginTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.env = dict(os.environ, PATH=PLUGINS + os.pathsep + os.environ["PATH"])

    def generate(self, name, *extra):
        out = run(["age-plugin-tresortest", "--generate", *extra], env=self.env,
                  check=True).stdout.decode().split()
        return self.write(name, out[0] + "\n", 0o600), out[1]

    def tresor(self, *args, stdin=b"", env=None):
        return run([TRESOR, *args], stdin=stdin, env=env or self.env)

    def test_files_cross_between_tresor_and_age_through_one_plugin(self):
        identity, recipient = self.generate("id.txt")
        self.assertTrue(recipient.startswith("age1tresortest1"))
        by_age = self.path("by-age.age")
        run(["age", "-r", recipient, "-o", by_age], stdin=b"from age\n", env=self.env, check=True)
        proc = self.tresor("decrypt", "-i", identity, by_age)
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, b"from age\n", TOUCH))
        by_tresor = self.path("by-tresor.age")
        proc = self.tresor("encrypt", "-r", recipient, "-o", by_tresor, stdin=b"from tresor\n")
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        proc = run(["age", "-d", "-i", identity, by_tresor], env=self.env)
        self.assertEqual((proc.returncode, proc.stdout), (0, b"from tresor\n"), proc.stderr)

    def test_sealed_files_take_plugin_recipients_and_identities(self):
        identity, recipient = self.generate("id.txt")
        path = self.write("app.env", "DB_PASSWORD=hunter2\n")
        proc = self.tresor("seal", "-r", recipient, "--in-place", path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotIn(b"hunter2", self.read("app.env"))
        proc = self.tresor("get", "-i", identity, path, "DB_PASSWORD")
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, b"hunter2\n", TOUCH))

    def test_recipients_files_and_rules_take_plugin_recipients(self):
        identity, recipient = self.generate("id.txt")
        _, x25519 = self.keygen("x.txt")
        listed = self.write("team.txt", f"# the team\n{recipient}\n{x25519}\n")
        path = self.path("f.age")
        proc = self.tresor("encrypt", "-R", listed, "-o", path, stdin=b"to both\n")
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        proc = run(["age", "-d", "-i", identity, path], env=self.env)
        self.assertEqual((proc.returncode, proc.stdout), (0, b"to both\n"), proc.stderr)
        proc = run(["age", "-d", "-i", self.path("x.txt"), path], env=self.env)
        self.assertEqual((proc.returncode, proc.stdout), (0, b"to both\n"), proc.stderr)
        # A sealed file's group whose recipients are in that file.
        self.write(".tresor.toml", '[[rule]]\nrecipients_files = ["team.txt"]\n')
        sealed = self.write("app.env", "DB_PASSWORD=hunter2\n")
        proc = self.tresor("seal", "--in-place", sealed)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = self.tresor("get", "-i", identity, sealed, "DB_PASSWORD")
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, b"hunter2\n", TOUCH))
        bad = self.write("bad.txt", "age1tresortest1qqqq\n")
        proc = self.tresor("encrypt", "-R", bad, stdin=b"x")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {bad}: line 1: "
                         "not a plugin recipient (expected age1NAME1... in Bech32)\n")

    def test_keys_lists_plugin_identities_and_whether_their_plugin_is_there(self):
        identity, _ = self.generate("id.txt")
        _, x25519 = self.keygen("x.txt")
        both = self.write("both.txt", self.read("id.txt") + self.read("x.txt"), 0o600)
        proc = self.tresor("keys", "--json", "-i", both)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout), [
            {"source": "-i", "where": both, "recipient": x25519, "state": "ready"},
            {"source": "-i", "where": both, "recipient": "",
             "state": "plugin age-plugin-tresortest"}])
        proc = self.tresor("keys", "--json", "-i", identity,
                           env=dict(self.env, PATH="/usr/bin:/bin"))
        self.assertEqual(json.loads(proc.stdout), [
            {"source": "-i", "where": identity, "recipient": "",
             "state": "age-plugin-tresortest: not found in PATH"}])

    def test_a_pin_is_asked_on_the_terminal_and_a_wrong_one_is_no_match(self):
        identity, recipient = self.generate("id.txt", "--pin")
        path = self.path("pin.age")
        self.tresor("encrypt", "-r", recipient, "-o", path, stdin=b"behind a pin\n")
        code, text = run_with_tty([TRESOR, "decrypt", "-i", identity, path], ["1234"],
                                  prompt="PIN for test key", env=self.env)
        self.assertEqual(code, 0, text)
        self.assertIn("age-plugin-tresortest: PIN for test key", text)
        self.assertIn("behind a pin", text)
        code, text = run_with_tty([TRESOR, "decrypt", "-i", identity, path], ["0000"],
                                  prompt="PIN for test key", env=self.env)
        self.assertEqual(code, 4, text)
        self.assertIn("age-plugin-tresortest: wrong PIN", text)
        self.assertNotIn("behind a pin", text)

    def test_a_missing_plugin_or_a_bad_identity_says_which(self):
        identity, recipient = self.generate("id.txt")
        path = self.path("f.age")
        self.tresor("encrypt", "-r", recipient, "-o", path, stdin=b"x")
        bare = dict(self.env, PATH="/usr/bin:/bin")
        proc = self.tresor("encrypt", "-r", recipient, stdin=b"x", env=bare)
        self.assertEqual(proc.returncode, 3)
        self.assertEqual(proc.stderr, b"tresor: error: stdin: age-plugin-tresortest: not found in PATH\n")
        proc = self.tresor("decrypt", "-i", identity, path, env=bare)
        self.assertEqual(proc.returncode, 4)
        self.assertTrue(proc.stderr.startswith(
            b"age-plugin-tresortest: not found in PATH\ntresor: error: "), proc.stderr)
        bad = self.write("bad.txt", "AGE-PLUGIN-TRESORTEST-1QQQQQQ\n", 0o600)
        proc = self.tresor("decrypt", "-i", bad, path)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {bad}: not a plugin identity "
                         "(expected AGE-PLUGIN-NAME-1... in Bech32)\n")


class TresorPluginTest(TempDirTest):
    """age-plugin-tresor: age (and sops) decrypt through tresor's keys."""

    def setUp(self):
        super().setUp()
        run_dir = self.path("run")
        os.mkdir(run_dir, 0o700)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=run_dir,
                        TRESOR_KEYRING_DIR=self.path("keys"),
                        PATH=os.path.dirname(os.path.abspath(TRESOR)) + os.pathsep +
                        os.environ["PATH"])
        for name in ("TRESOR_AGENT_SOCK", "TRESOR_IDENTITY_FILE", "TRESOR_IDENTITY"):
            self.env.pop(name, None)
        self.addCleanup(run, [TRESOR, "agent", "stop"], env=self.env)

    def test_age_decrypts_through_the_agent(self):
        key, recipient = self.keygen("key.txt")
        sealed = self.path("f.age")
        run(["age", "-r", recipient, "-o", sealed], stdin=b"through the agent\n", check=True)
        proc = run(["age-plugin-tresor", "--identity"], env=self.env, check=True)
        self.assertEqual(proc.stdout, b"# tresor's keys (TRESOR_IDENTITY_FILE, the agent, the "
                         b"keyring) for age and sops\nAGE-PLUGIN-TRESOR-1WN9N55\n")
        identity = self.write("tresor-id.txt", proc.stdout)
        # No agent, no keyring: nothing opens it.
        proc = run(["age", "-d", "-i", identity, sealed], env=self.env)
        self.assertEqual(proc.returncode, 1)
        self.assertIn(b"no identity matched", proc.stderr)
        run([TRESOR, "agent", "start"], env=self.env, check=True)
        run([TRESOR, "agent", "add", key], env=self.env, check=True)
        proc = run(["age", "-d", "-i", identity, sealed], env=self.env)
        self.assertEqual((proc.returncode, proc.stdout), (0, b"through the agent\n"), proc.stderr)
        # tresor itself takes the same identity line.
        proc = run([TRESOR, "decrypt", "-i", identity, sealed], env=self.env)
        self.assertEqual((proc.returncode, proc.stdout), (0, b"through the agent\n"), proc.stderr)
        proc = run(["age-plugin-tresor", "--age-plugin=recipient-v1"], env=self.env)
        self.assertEqual((proc.returncode, proc.stderr), (1, b"age-plugin-tresor: only decrypts: "
                         b"encrypt to the key's own age1... recipient\n"))


if __name__ == "__main__":
    unittest.main()
