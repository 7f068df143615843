"""The tresor CLI as a client of the development server: kv, policy, token
and login, with exact outputs and exit codes."""
import json
import os
import shutil
import subprocess
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import hvac

from server_test import ROOT, TRESOR, ServerTestCase


class ClientTest(ServerTestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="tresor-client-")
        self.addCleanup(shutil.rmtree, self.home, True)
        self.env = {"PATH": os.environ["PATH"], "HOME": self.home, "TRESOR_ADDR": self.url,
                    "TRESOR_TOKEN": ROOT}

    def tresor(self, *args, stdin="", code=0, env=None):
        proc = subprocess.run([TRESOR, *args], input=stdin, capture_output=True, text=True,
                              env=env or self.env, timeout=60)
        self.assertEqual(proc.returncode, code, proc.stderr)
        return proc

    def test_kv_round_trip(self):
        out = self.tresor("kv", "put", "cli/db", "password=-", "user=app", stdin="s3cret\n")
        self.assertEqual(out.stdout, "secret/cli/db: version 1\n")
        self.assertEqual(self.tresor("kv", "get", "cli/db").stdout, "password=s3cret\nuser=app\n")
        self.assertEqual(self.tresor("kv", "get", "--field", "password", "cli/db").stdout,
                         "s3cret\n")
        # Vault's one-dash long options, as its users type them.
        self.assertEqual(self.tresor("kv", "get", "-mount=secret", "-field=password",
                                     "cli/db").stdout, "s3cret\n")
        self.assertEqual(self.tresor("kv", "get", "-field", "user", "secret/cli/db").stdout,
                         "app\n")
        err = self.tresor("kv", "get", "-nope=1", "cli/db", code=2).stderr
        self.assertEqual(err, "tresor: error: unknown option '-n' for 'tresor kv get'; did you "
                              "mean '-h'?\n")
        self.tresor("kv", "put", "--cas", "1", "cli/db", "password=two")
        err = self.tresor("kv", "put", "--cas", "1", "cli/db", "password=x", code=2).stderr
        self.assertEqual(err, "tresor: error: secret/data/cli/db: 400: check-and-set parameter "
                              "did not match the current version\n")
        self.assertEqual(self.tresor("kv", "list", "cli").stdout, "db\n")
        # A leading slash names the same path; "/" alone is the mount's root.
        self.assertEqual(self.tresor("kv", "list", "/cli").stdout, "db\n")
        self.assertIn("cli/\n", self.tresor("kv", "list", "/").stdout)
        self.assertEqual(self.tresor("kv", "rollback", "--version", "1", "cli/db").stdout,
                         "secret/cli/db: version 3 (a copy of version 1)\n")
        self.assertEqual(self.tresor("kv", "get", "--field", "password", "cli/db").stdout,
                         "s3cret\n")
        self.tresor("kv", "delete", "cli/db")
        err = self.tresor("kv", "get", "cli/db", code=6).stderr
        self.assertEqual(err, "tresor: error: secret/data/cli/db: 404: not found\n")
        self.tresor("kv", "undelete", "--versions", "3", "cli/db")
        self.tresor("kv", "destroy", "--versions", "1", "cli/db")
        history = self.tresor("kv", "history", "cli/db").stdout.splitlines()
        self.assertEqual([(l.split()[0], l.split()[2]) for l in history],
                         [("1", "destroyed"), ("2", "available"), ("3", "available")])
        meta = json.loads(self.tresor("kv", "metadata", "cli/db").stdout)
        self.assertEqual(meta["current_version"], 3)
        err = self.tresor("kv", "put", "cli/db", "novalue", code=2).stderr
        self.assertEqual(err, "tresor: error: expected KEY=VALUE, got \"novalue\"\n")

    def test_a_hostile_servers_nesting_is_refused_not_recursed(self):
        class Deep(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"[" * 500_000 + b"]" * 500_000  # valid, and deep enough to overflow
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Deep)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        address = f"http://127.0.0.1:{server.server_port}"
        err = self.tresor("kv", "get", "app/db", env=dict(self.env, TRESOR_ADDR=address),
                          code=3).stderr
        self.assertEqual(err, f"tresor: error: {address}: not a JSON answer "
                              "(nesting deeper than 512)\n")

    def test_secrets_move_takes_the_data_along(self):
        self.tresor("secrets", "enable", "--path", "moving", "kv-v2")
        self.tresor("kv", "put", "--mount", "moving", "app/db", "password=-", stdin="p1\n")
        self.tresor("kv", "put", "--mount", "moving", "app/db", "password=-", stdin="p2\n")
        self.tresor("secrets", "enable", "--path", "moving-keys", "transit")
        self.tresor("transit", "create", "--mount", "moving-keys", "k")
        sealed = self.tresor("transit", "encrypt", "--mount", "moving-keys", "k",
                             stdin="plain").stdout.strip()
        self.assertEqual(self.tresor("secrets", "move", "moving", "moved").stdout,
                         "secrets engine at moving/ moved to moved/\n")
        self.tresor("secrets", "move", "moving-keys", "moved-keys")
        # Every version, and the transit key that opens what it sealed.
        self.assertEqual(self.tresor("kv", "get", "--mount", "moved", "app/db").stdout,
                         "password=p2\n")
        self.assertEqual(self.tresor("kv", "get", "--mount", "moved", "--version", "1",
                                     "app/db").stdout, "password=p1\n")
        self.assertEqual(self.tresor("transit", "decrypt", "--mount", "moved-keys", "k", sealed)
                         .stdout, "plain")
        err = self.tresor("kv", "get", "--mount", "moving", "app/db", code=6).stderr
        self.assertEqual(err, 'tresor: error: moving/data/app/db: 404: no handler for route '
                              '"moving/data/app/db"\n')
        # hvac's own method, as a Vault user's script calls it.
        client = hvac.Client(url=self.url, token=ROOT)
        self.addCleanup(client.adapter.close)
        client.sys.move_backend("moved", "moved-again")
        self.assertEqual(client.secrets.kv.v2.read_secret_version(
            "app/db", mount_point="moved-again")["data"]["data"], {"password": "p2"})
        client.sys.move_backend("moved-again", "moved")
        listed = self.tresor("secrets", "list").stdout
        self.assertNotIn("moving/ ", listed)
        self.assertIn("moved/ ", listed)
        for args, message in [
                (("moved", "secret"), "400: path is already in use at secret/"),
                (("nowhere", "x"), "400: no secrets engine is mounted at nowhere/"),
                (("sys", "system"), '400: cannot remount "sys/"'),
                (("moved", "auth/x"), "400: cannot move between auth methods and secrets engines"),
                (("moved", "bad path"), '400: invalid mount path "bad path/"')]:
            err = self.tresor("secrets", "move", *args, code=2).stderr
            self.assertEqual(err, f"tresor: error: sys/remount: {message}\n")

    def test_any_path_and_mounts_without_curl(self):
        self.assertEqual(self.tresor("secrets", "enable", "--path", "kv1", "kv").stdout,
                         "secrets engine kv enabled at kv1/\n")
        self.assertEqual(self.tresor("secrets", "enable", "--path", "team", "kv-v2").stdout,
                         "secrets engine kv-v2 enabled at team/\n")
        listed = self.tresor("secrets", "list").stdout.splitlines()
        self.assertIn("kv1/             kv               ", listed)
        self.assertIn("team/            kv (version 2)   ", listed)
        self.assertEqual(self.tresor("secrets", "tune", "--description", "the team's",
                                     "team").stdout, "secrets engine at team/ tuned\n")
        self.assertIn("team/            kv (version 2)   the team's",
                      self.tresor("secrets", "list").stdout.splitlines())
        self.assertEqual(self.tresor("secrets", "tune", "--field", "description", "team").stdout,
                         "the team's\n")
        # kv finds the mount a path starts with, as vault kv does; else secret/.
        self.assertEqual(self.tresor("kv", "put", "team/app", "k=v").stdout,
                         "team/app: version 1\n")
        self.assertEqual(self.tresor("kv", "get", "-mount=team", "app").stdout, "k=v\n")
        self.assertEqual(self.tresor("kv", "put", "teams/app", "k=w").stdout,
                         "secret/teams/app: version 1\n")
        self.assertEqual(self.tresor("kv", "get", "secret/teams/app").stdout, "k=w\n")
        self.assertEqual(self.tresor("write", "kv1/app", "user=u", "n:=5").stdout,
                         "kv1/app: written\n")
        self.assertEqual(self.tresor("read", "kv1/app").stdout, "n=5\nuser=u\n")
        self.assertEqual(self.tresor("read", "--field", "user", "kv1/app").stdout, "u\n")
        self.assertEqual(json.loads(self.tresor("read", "--json", "kv1/app").stdout)["data"],
                         {"n": 5, "user": "u"})
        self.assertEqual(self.tresor("list", "kv1").stdout, "app\n")
        self.assertEqual(self.tresor("delete", "kv1/app").stdout, "kv1/app: deleted\n")
        err = self.tresor("read", "kv1/app", code=6).stderr
        self.assertEqual(err, "tresor: error: kv1/app: 404: not found\n")
        err = self.tresor("write", "kv1/app", "n:=nope", code=2).stderr
        self.assertEqual(err, "tresor: error: n:=: not JSON\n")
        err = self.tresor("write", "kv1/app", "n:=" + "[" * 100000, code=2).stderr
        self.assertEqual(err, "tresor: error: n:=: not JSON\n")  # bounded: no stack overflow
        self.assertEqual(self.tresor("secrets", "disable", "team").stdout,
                         "secrets engine at team/ disabled\n")

        self.assertEqual(self.tresor("auth", "enable", "userpass").stdout,
                         "auth method userpass enabled at userpass/\n")
        err = self.tresor("auth", "enable", "ldap", code=2).stderr
        self.assertEqual(err, "tresor: error: sys/auth/ldap: 400: only the userpass, approle "
                              "and jwt auth methods can be enabled, not \"ldap\"\n")
        self.tresor("write", "auth/userpass/users/erin", "password=-", "policies=default",
                    stdin="erin-pw\n")
        self.assertIn("userpass/        userpass", self.tresor("auth", "list").stdout)
        env = dict(self.env)
        del env["TRESOR_TOKEN"]
        out = self.tresor("login", "erin", stdin="erin-pw\n", env=env)  # piped: no terminal
        self.assertEqual(out.stderr, "tresor: logged in as erin (policies default); token saved "
                                     f"in {self.home}/.tresor-token\n")
        self.assertEqual(self.tresor("token", "lookup", env=env).stdout.splitlines()[1],
                         "policies: default")
        out = self.tresor("login", "-method=token", stdin=ROOT + "\n", env=env)
        self.assertIn("(policies root)", out.stderr)
        err = self.tresor("login", "--method", "token", stdin="bogus\n", env=env, code=1).stderr
        self.assertEqual(err, "tresor: error: auth/token/lookup-self: 403: permission denied\n")

        # A second userpass, elsewhere: its own erin, its own password.
        self.assertEqual(self.tresor("auth", "enable", "--path", "corp/staff", "userpass").stdout,
                         "auth method userpass enabled at corp/staff/\n")
        self.tresor("write", "auth/corp/staff/users/erin", "password=-", stdin="corp-pw\n")
        err = self.tresor("login", "--path", "corp/staff", "erin", stdin="erin-pw\n", env=env,
                          code=2).stderr
        self.assertEqual(err, "tresor: error: auth/corp/staff/login/erin: 400: invalid username "
                              "or password\n")
        self.tresor("login", "--path", "corp/staff", "erin", stdin="corp-pw\n", env=env)
        lookup = self.tresor("token", "lookup", "--json", env=env).stdout
        self.assertEqual(json.loads(lookup)["display_name"], "corp-staff-erin")
        self.assertEqual(json.loads(lookup)["path"], "auth/corp/staff/login/erin")
        # Moved (vault auth move), its users go with it.
        self.assertEqual(self.tresor("auth", "move", "auth/corp/staff", "staff").stdout,
                         "auth method at auth/corp/staff/ moved to auth/staff/\n")
        err = self.tresor("auth", "move", "corp/staff", "x", code=2).stderr
        self.assertEqual(err, "tresor: error: sys/remount: 400: no auth method is enabled at "
                              "auth/corp/staff/\n")
        self.tresor("login", "--path", "staff", "erin", stdin="corp-pw\n", env=env)
        self.tresor("auth", "move", "staff", "corp/staff")
        self.assertEqual(self.tresor("auth", "disable", "corp/staff").stdout,
                         "auth method at corp/staff/ disabled\n")
        self.tresor("login", "erin", stdin="erin-pw\n", env=env)  # the first one is untouched

        self.tresor("auth", "enable", "--path", "machines", "approle")
        self.tresor("write", "auth/machines/role/ci", "token_policies=default")
        role_id = self.tresor("read", "--field", "role_id",
                              "auth/machines/role/ci/role-id").stdout
        secret_id = self.tresor("write", "--field", "secret_id",
                                "auth/machines/role/ci/secret-id").stdout
        for name, value in (("role_id", role_id), ("secret_id", secret_id)):
            with open(os.path.join(self.home, name), "w") as f:
                f.write(value)
            os.chmod(os.path.join(self.home, name), 0o600)
        out = self.tresor("login", "--method", "approle", "--path", "machines", "--role-id-file",
                          os.path.join(self.home, "role_id"), "--secret-id-file",
                          os.path.join(self.home, "secret_id"), env=env)
        self.assertEqual(out.stderr, "tresor: logged in as role ci (policies default); token "
                                     f"saved in {self.home}/.tresor-token\n")
        self.assertEqual(self.tresor("auth", "disable", "machines").stdout,
                         "auth method at machines/ disabled\n")

    def test_auth_methods_keep_their_descriptions(self):
        self.assertEqual(self.tresor("auth", "enable", "jwt", "--description", "CI jobs").stdout,
                         "auth method jwt enabled at jwt/\n")
        self.addCleanup(self.tresor, "auth", "disable", "jwt")
        self.assertIn("jwt/             jwt              CI jobs\n", self.tresor("auth", "list").stdout)
        self.assertEqual(self.tresor("auth", "tune", "--field", "description", "jwt").stdout,
                         "CI jobs\n")
        self.assertEqual(self.tresor("auth", "tune", "--description", "pipelines", "jwt").stdout,
                         "auth method at jwt/ tuned\n")
        admin = hvac.Client(url=self.url, token=ROOT)
        self.addCleanup(admin.adapter.close)
        tuning = admin.sys.read_auth_method_tuning("jwt")["data"]
        self.assertEqual((tuning["description"], tuning["default_lease_ttl"],
                          tuning["max_lease_ttl"]), ("pipelines", 2764800, 2764800))
        admin.sys.tune_auth_method("jwt", description="deploy pipelines")
        self.assertEqual(admin.sys.list_auth_methods()["jwt/"]["description"],
                         "deploy pipelines")
        err = self.tresor("write", "sys/auth/jwt/tune", "max_lease_ttl=1h", code=2).stderr
        self.assertEqual(err, "tresor: error: sys/auth/jwt/tune: 400: max_lease_ttl is not "
                              "supported for an auth method\n")
        err = self.tresor("auth", "tune", "ldap", code=2).stderr
        self.assertEqual(err, "tresor: error: sys/auth/ldap/tune: 400: no auth method is "
                              "enabled at ldap/\n")
        # Disabled and enabled again, it starts without one.
        self.tresor("auth", "disable", "jwt")
        self.tresor("auth", "enable", "jwt")
        self.assertEqual(self.tresor("auth", "tune", "--field", "description", "jwt").stdout,
                         "\n")

    def test_kv_patch_and_put_from_a_json_file(self):
        data = os.path.join(self.home, "data.json")
        with open(data, "w") as f:
            json.dump({"user": "app", "port": 5432}, f)
        self.assertEqual(self.tresor("kv", "put", "pj/db", "@" + data).stdout,
                         "secret/pj/db: version 1\n")
        self.assertEqual(self.tresor("kv", "patch", "pj/db", "password=-", "user:=null",
                                     stdin="pw\n").stdout, "secret/pj/db: version 2\n")
        self.assertEqual(self.tresor("kv", "get", "pj/db").stdout, "password=pw\nport=5432\n")
        err = self.tresor("kv", "patch", "pj/none", "a=b", code=6).stderr
        self.assertEqual(err, "tresor: error: secret/data/pj/none: 404: not found\n")
        with open(data, "w") as f:
            f.write("[1, 2]")
        err = self.tresor("kv", "put", "pj/db", "@" + data, code=2).stderr
        self.assertEqual(err, f"tresor: error: {data}: not a JSON object\n")

    def test_policy_and_token(self):
        self.tresor("kv", "put", "team/app", "k=v")
        self.tresor("policy", "write", "team-read", "-",
                    stdin='path "secret/data/team/*" { capabilities = ["read"] }\n')
        self.assertEqual(self.tresor("policy", "read", "team-read").stdout,
                         'path "secret/data/team/*" { capabilities = ["read"] }\n')
        self.assertEqual(json.loads(self.tresor("policy", "read", "team-read", "--json").stdout),
                         {"name": "team-read",
                          "policy": 'path "secret/data/team/*" { capabilities = ["read"] }\n'})
        self.assertIn("team-read\n", self.tresor("policy", "list").stdout)
        auth = json.loads(self.tresor("token", "create", "--policy", "team-read", "--ttl", "1h",
                                      "--json").stdout)
        self.assertEqual((auth["policies"], auth["lease_duration"]),
                         (["default", "team-read"], 3600))
        as_app = dict(self.env, TRESOR_TOKEN=auth["client_token"])
        self.assertEqual(self.tresor("kv", "get", "team/app", env=as_app).stdout, "k=v\n")
        err = self.tresor("kv", "put", "team/app", "k=w", env=as_app, code=1).stderr
        self.assertEqual(err, "tresor: error: secret/data/team/app: 403: permission denied\n")
        lookup = self.tresor("token", "lookup", env=as_app).stdout
        self.assertIn("policies: default,team-read\npath: auth/token/create\n", lookup)
        self.tresor("token", "revoke", auth["client_token"])
        err = self.tresor("token", "lookup", env=as_app, code=1).stderr
        self.assertEqual(err, "tresor: error: auth/token/lookup-self: 403: permission denied\n")
        limited = json.loads(self.tresor("token", "create", "--policy", "team-read",
                                         "--use-limit", "2", "--json").stdout)["client_token"]
        as_limited = dict(self.env, TRESOR_TOKEN=limited)
        self.assertTrue(self.tresor("token", "lookup", env=as_limited).stdout
                        .endswith("renewable: true\nuses left: 1\n"))
        self.assertEqual(self.tresor("kv", "get", "team/app", env=as_limited).stdout, "k=v\n")
        err = self.tresor("kv", "get", "team/app", env=as_limited, code=1).stderr
        self.assertEqual(err, "tresor: error: secret/data/team/app: 403: permission denied\n")
        err = self.tresor("token", "create", "--use-limit", "-1", code=2).stderr
        self.assertIn("--use-limit", err)
        self.tresor("policy", "delete", "team-read")
        err = self.tresor("policy", "read", "team-read", code=6).stderr
        self.assertEqual(err, "tresor: error: sys/policies/acl/team-read: 404: not found\n")

    def test_login_saves_a_private_token(self):
        root = hvac.Client(url=self.url, token=ROOT)
        if "userpass/" not in root.sys.list_auth_methods():
            root.sys.enable_auth_method("userpass")
        root.auth.userpass.create_or_update_user("carol", "c4rol-pw", policies="default")
        pw = os.path.join(self.home, "pw")
        with open(pw, "w") as f:
            f.write("c4rol-pw\n")
        os.chmod(pw, 0o600)
        env = {k: v for k, v in self.env.items() if k != "TRESOR_TOKEN"}
        out = self.tresor("login", "carol", "--password-file", pw, env=env)
        token_file = os.path.join(self.home, ".tresor-token")
        self.assertEqual(out.stderr, "tresor: logged in as carol (policies default); token saved "
                                     f"in {token_file}\n")
        self.assertEqual(oct(os.stat(token_file).st_mode & 0o777), "0o600")
        self.assertIn("path: auth/userpass/login/carol\n",
                      self.tresor("token", "lookup", env=env).stdout)
        with open(pw, "w") as f:
            f.write("wrong\n")
        err = self.tresor("login", "carol", "--password-file", pw, env=env, code=2).stderr
        self.assertEqual(err, "tresor: error: auth/userpass/login/carol: 400: invalid username "
                              "or password\n")
        # Revoking one's own token is asked for, never a default.
        err = self.tresor("token", "revoke", env=env, code=2).stderr
        self.assertEqual(err, "tresor: error: token revoke: give the TOKEN to revoke, or --self "
                              "for the current one (not both)\n")
        self.tresor("token", "lookup", env=env)  # still valid
        self.tresor("token", "revoke", "--self", env=env)
        self.tresor("token", "lookup", env=env, code=1)


if __name__ == "__main__":
    unittest.main()
