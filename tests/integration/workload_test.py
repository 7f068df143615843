"""Workloads end to end: secrets registered from ciphertexts only the
server opens, a policy that reads exactly them, an AppRole role; the
workload started as a service manager starts it (setsid, stdin from
/dev/null) logs in with its role ID and secret ID files and receives the
values; list, show and delete."""
import json
import os
import re
import shutil
import subprocess
import tempfile

import hvac

from server_test import ROOT, TRESOR, ServerTestCase

EXIT_REFUSED, EXIT_USAGE, EXIT_NOT_FOUND = 1, 2, 6


class WorkloadTest(ServerTestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tresor-workload-")
        os.chmod(self.dir, 0o700)
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.env = {"PATH": os.environ["PATH"], "HOME": self.dir, "TRESOR_ADDR": self.url,
                    "TRESOR_TOKEN": ROOT}

    def path(self, name):
        return os.path.join(self.dir, name)

    def tresor(self, *args, code=0, env=None, stdin=None):
        proc = subprocess.run([TRESOR, *args], capture_output=True, text=True, input=stdin,
                              env=env or self.env, timeout=60, cwd=self.dir)
        self.assertEqual(proc.returncode, code, proc.stderr)
        return proc

    def ciphertexts(self):
        """DB_PASSWORD from tresor kv encrypt-value, API_KEY from the age binary."""
        with open(self.path("db.b64"), "w") as f:
            f.write(self.tresor("kv", "encrypt-value", stdin="db-pass\n").stdout)
        recipient = self.tresor("operator", "recipient").stdout.strip()
        subprocess.run(["age", "-r", recipient, "-o", self.path("api.age")], input=b"api-key",
                       check=True)
        return ["--secret", "DB_PASSWORD=@db.b64", "--secret", "API_KEY=@api.age"]

    def test_register_run_as_a_service_and_delete(self):
        out = self.tresor("workload", "register", "shop", *self.ciphertexts(), "--ttl", "1h",
                          "--role-id-file", "role_id", "--secret-id-file", "secret_id").stdout
        self.assertEqual(out, "workload shop: 2 secrets at secret/data/workloads/shop (version "
                              "1), policy workload-shop, role auth/approle/role/workload-shop\n"
                              "role_id: written to role_id\nsecret_id: written to secret_id\n")
        for name in ("role_id", "secret_id"):
            self.assertEqual(os.stat(self.path(name)).st_mode & 0o777, 0o600)
        with open(self.path("app.env"), "w") as f:
            f.write("DB=$store{secret/data/workloads/shop#DB_PASSWORD}\n"
                    "API=$store{secret/data/workloads/shop#API_KEY}\n")
        service_env = {"PATH": os.environ["PATH"], "HOME": self.dir, "TRESOR_ADDR": self.url,
                       "TRESOR_ROLE_ID_FILE": self.path("role_id"),
                       "TRESOR_SECRET_ID_FILE_ONCE": self.path("secret_id")}
        ran = subprocess.run(
            ["setsid", TRESOR, "run", "-f", "app.env", "--", "sh", "-c",
             'echo "$DB|$API|${TRESOR_ROLE_ID_FILE-none}|${TRESOR_SECRET_ID_FILE_ONCE-none}"'],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, env=service_env,
            cwd=self.dir, timeout=60)
        self.assertEqual((ran.returncode, ran.stdout, ran.stderr),
                         (0, "db-pass|api-key|none|none\n", ""))
        self.assertFalse(os.path.exists(self.path("secret_id")))  # read once, then deleted

        # Other tests share the server: the list holds theirs too.
        self.assertIn("shop", self.tresor("workload", "list").stdout.splitlines())
        self.assertEqual(self.tresor("workload", "show", "shop").stdout,
                         "secrets: secret/data/workloads/shop (version 1): API_KEY, DB_PASSWORD\n"
                         "policy: workload-shop\nrole: auth/approle/role/workload-shop\n")
        shown = json.loads(self.tresor("workload", "show", "shop", "--json").stdout)
        self.assertEqual(shown, {"name": "shop", "secrets": "secret/data/workloads/shop",
                                 "keys": ["API_KEY", "DB_PASSWORD"], "version": 1,
                                 "policy": "workload-shop",
                                 "role": "auth/approle/role/workload-shop", "token_ttl": 3600})
        err = self.tresor("workload", "delete", "shop", code=EXIT_USAGE).stderr
        self.assertEqual(err, "tresor: error: workload delete shop: confirm with --yes (stdin is "
                              "not a terminal)\n")
        self.assertEqual(self.tresor("workload", "delete", "shop", "--yes").stdout,
                         "workload shop: deleted (secrets, policy workload-shop, role)\n")
        self.assertNotIn("shop", self.tresor("workload", "list").stdout.splitlines())
        self.assertNotIn("workload-shop", self.tresor("policy", "list").stdout)
        err = self.tresor("workload", "show", "shop", code=EXIT_NOT_FOUND).stderr
        self.assertEqual(err, "tresor: error: secret/metadata/workloads/shop: 404: not found\n")

    def test_the_workload_reads_exactly_its_secrets(self):
        out = json.loads(self.tresor("workload", "register", "api", *self.ciphertexts(),
                                     "--json").stdout)
        self.assertEqual(sorted(out), ["name", "policy", "role", "role_id", "secret_id",
                                       "secrets", "version"])
        admin = hvac.Client(url=self.url, token=ROOT)
        self.addCleanup(admin.adapter.close)
        admin.secrets.kv.v2.create_or_update_secret("workloads/other", {"k": "v"})
        app = hvac.Client(url=self.url)
        self.addCleanup(app.adapter.close)
        app.auth.approle.login(out["role_id"], out["secret_id"])
        self.assertEqual(app.secrets.kv.v2.read_secret_version("workloads/api")["data"]["data"],
                         {"API_KEY": "api-key", "DB_PASSWORD": "db-pass"})
        for denied in (lambda: app.secrets.kv.v2.read_secret_version("workloads/other"),
                       lambda: app.secrets.kv.v2.create_or_update_secret("workloads/api",
                                                                         {"x": "y"}),
                       lambda: app.secrets.kv.v2.read_secret_metadata("workloads/api"),
                       lambda: app.sys.list_policies()):
            with self.assertRaises(hvac.exceptions.Forbidden):
                denied()

    def test_bad_input_creates_nothing(self):
        err = self.tresor("workload", "register", "x", code=EXIT_USAGE).stderr
        self.assertEqual(err, "tresor: error: give the workload's secrets: --secret "
                              "KEY=@value.age (encrypted with tresor kv encrypt-value or to "
                              "tresor operator recipient)\n")
        err = self.tresor("workload", "register", "a/b", "--secret", "K=x", code=EXIT_USAGE).stderr
        self.assertEqual(err, "tresor: error: workload name \"a/b\": letters, digits, '-', '_' "
                              "and '.' only, at most 100\n")
        stranger = subprocess.run(["age-keygen"], capture_output=True, text=True,
                                  check=True).stdout
        other = re.search(r"age1[0-9a-z]+", stranger).group(0)
        subprocess.run(["age", "-r", other, "-o", self.path("other.age")], input=b"x",
                       check=True)
        err = self.tresor("workload", "register", "bad", "--secret", "K=@other.age",
                          code=EXIT_USAGE).stderr
        self.assertTrue(err.startswith("tresor: error: secret/data/workloads/bad: 400: field K: "
                                       "not encrypted to this server"), err)
        self.assertNotIn("workload-bad", self.tresor("policy", "list").stdout)
        self.assertNotIn("bad", self.tresor("workload", "list").stdout.splitlines())

    def test_a_secret_id_file_others_can_read_is_refused(self):
        out = json.loads(self.tresor("workload", "register", "loose", *self.ciphertexts(),
                                     "--json").stdout)
        with open(self.path("role_id"), "w") as f:
            f.write(out["role_id"] + "\n")
        with open(self.path("secret_id"), "w") as f:
            f.write(out["secret_id"] + "\n")
        os.chmod(self.path("secret_id"), 0o644)
        with open(self.path("t.tmpl"), "w") as f:
            f.write("$store{secret/data/workloads/loose#API_KEY}\n")
        env = {"PATH": os.environ["PATH"], "HOME": self.dir, "TRESOR_ADDR": self.url}
        err = self.tresor("render", "t.tmpl", "--role-id-file", "role_id", "--secret-id-file",
                          "secret_id", env=env, code=EXIT_REFUSED).stderr
        self.assertEqual(err, "tresor: error: t.tmpl:1: $store{secret/data/workloads/loose#"
                              "API_KEY}: secret_id: secret ID file is accessible by group or "
                              "others (mode 0644); chmod 600 it\n")
        os.chmod(self.path("secret_id"), 0o600)
        self.assertEqual(self.tresor("render", "t.tmpl", "--role-id-file", "role_id",
                                     "--secret-id-file", "secret_id", env=env).stdout,
                         "api-key\n")
        self.assertTrue(os.path.exists(self.path("secret_id")))  # not --secret-id-file-once
