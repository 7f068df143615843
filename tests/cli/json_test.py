"""--json output: the shape of each command's JSON on files and keys, checked
against the real output and against docs/json.md, so neither can drift."""
import json
import os
import re

from tresor_testlib import TRESOR, TempDirTest, run

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "json.md")


def documented_fields(command):
    """The field names docs/json.md gives for `tresor COMMAND`."""
    with open(DOC) as f:
        for line in f:
            if line.startswith(f"| `tresor {command} "):
                shape = line.split(" | ")[1]
                return set(re.findall(r'"([a-z_]+)"', shape))
    raise AssertionError(f"docs/json.md has no row for tresor {command}")


def fields(value):
    """Every object key in `value`, at any depth."""
    if isinstance(value, dict):
        return set(value).union(*(fields(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(fields(v) for v in value))
    return set()


class JsonTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.env = dict(os.environ, TRESOR_KEYRING_DIR=self.path("keyring"),
                        TRESOR_AGENT_SOCK=self.path("no-agent/agent.sock"))
        self.key, self.recipient = self.keygen("key.txt")
        self.other, self.other_recipient = self.keygen("other.txt")
        self.file = self.write("app.yaml", "db:\n  user: app\n  hosts: [a, b]\n  password: pw\n")
        self.t("seal", "-r", self.recipient, "-r", self.other_recipient, "--in-place", self.file)

    def t(self, *args, code=0):
        proc = run([TRESOR, *args], env=self.env)
        self.assertEqual(proc.returncode, code, proc.stderr.decode())
        return proc

    def json_of(self, *args, code=0):
        return json.loads(self.t(*args, code=code).stdout)

    def test_get_and_render_nest_values_by_path(self):
        expected = {"db": {"user": "app", "hosts": {"[0]": "a", "[1]": "b"}, "password": "pw"}}
        self.assertEqual(self.json_of("get", "--json", "-i", self.key, self.file, "db"), expected)
        self.assertEqual(self.json_of("render", "--json", "-i", self.key, self.file), expected)

    def test_inspect(self):
        out = self.json_of("inspect", "--json", self.file)
        self.assertEqual(fields(out), documented_fields("inspect"))
        self.assertEqual((out["file"], out["format"], out["sealed"]), (self.file, "yaml", True))
        self.assertEqual(sorted(out["groups"][0]["recipients"]),
                         sorted([self.recipient, self.other_recipient]))

    def test_revoke(self):
        out = self.json_of("revoke", "--json", "-i", self.key, self.file, self.other_recipient)
        self.assertEqual(fields(out), documented_fields("revoke"))
        self.assertEqual(out, {"file": self.file, "groups": ["default"],
                               "paths": ["db.user", "db.hosts[0]", "db.hosts[1]",
                                         "db.password"]})

    def test_keys_key_list_agent_status_and_doctor(self):
        self.t("key", "new", "ops")
        listed = self.json_of("key", "list", "--json")
        self.assertEqual(fields(listed), documented_fields("key list"))
        self.assertEqual((listed[0]["name"], listed[0]["default"], listed[0]["protected"]),
                         ("ops", True, False))
        sources = self.json_of("keys", "--json")
        self.assertEqual(fields(sources), documented_fields("keys"))
        self.assertEqual([s["source"] for s in sources], ["agent", "keyring"])
        status = self.json_of("agent", "status", "--json", code=1)
        self.assertEqual(status, {"running": False, "socket": self.env["TRESOR_AGENT_SOCK"]})
        self.assertLessEqual(fields(status), documented_fields("agent status"))
        checks = self.json_of("doctor", "--json", code=0)
        self.assertEqual(fields(checks), documented_fields("doctor"))
        self.assertLessEqual({c["state"] for c in checks}, {"ok", "warn", "fail", "skip"})


if __name__ == "__main__":
    import unittest
    unittest.main()
