"""The development server driven by real clients: Python hvac (Debian's
python3-hvac) and curl, plus hostile requests over raw sockets. Each test
class starts `tresor server --dev` on a free loopback port."""
import base64
import hashlib
import json
import shutil
import tempfile
import os
import re
import socket
import subprocess
import sys
import time
import unittest
import warnings

import hvac
import requests

# hvac keeps pooled connections open past each test; that is its business.
warnings.simplefilter("ignore", ResourceWarning)

TRESOR = os.environ.get("TRESOR_BIN", "tresor")
ROOT = "root-token-for-tests"


def wait_for(condition, what, limit=60, interval=0.05):
    """Polls `condition` until it holds (bounded, never a fixed sleep)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def start_server(*extra):
    listen = [] if "--listen" in extra else ["--listen", "127.0.0.1:0"]
    proc = subprocess.Popen([TRESOR, "server", "--dev", *listen,
                             "--dev-root-token", ROOT, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    banner = [proc.stdout.readline() for _ in range(4)]
    match = re.match(r"listening on https?://[0-9.]+:(\d+)\n", banner[1])
    if not match:
        proc.kill()
        raise AssertionError(f"no banner: {banner} {proc.stderr.read()}")
    return proc, int(match.group(1))


def enable_auth_with_app_policy(url, method):
    """Enables auth `method`, an "app-read" policy for secret/app/*, and a
    secret there and one outside it, for the login tests."""
    admin = hvac.Client(url=url, token=ROOT)
    admin.sys.enable_auth_method(method)
    admin.sys.create_or_update_policy(
        "app-read", 'path "secret/data/app/*" { capabilities = ["read"] }\n')
    admin.secrets.kv.v2.create_or_update_secret("app/db", {"password": "pw-1"})
    admin.secrets.kv.v2.create_or_update_secret("other/db", {"password": "pw-2"})
    admin.adapter.close()


class ServerTestCase(unittest.TestCase):
    extra_args = ()

    @classmethod
    def setUpClass(cls):
        cls.proc, cls.port = start_server(*cls.extra_args)
        cls.url = f"http://127.0.0.1:{cls.port}"

    @classmethod
    def tearDownClass(cls):
        died = cls.proc.poll() is not None
        cls.proc.terminate()
        cls.proc.wait(timeout=30)
        err = cls.proc.stderr.read()
        cls.proc.stdout.close()
        cls.proc.stderr.close()
        # A server that crashed (a sanitizer report, say) says why here.
        if died or cls.proc.returncode not in (0, -15):
            print(f"server exited with {cls.proc.returncode}:\n{err}", file=sys.stderr)

    def raw(self, data, timeout=10):
        """Sends bytes on a new connection; returns everything it answers."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return out
                out += chunk

    def curl(self, *args):
        return subprocess.run(["curl", "-sS", "-i", *args], capture_output=True,
                              timeout=30).stdout.decode()


class HvacKv2Test(ServerTestCase):
    def setUp(self):
        self.client = hvac.Client(url=self.url, token=ROOT)
        self.kv = self.client.secrets.kv.v2

    def test_write_read_versions_and_list(self):
        first = self.kv.create_or_update_secret("app/db", {"password": "one"})
        self.assertEqual(first["data"]["version"], 1)
        self.kv.create_or_update_secret("app/db", {"password": "two"})
        self.kv.create_or_update_secret("app/cache/redis", {"url": "redis://x"})
        latest = self.kv.read_secret_version("app/db")
        self.assertEqual(latest["data"]["data"], {"password": "two"})
        self.assertEqual(latest["data"]["metadata"]["version"], 2)
        old = self.kv.read_secret_version("app/db", version=1)
        self.assertEqual(old["data"]["data"], {"password": "one"})
        self.assertEqual(self.kv.list_secrets("app")["data"]["keys"], ["cache/", "db"])
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.kv.read_secret_version("app/missing")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.kv.list_secrets("nothing-here")

    def test_check_and_set(self):
        self.kv.create_or_update_secret("cas/key", {"v": "1"}, cas=0)
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.kv.create_or_update_secret("cas/key", {"v": "again"}, cas=0)
        self.assertIn("check-and-set parameter did not match the current version",
                      str(caught.exception))
        self.kv.create_or_update_secret("cas/key", {"v": "2"}, cas=1)
        self.kv.update_metadata("cas/key", cas_required=True)
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.kv.create_or_update_secret("cas/key", {"v": "3"})
        self.assertIn("check-and-set parameter required for this call", str(caught.exception))
        self.kv.create_or_update_secret("cas/key", {"v": "3"}, cas=2)
        self.assertEqual(self.kv.read_secret_version("cas/key")["data"]["data"], {"v": "3"})

    def test_soft_delete_undelete_destroy_and_metadata(self):
        for i in range(3):
            self.kv.create_or_update_secret("life/key", {"n": str(i)})
        self.kv.delete_latest_version_of_secret("life/key")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.kv.read_secret_version("life/key")
        self.kv.undelete_secret_versions("life/key", versions=[3])
        self.assertEqual(self.kv.read_secret_version("life/key")["data"]["data"], {"n": "2"})
        self.kv.delete_secret_versions("life/key", versions=[1])
        self.kv.destroy_secret_versions("life/key", versions=[2])
        meta = self.kv.read_secret_metadata("life/key")["data"]
        self.assertEqual(meta["current_version"], 3)
        self.assertNotEqual(meta["versions"]["1"]["deletion_time"], "")
        self.assertTrue(meta["versions"]["2"]["destroyed"])
        self.kv.undelete_secret_versions("life/key", versions=[2])  # destroyed stays destroyed
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.kv.read_secret_version("life/key", version=2)
        self.kv.update_metadata("life/key", max_versions=2)
        meta = self.kv.read_secret_metadata("life/key")["data"]
        self.assertEqual((meta["max_versions"], meta["oldest_version"], sorted(meta["versions"])),
                         (2, 2, ["2", "3"]))
        self.kv.delete_metadata_and_all_versions("life/key")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.kv.read_secret_metadata("life/key")

    def test_versions_expire_after_delete_version_after(self):
        from datetime import datetime
        self.kv.update_metadata("expiring", delete_version_after="1s")
        self.assertEqual(self.kv.read_secret_metadata("expiring")["data"]["delete_version_after"],
                         "1s")
        written = self.kv.create_or_update_secret("expiring", {"token": "short-lived"})["data"]

        def parse(text):  # nanoseconds: Python keeps microseconds
            return datetime.strptime(text[:26] + "Z", "%Y-%m-%dT%H:%M:%S.%fZ")
        self.assertEqual((parse(written["deletion_time"]) - parse(written["created_time"]))
                         .total_seconds(), 1.0)
        time.sleep(1.2)
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.kv.read_secret_version("expiring")
        with self.assertRaises(hvac.exceptions.InvalidRequest) as bad:
            self.kv.update_metadata("expiring", delete_version_after="soon")
        self.assertTrue(str(bad.exception).startswith(
            'delete_version_after: bad duration "soon" (like 90s, 30m, 8h, 1d or 1h30m), on post '),
            str(bad.exception))

    def test_sys_endpoints_and_a_bad_token(self):
        health = self.client.sys.read_health_status(method="GET")
        self.assertEqual((health["initialized"], health["sealed"]), (True, False))
        self.assertFalse(self.client.sys.read_seal_status()["sealed"])
        mounts = self.client.sys.list_mounted_secrets_engines()
        self.assertEqual(mounts["secret/"]["options"], {"version": "2"})
        bad = hvac.Client(url=self.url, token="not-the-token")
        with self.assertRaises(hvac.exceptions.Forbidden):
            bad.secrets.kv.v2.read_secret_version("app/db")
        with self.assertRaises(hvac.exceptions.Forbidden):
            hvac.Client(url=self.url).secrets.kv.v2.read_secret_version("app/db")

    def test_alone_on_its_store_the_node_leads_and_is_the_only_one(self):
        leader = hvac.Client(url=self.url).sys.read_leader_status()
        self.assertEqual((leader["ha_enabled"], leader["is_self"], leader["leader_address"]),
                         (False, True, self.url))
        status = requests.get(self.url + "/v1/sys/ha-status",
                              headers={"X-Vault-Token": ROOT}, timeout=30).json()
        self.assertEqual(len(status["nodes"]), 1)
        node = status["nodes"][0]
        self.assertEqual((node["api_address"], node["active_node"]), (self.url, True))
        self.assertRegex(node["hostname"], r":\d+$")  # HOSTNAME:PORT by default
        denied = requests.get(self.url + "/v1/sys/ha-status", timeout=30)
        self.assertEqual(denied.status_code, 403)


APP_POLICY = """
path "secret/data/app/*" {
  capabilities = ["read", "list"]
}
path "secret/metadata/app/*" {
  capabilities = ["list"]
}
path "secret/data/app/admin" {
  capabilities = ["deny"]
}
"""


class HvacTokensAndPoliciesTest(ServerTestCase):
    def setUp(self):
        self.root = hvac.Client(url=self.url, token=ROOT)
        self.root.secrets.kv.v2.create_or_update_secret("app/db", {"password": "pw"})
        self.root.secrets.kv.v2.create_or_update_secret("app/admin", {"key": "k"})
        self.root.secrets.kv.v2.create_or_update_secret("other/x", {"y": "z"})

    def client_for(self, token):
        return hvac.Client(url=self.url, token=token)

    def test_a_policy_written_through_the_client_allows_and_denies(self):
        self.root.sys.create_or_update_policy("app-read", APP_POLICY)
        self.assertEqual(self.root.sys.read_policy("app-read")["rules"], APP_POLICY)
        self.assertIn("app-read", self.root.sys.list_policies()["policies"])
        created = self.root.auth.token.create(policies=["app-read"], ttl="1h")
        self.assertEqual(created["auth"]["policies"], ["app-read", "default"])
        self.assertEqual(created["auth"]["lease_duration"], 3600)
        app = self.client_for(created["auth"]["client_token"])
        kv = app.secrets.kv.v2
        self.assertEqual(kv.read_secret_version("app/db")["data"]["data"], {"password": "pw"})
        for denied in (lambda: kv.read_secret_version("app/admin"),     # deny wins
                       lambda: kv.read_secret_version("other/x"),       # no rule
                       lambda: kv.create_or_update_secret("app/db", {"password": "x"}),
                       lambda: app.sys.read_policy("app-read"),
                       lambda: app.auth.token.create(policies=["app-read"])):
            with self.assertRaises(hvac.exceptions.Forbidden):
                denied()
        self.root.sys.delete_policy("app-read")
        with self.assertRaises(hvac.exceptions.Forbidden):
            kv.read_secret_version("app/db")
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.root.sys.create_or_update_policy("bad", 'path "a" { capabilities = ["raed"] }')
        self.assertIn('failed to parse policy: 1:28: path "a": unknown capability "raed"',
                      str(caught.exception))

    def test_policy_names_are_lower_cased_and_empty_policies_refused(self):
        self.root.sys.create_or_update_policy("Team-Read", APP_POLICY)
        self.assertIn("team-read", self.root.sys.list_policies()["policies"])
        self.assertNotIn("Team-Read", self.root.sys.list_policies()["policies"])
        self.assertEqual(self.root.sys.read_policy("TEAM-READ")["rules"], APP_POLICY)
        created = self.root.auth.token.create(policies=["Team-Read"], ttl="1h")
        app = self.client_for(created["auth"]["client_token"])
        self.assertEqual(app.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "pw"})
        for empty in ("", "  \n"):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                self.root.sys.create_or_update_policy("empty", empty)
            self.assertEqual(caught.exception.errors,
                             ["'policy' parameter not supplied or empty"])
        self.root.sys.delete_policy("TEAM-read")
        self.assertNotIn("team-read", self.root.sys.list_policies()["policies"])

    def test_token_roles_give_their_policies_and_settings(self):
        self.root.sys.create_or_update_policy("app-read", APP_POLICY)
        self.root.sys.create_or_update_policy("ops", 'path "sys/*" { capabilities = ["read"] }')
        adapter = self.root.adapter
        adapter.post("/v1/auth/token/roles/deployer",
                     json={"allowed_policies": ["App-Read"], "disallowed_policies": "ops",
                           "orphan": True, "token_explicit_max_ttl": "2h",
                           "token_num_uses": 5})
        role = adapter.get("/v1/auth/token/roles/deployer")["data"]
        self.assertEqual(role, {"name": "deployer", "allowed_policies": ["app-read"],
                                "disallowed_policies": ["ops"], "orphan": True,
                                "renewable": True, "token_explicit_max_ttl": 7200,
                                "token_num_uses": 5})
        self.assertIn("deployer", adapter.list("/v1/auth/token/roles")["data"]["keys"])
        # A token that may use the role but holds only default gets the
        # role's policies (not a subset of its own), an orphan, limited.
        self.root.sys.create_or_update_policy(
            "use-deployer", 'path "auth/token/create/deployer" { capabilities = ["update"] }')
        user = self.client_for(self.root.auth.token.create(
            policies=["use-deployer"], ttl="1h")["auth"]["client_token"])
        made = user.adapter.post("/v1/auth/token/create/deployer", json={"ttl": "30m"})["auth"]
        self.assertEqual((made["policies"], made["orphan"], made["lease_duration"]),
                         (["app-read", "default"], True, 1800))
        info = self.root.auth.token.lookup(made["client_token"])["data"]
        self.assertEqual((info["num_uses"], info["explicit_max_ttl"], info["path"]),
                         (5, 7200, "auth/token/create/deployer"))
        app = self.client_for(made["client_token"])
        self.assertEqual(app.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "pw"})
        for policies, message in ((["ops"], "token policies (ops) must be a subset of the "
                                            "role's allowed_policies"),):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                user.adapter.post("/v1/auth/token/create/deployer", json={"policies": policies})
            self.assertEqual(caught.exception.errors, [message])
        adapter.post("/v1/auth/token/roles/open", json={"disallowed_policies": ["ops"]})
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            adapter.post("/v1/auth/token/create/open", json={"policies": ["ops"]})
        self.assertEqual(caught.exception.errors, ["token policy ops is disallowed by the role"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            adapter.post("/v1/auth/token/create/nope", json={})
        self.assertEqual(caught.exception.errors, ["unknown role nope"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            adapter.post("/v1/auth/token/roles/bad", json={"token_period": "1h"})
        self.assertEqual(caught.exception.errors, ["token_period is not supported"])
        adapter.delete("/v1/auth/token/roles/open")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            adapter.get("/v1/auth/token/roles/open")

    def test_capabilities_say_what_a_token_may_do_at_each_path(self):
        self.root.sys.create_or_update_policy("app-read", APP_POLICY)
        created = self.root.auth.token.create(policies=["app-read"])["auth"]
        token, accessor = created["client_token"], created["accessor"]
        paths = ["secret/data/app/db", "secret/data/app/admin", "secret/metadata/app/x",
                 "sys/capabilities-self"]
        expected = {"secret/data/app/db": ["read", "list"], "secret/data/app/admin": ["deny"],
                    "secret/metadata/app/x": ["list"], "sys/capabilities-self": ["update"]}
        for got in (self.root.sys.get_capabilities(paths, token=token),
                    self.root.sys.get_capabilities(paths, accessor=accessor),
                    self.client_for(token).sys.get_capabilities(paths)):
            self.assertEqual({p: got["data"][p] for p in paths}, expected)
            self.assertEqual(got["data"]["capabilities"], ["update"])  # the last path's
            self.assertEqual(got["secret/data/app/db"], ["read", "list"])  # and at the top
        self.assertEqual(self.root.sys.get_capabilities(["x/y"])["data"]["x/y"], ["root"])
        # Asking about another token needs update on sys/capabilities.
        with self.assertRaises(hvac.exceptions.Forbidden):
            self.client_for(token).sys.get_capabilities(paths, token=ROOT)
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.root.sys.get_capabilities(paths, accessor="no-such-accessor")
        self.assertEqual(caught.exception.errors, ["invalid token"])

    def test_random_bytes_and_hashes(self):
        def post(path, body):
            got = requests.post(f"{self.url}/v1/{path}", json=body,
                                headers={"X-Vault-Token": ROOT}, timeout=30)
            return got.status_code, got.json()

        status, got = post("sys/tools/random/16", {"format": "hex"})
        self.assertEqual(status, 200)
        self.assertRegex(got["data"]["random_bytes"], r"^[0-9a-f]{32}$")
        status, got = post("sys/tools/random", {})
        self.assertEqual(len(base64.b64decode(got["data"]["random_bytes"])), 32)
        self.assertNotEqual(post("sys/tools/random", {})[1]["data"]["random_bytes"],
                            got["data"]["random_bytes"])
        self.assertEqual(post("sys/tools/random/all/0", {}),
                         (400, {"errors": ["bytes: between 1 and 131072"]}))
        hello = base64.b64encode(b"hello").decode()
        self.assertEqual(post("sys/tools/hash", {"input": hello})[1]["data"]["sum"],
                         hashlib.sha256(b"hello").hexdigest())
        self.assertEqual(
            post("sys/tools/hash/sha2-512", {"input": hello, "format": "base64"})[1]["data"]["sum"],
            base64.b64encode(hashlib.sha512(b"hello").digest()).decode())
        self.assertEqual(post("sys/tools/hash/sha3-256", {"input": hello}), (400, {"errors": [
            'unsupported algorithm "sha3-256" (sha2-256, sha2-512)']}))
        self.assertEqual(post("sys/tools/hash", {"input": "not base64!"}),
                         (400, {"errors": ["input: expected base64"]}))

    def test_a_listing_is_checked_with_a_trailing_slash_as_vault_does(self):
        # APP_POLICY grants list on "secret/metadata/app/*": listing
        # secret/metadata/app is allowed, as in Vault (LIST, or ?list= in
        # any of the cases Go reads as true).
        self.root.sys.create_or_update_policy("app-list", APP_POLICY)
        token = self.root.auth.token.create(policies=["app-list"])["auth"]["client_token"]
        app = self.client_for(token)
        self.assertEqual(app.secrets.kv.v2.list_secrets("app")["data"]["keys"], ["admin", "db"])
        for flag in ("true", "True", "TRUE", "1", "t"):
            got = requests.get(f"{self.url}/v1/secret/metadata/app?list={flag}",
                               headers={"X-Vault-Token": token}, timeout=30)
            self.assertEqual((got.status_code, got.json()["data"]["keys"]),
                             (200, ["admin", "db"]), flag)
        with self.assertRaises(hvac.exceptions.Forbidden):
            app.secrets.kv.v2.list_secrets("other")

    def test_requests_tresor_cannot_honour_are_refused_not_ignored(self):
        # A wrapping TTL that is not one: refused before anything is done,
        # never answered in the clear.
        for ttl in ("forever", "0", "800h"):
            got = requests.get(f"{self.url}/v1/secret/data/app/db",
                               headers={"X-Vault-Token": ROOT, "X-Vault-Wrap-TTL": ttl},
                               timeout=30)
            self.assertEqual((got.status_code, got.json()), (400, {"errors": [
                'X-Vault-Wrap-TTL: expected a duration from 1s to 768h ("5m", "300")']}), ttl)
        # A version that is not a number, and unmounting sys/.
        got = requests.get(f"{self.url}/v1/secret/data/app/db?version=two",
                           headers={"X-Vault-Token": ROOT}, timeout=30)
        self.assertEqual((got.status_code, got.json()), (400, {"errors": [
            'version: expected a version number, got "two"']}))
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.root.sys.disable_secrets_engine("sys")
        self.assertEqual(caught.exception.errors, ['cannot unmount "sys/"'])

    def test_the_default_policy_can_only_manage_itself(self):
        token = self.root.auth.token.create(policies=["default"], ttl="10m")["auth"]["client_token"]
        me = self.client_for(token)
        self.assertTrue(me.is_authenticated())
        looked = me.auth.token.lookup_self()["data"]
        self.assertEqual((looked["policies"], looked["id"], looked["ttl"] <= 600),
                         (["default"], token, True))
        renewed = me.auth.token.renew_self(increment="20m")["auth"]
        self.assertEqual((renewed["lease_duration"] > 600, renewed["renewable"]), (True, True))
        for denied in (lambda: me.secrets.kv.v2.read_secret_version("app/db"),
                       lambda: me.auth.token.create(policies=["default"]),
                       lambda: me.auth.token.lookup(ROOT),
                       lambda: me.sys.list_policies()):
            with self.assertRaises(hvac.exceptions.Forbidden):
                denied()
        me.auth.token.revoke_self()
        self.assertFalse(me.is_authenticated())

    def test_parameter_constraints_limit_what_a_token_may_send(self):
        self.root.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
        self.root.sys.create_or_update_policy("app-read", APP_POLICY)
        self.root.sys.create_or_update_policy("limited", """
path "auth/token/create" {
  capabilities = ["update"]
  allowed_parameters = { "policies" = ["app-*", "default"], "*" = [] }
  denied_parameters = { "no_parent" = [true] }
}
path "kv1/db/*" {
  capabilities = ["create", "update", "read"]
  allowed_parameters = { "user" = [], "password" = [] }
  required_parameters = ["password"]
}""")
        token = self.root.auth.token.create(policies=["limited", "app-read"])["auth"]
        limited = self.client_for(token["client_token"])
        child = limited.auth.token.create(policies=["app-read"], ttl="5m")["auth"]
        self.assertEqual(child["policies"], ["app-read", "default"])
        kv1 = limited.secrets.kv.v1
        kv1.create_or_update_secret("db/main", {"user": "u", "password": "p"}, method="PUT",
                                    mount_point="kv1")
        for denied in (
                lambda: limited.auth.token.create(policies=["limited"]),  # a value not allowed
                lambda: limited.auth.token.create(policies=["app-read"], no_parent=True),
                lambda: kv1.create_or_update_secret("db/main", {"user": "u"},  # password required
                                                    method="PUT", mount_point="kv1"),
                lambda: kv1.create_or_update_secret("db/main", {"password": "p", "admin": "yes"},
                                                    method="PUT", mount_point="kv1"),
                # As in Vault, required parameters apply to reads too.
                lambda: kv1.read_secret("db/main", mount_point="kv1")):
            with self.assertRaises(hvac.exceptions.Forbidden):
                denied()
        # Nothing denied was written.
        self.assertEqual(self.root.secrets.kv.v1.read_secret("db/main", mount_point="kv1")["data"],
                         {"user": "u", "password": "p"})

    def test_a_limited_use_token_stops_after_its_uses(self):
        self.root.secrets.kv.v2.create_or_update_secret("once/db", {"password": "pw"})
        self.root.sys.create_or_update_policy(
            "once-reader", 'path "secret/data/once/*" { capabilities = ["read"] }\n'
                           'path "auth/token/create" { capabilities = ["update"] }')
        made = self.root.auth.token.create(policies=["once-reader"], num_uses=3)["auth"]
        limited = hvac.Client(url=self.url, token=made["client_token"])
        self.assertEqual(limited.auth.token.lookup_self()["data"]["num_uses"], 2)
        with self.assertRaises(hvac.exceptions.InvalidRequest) as refused:
            limited.auth.token.create(policies=["once-reader"])  # the second use
        self.assertIn("a token with limited uses cannot create child tokens",
                      str(refused.exception))
        self.assertEqual(limited.secrets.kv.v2.read_secret_version("once/db")["data"]["data"],
                         {"password": "pw"})  # the third and last
        with self.assertRaises(hvac.exceptions.Forbidden):
            limited.secrets.kv.v2.read_secret_version("once/db")
        for field, value, message in (("num_uses", -1, "num_uses must be a non-negative integer"),
                                      ("type", "batch", "batch tokens are not supported")):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as bad:
                self.root.adapter.post("/v1/auth/token/create", json={field: value})
            self.assertTrue(str(bad.exception).startswith(message), str(bad.exception))

    def test_periodic_tokens_are_root_or_sudo_only_and_renew_for_their_period(self):
        made = self.root.auth.token.create(policies=["default"], period="2h", ttl="5m")["auth"]
        self.assertEqual((made["lease_duration"], made["renewable"]), (7200, True))
        holder = self.client_for(made["client_token"])
        looked = holder.auth.token.lookup_self()["data"]
        self.assertEqual((looked["period"], looked["creation_ttl"], looked["explicit_max_ttl"]),
                         (7200, 7200, 0))
        renewed = holder.auth.token.renew_self(increment="10m")["auth"]
        self.assertEqual(renewed["lease_duration"], 7200)  # the period, not the increment
        self.root.sys.create_or_update_policy(
            "maker", 'path "auth/token/create" { capabilities = ["update"] }')
        maker = self.client_for(self.root.auth.token.create(policies=["maker"])["auth"]
                                ["client_token"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            maker.auth.token.create(period="1h")
        self.assertEqual(caught.exception.errors,
                         ["root or sudo privileges required to create periodic token"])
        self.root.sys.create_or_update_policy(
            "maker", 'path "auth/token/create" { capabilities = ["update", "sudo"] }')
        self.assertEqual(maker.auth.token.create(period="1h")["auth"]["lease_duration"], 3600)

    def test_accessors_are_listed_with_sudo_only(self):
        made = self.root.auth.token.create(policies=["default"], ttl="5m")["auth"]
        listed = self.root.auth.token.list_accessors()["data"]["keys"]
        self.assertIn(made["accessor"], listed)
        self.assertEqual(listed, sorted(listed))
        self.root.auth.token.revoke_accessor(made["accessor"])
        self.assertNotIn(made["accessor"], self.root.auth.token.list_accessors()["data"]["keys"])
        for name, capabilities, code in (("lister", '["list"]', 403),
                                         ("lister-sudo", '["list", "sudo"]', 200)):
            self.root.sys.create_or_update_policy(
                name, f'path "auth/token/accessors/" {{ capabilities = {capabilities} }}')
            token = self.root.auth.token.create(policies=[name])["auth"]["client_token"]
            got = requests.request("LIST", f"{self.url}/v1/auth/token/accessors",
                                   headers={"X-Vault-Token": token}, timeout=30)
            self.assertEqual(got.status_code, code, name)

    def test_revoking_a_parent_revokes_its_children_but_not_orphans(self):
        self.root.sys.create_or_update_policy(
            "maker", 'path "auth/token/create" { capabilities = ["update"] }\n'
                     'path "auth/token/create-orphan" { capabilities = ["update"] }')
        parent = self.root.auth.token.create(policies=["maker"])["auth"]["client_token"]
        maker = self.client_for(parent)
        child = maker.auth.token.create(ttl="5m")["auth"]
        self.assertEqual(child["policies"], ["default", "maker"])  # inherited
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            maker.auth.token.create(policies=["root"])
        self.assertIn("child policies must be subset of parent", str(caught.exception))
        orphan = maker.adapter.post("/v1/auth/token/create-orphan", json={})["auth"]
        self.assertTrue(orphan["orphan"])
        self.root.auth.token.revoke(parent)
        self.assertFalse(self.client_for(child["client_token"]).is_authenticated())
        self.assertTrue(self.client_for(orphan["client_token"]).is_authenticated())
        self.assertFalse(maker.is_authenticated())
        looked = self.root.auth.token.lookup(orphan["client_token"])["data"]
        self.assertEqual(looked["orphan"], True)


class HvacUserpassTest(ServerTestCase):
    def test_userpass_login_and_user_management(self):
        root = hvac.Client(url=self.url, token=ROOT)
        root.sys.enable_auth_method("userpass")
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            root.sys.enable_auth_method("userpass")
        self.assertIn("path is already in use at userpass/", str(caught.exception))
        self.assertIn("userpass/", root.sys.list_auth_methods())
        root.sys.create_or_update_policy("app-read", APP_POLICY)
        root.secrets.kv.v2.create_or_update_secret("app/db", {"password": "pw"})
        root.auth.userpass.create_or_update_user("alice", "s3cret-pw", policies="app-read",
                                                 token_ttl="30m")
        self.assertEqual(root.auth.userpass.list_user()["data"]["keys"], ["alice"])
        self.assertEqual(root.auth.userpass.read_user("alice")["data"]["policies"], ["app-read"])
        # Settings tresor does not implement are refused, and change nothing.
        for field, value, message in (
                ("token_num_uses", 1, "token_num_uses is not supported"),
                ("token_period", "1h", "token_period is not supported"),
                ("token_bound_cidrs", ["10.0.0.0/8"], "token_bound_cidrs is not supported"),
                ("token_ttl", "soon", 'token_ttl: bad duration "soon"')):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as bad:
                root.auth.userpass.create_or_update_user("alice", policies="root",
                                                         **{field: value})
            self.assertTrue(str(bad.exception).startswith(message), str(bad.exception))
        self.assertEqual(root.auth.userpass.read_user("alice")["data"]["token_ttl"], 1800)
        self.assertEqual(root.auth.userpass.read_user("alice")["data"]["policies"], ["app-read"])

        alice = hvac.Client(url=self.url)
        login = alice.auth.userpass.login("alice", "s3cret-pw")["auth"]
        self.assertEqual((login["policies"], login["lease_duration"], login["orphan"]),
                         (["app-read", "default"], 1800, True))
        self.assertEqual(alice.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "pw"})
        me = alice.auth.token.lookup_self()["data"]
        self.assertEqual((me["path"], me["meta"], me["display_name"]),
                         ("auth/userpass/login/alice", {"username": "alice"}, "userpass-alice"))
        with self.assertRaises(hvac.exceptions.Forbidden):
            alice.auth.userpass.create_or_update_user("mallory", "x", policies="root")
        for name, password in (("alice", "wrong"), ("nobody", "s3cret-pw")):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                hvac.Client(url=self.url).auth.userpass.login(name, password)
            self.assertIn("invalid username or password", str(caught.exception))
        root.auth.userpass.update_password_on_user("alice", "n3w-pw")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            hvac.Client(url=self.url).auth.userpass.login("alice", "s3cret-pw")
        hvac.Client(url=self.url).auth.userpass.login("alice", "n3w-pw")
        root.auth.userpass.delete_user("alice")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            hvac.Client(url=self.url).auth.userpass.login("alice", "n3w-pw")


class HvacAuthMountsTest(ServerTestCase):
    """Auth methods enabled at paths of their own, several of one type."""

    def test_two_userpass_mounts_keep_their_own_users(self):
        root = hvac.Client(url=self.url, token=ROOT)
        root.sys.enable_auth_method("userpass")
        root.sys.enable_auth_method("userpass", path="corp", description="staff")
        self.addCleanup(root.sys.disable_auth_method, "userpass")
        methods = root.sys.list_auth_methods()["data"]
        self.assertEqual({p: (m["type"], m["description"]) for p, m in methods.items()},
                         {"token/": ("token", "token based credentials"),
                          "userpass/": ("userpass", ""), "corp/": ("userpass", "staff")})
        for path, message in (("corp/inner", "path is already in use at corp/"),
                              ("corp", "path is already in use at corp/"),
                              ("token", "path is already in use at token/"),
                              ("bad path", 'invalid auth path "bad path/"')):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                root.sys.enable_auth_method("userpass", path=path)
            self.assertEqual(str(caught.exception).split(", on ")[0], message)
        for settings, message in (({"local": True}, "local is not supported for an auth method"),
                                  ({"config": {"default_lease_ttl": "1h"}},
                                   "config is not supported for an auth method")):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                root.sys.enable_auth_method("userpass", path="other", **settings)
            self.assertEqual(str(caught.exception).split(", on ")[0], message)
        self.assertNotIn("other/", root.sys.list_auth_methods()["data"])

        root.sys.create_or_update_policy("app-read", APP_POLICY)
        root.auth.userpass.create_or_update_user("alice", "home-pw", policies="app-read")
        root.auth.userpass.create_or_update_user("alice", "corp-pw", mount_point="corp")
        self.assertEqual(root.auth.userpass.list_user(mount_point="corp")["data"]["keys"],
                         ["alice"])
        with self.assertRaises(hvac.exceptions.InvalidRequest):  # each mount its own password
            hvac.Client(url=self.url).auth.userpass.login("alice", "home-pw", mount_point="corp")
        corp = hvac.Client(url=self.url)
        login = corp.auth.userpass.login("alice", "corp-pw", mount_point="corp")["auth"]
        self.assertEqual(login["policies"], ["default"])
        me = corp.auth.token.lookup_self()["data"]
        self.assertEqual((me["path"], me["display_name"], me["meta"]),
                         ("auth/corp/login/alice", "corp-alice", {"username": "alice"}))
        home = hvac.Client(url=self.url)
        self.assertEqual(home.auth.userpass.login("alice", "home-pw")["auth"]["policies"],
                         ["app-read", "default"])

        # Policies see each mount's paths: a corp admin manages corp's users only.
        root.sys.create_or_update_policy(
            "corp-admin", 'path "auth/corp/users/*" { capabilities = ["create", "update"] }\n')
        admin = hvac.Client(url=self.url, token=root.auth.token.create(
            policies=["corp-admin"])["auth"]["client_token"])
        admin.auth.userpass.create_or_update_user("bob", "bob-pw", mount_point="corp")
        with self.assertRaises(hvac.exceptions.Forbidden):
            admin.auth.userpass.create_or_update_user("bob", "bob-pw")

        # Moved (hvac's move_backend, Vault's sys/remount), it keeps its users
        # and serves at the new path only; then it moves back.
        for source, target, message in (
                ("auth/corp", "staff", "cannot move between auth methods and secrets engines"),
                ("auth/nothing", "auth/x", "no auth method is enabled at auth/nothing/"),
                ("auth/corp", "auth/userpass", "path is already in use at userpass/")):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                root.sys.move_backend(source, target)
            self.assertEqual(str(caught.exception).split(", on ")[0], message)
        root.sys.move_backend("auth/corp", "auth/staff/people")
        self.assertEqual(root.sys.list_auth_methods()["data"]["staff/people/"]["description"],
                         "staff")
        self.assertNotIn("corp/", root.sys.list_auth_methods()["data"])
        moved = hvac.Client(url=self.url)
        moved.auth.userpass.login("bob", "bob-pw", mount_point="staff/people")
        self.assertEqual(moved.auth.token.lookup_self()["data"]["path"],
                         "auth/staff/people/login/bob")
        with self.assertRaises(hvac.exceptions.Forbidden):  # nothing at the old path
            hvac.Client(url=self.url).auth.userpass.login("bob", "bob-pw", mount_point="corp")
        root.sys.move_backend("auth/staff/people", "auth/corp")
        hvac.Client(url=self.url).auth.userpass.login("alice", "corp-pw", mount_point="corp")

        # Disabled, the mount is gone with its users; the other keeps its own.
        root.sys.disable_auth_method("corp")
        with self.assertRaises(hvac.exceptions.Forbidden):  # no login there: a token is needed
            hvac.Client(url=self.url).auth.userpass.login("alice", "corp-pw", mount_point="corp")
        with self.assertRaises(hvac.exceptions.InvalidPath) as caught:
            root.auth.userpass.list_user(mount_point="corp")
        self.assertEqual(str(caught.exception).split(", on ")[0],
                         'no handler for route "auth/corp/users"')
        hvac.Client(url=self.url).auth.userpass.login("alice", "home-pw")
        root.sys.enable_auth_method("userpass", path="corp")
        self.addCleanup(root.sys.disable_auth_method, "corp")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            hvac.Client(url=self.url).auth.userpass.login("alice", "corp-pw", mount_point="corp")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            root.auth.userpass.list_user(mount_point="corp")

    def test_approle_and_jwt_at_other_paths(self):
        root = hvac.Client(url=self.url, token=ROOT)
        root.sys.enable_auth_method("approle", path="machines")
        root.sys.enable_auth_method("jwt", path="ci/gitlab")
        self.addCleanup(root.sys.disable_auth_method, "machines")
        self.addCleanup(root.sys.disable_auth_method, "ci/gitlab")
        root.auth.approle.create_or_update_approle("web", token_policies=["default"],
                                                   mount_point="machines")
        role_id = root.auth.approle.read_role_id("web", mount_point="machines")["data"]["role_id"]
        secret_id = root.auth.approle.generate_secret_id("web", mount_point="machines")
        web = hvac.Client(url=self.url)
        web.auth.approle.login(role_id, secret_id["data"]["secret_id"], mount_point="machines")
        me = web.auth.token.lookup_self()["data"]
        self.assertEqual((me["path"], me["display_name"], me["meta"]),
                         ("auth/machines/login", "machines", {"role_name": "web"}))
        with self.assertRaises(hvac.exceptions.InvalidPath):  # nothing at approle/
            root.auth.approle.read_role_id("web")
        root.auth.jwt.create_role("deploy", user_claim="sub", allowed_redirect_uris=[],
                                  bound_audiences=["tresor"], path="ci/gitlab")
        self.assertEqual(root.auth.jwt.read_role("deploy", path="ci/gitlab")["data"]["user_claim"],
                         "sub")
        self.assertEqual(root.auth.jwt.list_roles(path="ci/gitlab")["data"]["keys"], ["deploy"])


class HvacLeasesTest(ServerTestCase):
    def test_no_lease_exists_and_the_endpoints_answer_as_vault_does(self):
        root = hvac.Client(url=self.url, token=ROOT)
        for call, message in ((lambda: root.sys.read_lease("kv/x/1"), "invalid lease"),
                              (lambda: root.sys.renew_lease("kv/x/1", 60), "lease not found"),
                              (lambda: root.adapter.put("/v1/sys/leases/lookup", json={}),
                               "missing lease ID")):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                call()
            self.assertEqual(str(caught.exception).split(", on ")[0], message)
        self.assertEqual(root.sys.revoke_lease("kv/x/1").status_code, 204)
        self.assertEqual(root.sys.revoke_prefix("kv/").status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidPath):
            root.sys.list_leases("kv/")
        # Prefix revocation and listing need sudo, as in Vault.
        user = hvac.Client(url=self.url, token=root.auth.token.create(
            policies=["everything"])["auth"]["client_token"])
        root.sys.create_or_update_policy("everything", 'path "*" { capabilities = ["update", '
                                                       '"list", "read"] }\n')
        with self.assertRaises(hvac.exceptions.Forbidden):
            user.sys.revoke_prefix("kv/")
        with self.assertRaises(hvac.exceptions.Forbidden):
            user.sys.list_leases("kv/")
        self.assertEqual(user.sys.revoke_lease("kv/x/1").status_code, 204)


class AuditTest(unittest.TestCase):
    def setUp(self):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="tresor-audit-")
        self.log = os.path.join(self.dir, "audit.log")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.dir, True)

    def run_server(self, work):
        proc, port = start_server("--audit-file", self.log)
        try:
            work(hvac.Client(url=f"http://127.0.0.1:{port}", token=ROOT))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            proc.stdout.close()
            proc.stderr.close()

    def verify(self):
        return subprocess.run([TRESOR, "audit", "verify", "--json", self.log],
                              capture_output=True, text=True, timeout=60)

    def test_the_log_holds_no_secret_or_token_and_its_chain_verifies(self):
        made = {}

        def first(client):
            client.secrets.kv.v2.create_or_update_secret("app/db", {"password": "s3cret-in-audit"})
            self.assertEqual(client.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                             {"password": "s3cret-in-audit"})
            made["token"] = client.auth.token.create(policies=["default"])["auth"]["client_token"]
            with self.assertRaises(hvac.exceptions.InvalidPath):
                client.secrets.kv.v2.read_secret_version("missing")

        self.run_server(first)
        # A restart continues the chain.
        self.run_server(lambda c: c.sys.read_health_status(method="GET"))
        self.assertEqual(oct(os.stat(self.log).st_mode & 0o777), "0o600")
        with open(self.log, "rb") as f:
            text = f.read()
        for secret in (b"s3cret-in-audit", ROOT.encode(), made["token"].encode()):
            self.assertNotIn(secret, text)
        lines = text.decode().splitlines()
        self.assertEqual(len(lines), 10)  # 5 requests, each logged twice
        first_line = json.loads(lines[0])
        self.assertEqual((first_line["type"], first_line["request"]["path"], first_line["seq"]),
                         ("request", "/v1/secret/data/app/db", 1))
        self.assertTrue(first_line["auth"]["client_token"].startswith("hmac-sha256:"))
        self.assertTrue(json.loads(lines[1])["response"]["body"]["data"]["version"]
                        .startswith("hmac-sha256:"))
        self.assertEqual(json.loads(lines[7])["response"], {"status": 404, "errors": []})
        proc = self.verify()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        report = json.loads(proc.stdout)
        self.assertEqual((report["lines"], len(report["last_hash"])), (10, 64))
        # Edit one value of line 3: found, with its line number.
        lines[2] = lines[2].replace('"read"', '"update"')
        with open(self.log, "w") as f:
            f.write("\n".join(lines) + "\n")
        proc = self.verify()
        self.assertEqual(proc.returncode, 5)
        self.assertEqual(proc.stderr, f"tresor: error: {self.log}: line 3: hash does not match "
                                      "(the line was edited)\n")


    def test_after_logrotate_and_sighup_the_files_verify_as_one_chain(self):
        import select
        import signal
        rotated = self.log + ".1"
        seen = []
        proc, port = start_server("--audit-file", self.log)
        try:
            client = hvac.Client(url=f"http://127.0.0.1:{port}", token=ROOT)
            client.secrets.kv.v2.create_or_update_secret("app/db", {"password": "pw"})
            os.rename(self.log, rotated)  # what logrotate does, then it signals
            proc.send_signal(signal.SIGHUP)
            # Requests from here on go to the new file once the server says so.
            # (Read unbuffered: select cannot see lines already in a buffer.)
            while '"audit log reopened"' not in "".join(seen):
                ready, _, _ = select.select([proc.stderr.fileno()], [], [], 30)
                self.assertTrue(ready, f"no reopen logged: {seen}")
                chunk = os.read(proc.stderr.fileno(), 65536)
                self.assertTrue(chunk, f"the server closed stderr: {seen}")
                seen.append(chunk.decode())
            client.secrets.kv.v2.read_secret_version("app/db")
            client.secrets.kv.v2.read_secret_version("app/db")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            proc.stdout.close()
            logs = "".join(seen) + proc.stderr.read()
            proc.stderr.close()
        self.assertEqual(proc.returncode, 0)
        reopened = [json.loads(l) for l in logs.splitlines() if '"audit log reopened"' in l]
        self.assertEqual([r["file"] for r in reopened], [self.log])
        self.assertEqual(oct(os.stat(self.log).st_mode & 0o777), "0o600")
        with open(rotated) as f:
            self.assertEqual(len(f.read().splitlines()), 2)
        proc = subprocess.run([TRESOR, "audit", "verify", "--json", rotated, self.log],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        old, new = [json.loads(l) for l in proc.stdout.splitlines()]
        self.assertEqual((old["file"], old["lines"], old["first_seq"], old["last_seq"]),
                         (rotated, 2, 1, 2))
        self.assertEqual((new["file"], new["lines"], new["first_seq"], new["last_seq"]),
                         (self.log, 4, 3, 6))
        self.assertEqual(new["follows"], old["last_hash"])
        # Alone, the new file is refused unless its start is said to be gone.
        proc = subprocess.run([TRESOR, "audit", "verify", self.log],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 5)
        self.assertEqual(proc.stderr, f"tresor: error: {self.log}: line 1: sequence number is "
                                      "not 1 (a line before it was removed, or lines were "
                                      "reordered)\n")
        proc = subprocess.run([TRESOR, "audit", "verify", "--continued", self.log],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, f"{self.log}: 4 lines (seq 3 to 6, after the line with "
                                      f"hash {old['last_hash']}), chain intact; last hash "
                                      f"{new['last_hash']}\n")
        # In the wrong order, the break is named.
        proc = subprocess.run([TRESOR, "audit", "verify", self.log, rotated],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 5)
        self.assertTrue(proc.stderr.startswith(f"tresor: error: {self.log}: line 1: "),
                        proc.stderr)


NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


class NodeVaultTest(ServerTestCase):
    def test_node_vault_drives_the_server(self):
        # node-vault from the npm registry, pinned by package-lock.json.
        if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "node-vault")):
            subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                           check=True, timeout=600)
        proc = subprocess.run(["node", "node_vault_test.js", self.url, ROOT], cwd=NODE_DIR,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout.splitlines()[-1], "ok 10", proc.stdout)


class KvPatchTest(ServerTestCase):
    """PATCH of data and metadata (JSON merge patch) and subkeys, as Vault."""

    def call(self, method, path, body=None, content_type="application/merge-patch+json"):
        return requests.request(method, f"{self.url}/v1/{path}", json=body, timeout=30,
                                headers={"X-Vault-Token": ROOT, "Content-Type": content_type})

    def test_patch_merges_into_a_new_version(self):
        kv = hvac.Client(url=self.url, token=ROOT).secrets.kv.v2
        kv.create_or_update_secret("patch/app", {"a": "1", "b": {"c": "2", "d": {"e": "3"}}})
        r = self.call("PATCH", "secret/data/patch/app",
                      {"data": {"a": None, "x": "9", "b": {"c": "22"}}, "options": {"cas": 1}})
        self.assertEqual((r.status_code, r.json()["data"]["version"]), (200, 2), r.text)
        self.assertEqual(kv.read_secret_version("patch/app")["data"]["data"],
                         {"x": "9", "b": {"c": "22", "d": {"e": "3"}}})
        r = self.call("PATCH", "secret/data/patch/app", {"data": {"x": "0"}, "options": {"cas": 1}})
        self.assertEqual((r.status_code, r.json()), (400, {"errors": [
            "check-and-set parameter did not match the current version"]}))
        r = self.call("PATCH", "secret/data/patch/none", {"data": {"x": "0"}})
        self.assertEqual(r.status_code, 404)
        r = self.call("PATCH", "secret/data/patch/app", {"data": {"x": "0"}},
                      content_type="application/x-www-form-urlencoded")
        self.assertEqual((r.status_code, r.json()), (415, {"errors": [
            "PATCH takes Content-Type: application/merge-patch+json, not "
            "application/x-www-form-urlencoded"]}))
        r = self.call("GET", "secret/subkeys/patch/app?version=2&depth=2")
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["data"]["subkeys"], {"x": None, "b": {"c": None, "d": None}})
        self.assertEqual(r.json()["data"]["metadata"]["version"], 2)
        self.assertEqual(self.call("GET", "secret/subkeys/patch/app?depth=x").json(),
                         {"errors": ['depth: expected a number, got "x"']})
        kv.delete_latest_version_of_secret("patch/app")  # a deleted latest version: 404
        self.assertEqual(self.call("PATCH", "secret/data/patch/app",
                                   {"data": {"x": "0"}}).status_code, 404)
        self.assertEqual(self.call("GET", "secret/subkeys/patch/app").status_code, 404)

    def test_patch_metadata_merges_custom_metadata(self):
        kv = hvac.Client(url=self.url, token=ROOT).secrets.kv.v2
        kv.create_or_update_secret("patch/meta", {"a": "1"})
        self.call("POST", "secret/metadata/patch/meta",
                  {"custom_metadata": {"owner": "ops", "tier": "1"}}, "application/json")
        r = self.call("PATCH", "secret/metadata/patch/meta",
                      {"custom_metadata": {"tier": None, "team": "db"}, "max_versions": 3})
        self.assertEqual(r.status_code, 204, r.text)
        meta = kv.read_secret_metadata("patch/meta")["data"]
        self.assertEqual((meta["custom_metadata"], meta["max_versions"]),
                         ({"owner": "ops", "team": "db"}, 3))
        self.assertEqual(self.call("PATCH", "secret/metadata/patch/none",
                                   {"max_versions": 3}).status_code, 404)


class CurlTest(ServerTestCase):
    def test_transcript(self):
        out = self.curl("-H", f"X-Vault-Token: {ROOT}", "-X", "POST",
                        "-d", '{"data": {"api_key": "k-123"}}', f"{self.url}/v1/secret/data/svc")
        self.assertTrue(out.startswith("HTTP/1.1 200 OK\r\n"), out)
        self.assertIn("Content-Type: application/json\r\n", out)
        out = self.curl("-H", f"Authorization: Bearer {ROOT}", f"{self.url}/v1/secret/data/svc")
        body = json.loads(out.split("\r\n\r\n", 1)[1])
        self.assertEqual(body["data"]["data"], {"api_key": "k-123"})
        out = self.curl("-X", "LIST", "-H", f"X-Vault-Token: {ROOT}",
                        f"{self.url}/v1/secret/metadata/")
        self.assertEqual(json.loads(out.split("\r\n\r\n", 1)[1])["data"]["keys"], ["svc"])
        out = self.curl("-H", f"X-Vault-Token: {ROOT}",
                        f"{self.url}/v1/secret/metadata/?list=true")
        self.assertEqual(json.loads(out.split("\r\n\r\n", 1)[1])["data"]["keys"], ["svc"])
        out = self.curl("-X", "DELETE", "-H", f"X-Vault-Token: {ROOT}",
                        f"{self.url}/v1/secret/data/svc")
        self.assertTrue(out.startswith("HTTP/1.1 204 No Content\r\n"), out)
        out = self.curl(f"{self.url}/v1/secret/data/svc")
        self.assertEqual(out.split("\r\n")[0], "HTTP/1.1 403 Forbidden")
        self.assertEqual(out.split("\r\n\r\n", 1)[1], '{"errors":["permission denied"]}\n')


class MountsTest(ServerTestCase):
    def setUp(self):
        self.client = hvac.Client(url=self.url, token=ROOT)

    def test_tune_changes_the_description_and_refuses_what_it_cannot_do(self):
        self.client.sys.enable_secrets_engine("kv", path="tuned", options={"version": "2"},
                                              description="before")
        self.client.secrets.kv.v2.create_or_update_secret("a", {"v": "1"}, mount_point="tuned")
        read = self.client.sys.read_mount_configuration("tuned")
        self.assertEqual({k: read["data"][k] for k in ("description", "options",
                                                       "default_lease_ttl", "max_lease_ttl")},
                         {"description": "before", "options": {"version": "2"},
                          "default_lease_ttl": 2764800, "max_lease_ttl": 2764800})
        self.client.sys.tune_mount_configuration("tuned", description="after",
                                                 options={"version": "2"})
        mounts = self.client.sys.list_mounted_secrets_engines()["data"]
        self.assertEqual(mounts["tuned/"]["description"], "after")
        # The engine and its data are the same ones.
        self.assertEqual(self.client.secrets.kv.v2.read_secret_version(
            "a", mount_point="tuned")["data"]["data"], {"v": "1"})
        for settings, message in (
                ({"options": {"version": "1"}},
                 "changing a mount's KV version or options is not supported"),
                ({"default_lease_ttl": "1h"}, "default_lease_ttl is not supported for a KV mount"),
                ({"listing_visibility": "unauth"},
                 "listing_visibility is not supported for a KV mount")):
            with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
                self.client.sys.tune_mount_configuration("tuned", **settings)
            self.assertEqual(caught.exception.errors, [message])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.client.sys.read_mount_configuration("nowhere")
        self.assertEqual(caught.exception.errors, ["no mount at nowhere"])
        self.assertEqual(self.client.sys.list_mounted_secrets_engines()["data"]["tuned/"]
                         ["description"], "after")

    def test_kv_version_1_mount(self):
        self.client.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"},
                                              description="old style")
        mounts = self.client.sys.list_mounted_secrets_engines()["data"]
        self.assertEqual(mounts["kv1/"]["options"], {"version": "1"})
        self.assertEqual(mounts["kv1/"]["description"], "old style")
        self.assertEqual(mounts["secret/"]["options"], {"version": "2"})
        kv1 = self.client.secrets.kv.v1
        kv1.create_or_update_secret("app/db", {"user": "u", "password": "p"}, mount_point="kv1")
        kv1.create_or_update_secret("app/cache", {"url": "redis://"}, mount_point="kv1")
        kv1.create_or_update_secret("top", {"x": "1"}, mount_point="kv1")
        self.assertEqual(kv1.read_secret("app/db", mount_point="kv1")["data"],
                         {"user": "u", "password": "p"})
        self.assertEqual(kv1.list_secrets("app", mount_point="kv1")["data"]["keys"],
                         ["cache", "db"])
        self.assertEqual(kv1.list_secrets("", mount_point="kv1")["data"]["keys"], ["app/", "top"])
        kv1.delete_secret("app/db", mount_point="kv1")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            kv1.read_secret("app/db", mount_point="kv1")
        # Unmounting deletes the data: a new mount at the path starts empty.
        self.client.sys.disable_secrets_engine("kv1")
        self.client.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
        with self.assertRaises(hvac.exceptions.InvalidPath):
            kv1.read_secret("top", mount_point="kv1")

    def test_a_second_kv_version_2_mount_and_policies_on_it(self):
        self.client.sys.enable_secrets_engine("kv-v2", path="team")
        kv = self.client.secrets.kv.v2
        kv.create_or_update_secret("svc", {"k": "v"}, mount_point="team")
        self.assertEqual(kv.read_secret_version("svc", mount_point="team")["data"]["data"], {"k": "v"})
        with self.assertRaises(hvac.exceptions.InvalidPath):
            kv.read_secret_version("svc")  # not in secret/
        self.client.sys.create_or_update_policy(
            "team-create", 'path "team/data/*" { capabilities = ["create", "read"] }')
        token = self.client.auth.token.create(policies=["team-create"])["auth"]["client_token"]
        app = hvac.Client(url=self.url, token=token)
        app.secrets.kv.v2.create_or_update_secret("new", {"a": "1"}, mount_point="team")
        with self.assertRaises(hvac.exceptions.Forbidden):  # an update, not a create
            app.secrets.kv.v2.create_or_update_secret("svc", {"k": "w"}, mount_point="team")
        ui = self.client.adapter.get("/v1/sys/internal/ui/mounts/team/data/svc")
        self.assertEqual((ui["data"]["path"], ui["data"]["options"]), ("team/", {"version": "2"}))

    def test_bad_mounts_are_refused(self):
        for path, kind, message in [
                ("secret", "kv", "path is already in use at secret/"),
                ("secret/inner", "kv", "path is already in use at secret/"),
                ("sys/x", "kv", 'invalid mount path "sys/x/"'),
                ("other", "pki", 'only kv and transit secrets engines can be mounted, not "pki"')]:
            with self.assertRaises(hvac.exceptions.InvalidRequest) as e:
                self.client.sys.enable_secrets_engine(kind, path=path)
            self.assertEqual(e.exception.errors, [message], path)


def make_certificate(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="tresor-tls-")
        cls.cert, cls.key = make_certificate(cls.dir)
        # Any address once TLS is on: no --insecure-listen needed.
        cls.proc, cls.port = start_server("--listen", "0.0.0.0:0", "--tls-cert-file", cls.cert,
                                          "--tls-key-file", cls.key)
        cls.url = f"https://127.0.0.1:{cls.port}"

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(timeout=30)
        cls.proc.stdout.close()
        cls.proc.stderr.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_hvac_and_curl_over_tls(self):
        client = hvac.Client(url=self.url, token=ROOT, verify=self.cert)
        client.secrets.kv.v2.create_or_update_secret("tls/db", {"password": "over-tls"})
        self.assertEqual(client.secrets.kv.v2.read_secret_version("tls/db")["data"]["data"],
                         {"password": "over-tls"})
        out = subprocess.run(["curl", "-sS", "--cacert", self.cert, "-H", f"X-Vault-Token: {ROOT}",
                              f"{self.url}/v1/secret/data/tls/db"], capture_output=True, text=True)
        self.assertEqual(json.loads(out.stdout)["data"]["data"], {"password": "over-tls"})
        # TLS 1.1 is refused; an unverified client is the client's choice.
        old = subprocess.run(["curl", "-sS", "-k", "--tls-max", "1.1", f"{self.url}/v1/sys/health"],
                             capture_output=True, text=True)
        self.assertNotEqual(old.returncode, 0)

    def cli(self, *args, address=None, cacert=None):
        env = {k: v for k, v in os.environ.items()
               if k not in ("TRESOR_CACERT", "VAULT_CACERT", "SSL_CERT_FILE", "SSL_CERT_DIR")}
        env.update(TRESOR_ADDR=address or self.url, TRESOR_TOKEN=ROOT)
        if cacert:
            env["TRESOR_CACERT"] = cacert
        return subprocess.run([TRESOR, *args], capture_output=True, text=True, env=env,
                              timeout=30)

    def test_the_cli_over_tls_verifies_the_certificate(self):
        put = self.cli("kv", "put", "cli/tls", "user=ada", "password=over-tls", cacert=self.cert)
        self.assertEqual((put.returncode, put.stderr), (0, ""))
        self.assertEqual(put.stdout, "secret/cli/tls: version 1\n")
        got = self.cli("kv", "get", "cli/tls", cacert=self.cert)
        self.assertEqual((got.returncode, got.stdout), (0, "password=over-tls\nuser=ada\n"))
        # Not trusted without the CA; not for another name; a missing CA file.
        untrusted = self.cli("kv", "get", "cli/tls")
        self.assertEqual(untrusted.returncode, 1)
        self.assertEqual(untrusted.stderr, f"tresor: error: {self.url}: certificate not trusted: "
                                           "self-signed certificate\n")
        other = f"https://localhost:{self.port}"
        wrong_name = self.cli("kv", "get", "cli/tls", address=other, cacert=self.cert)
        self.assertEqual(wrong_name.returncode, 1)
        self.assertEqual(wrong_name.stderr,
                         f"tresor: error: {other}: certificate not trusted: hostname mismatch\n")
        missing = os.path.join(self.dir, "no-such-ca.pem")
        no_file = self.cli("kv", "get", "cli/tls", cacert=missing)
        self.assertEqual(no_file.returncode, 3)
        self.assertTrue(no_file.stderr.startswith(
            f"tresor: error: {missing}: cannot use as CA certificates: "), no_file.stderr)
        # --ca-cert names the CA file and wins over the environment.
        flag = self.cli("kv", "get", "--ca-cert", self.cert, "cli/tls", cacert=missing)
        self.assertEqual((flag.returncode, flag.stdout, flag.stderr),
                         (0, "password=over-tls\nuser=ada\n", ""))
        status = self.cli("status", "--json", "--ca-cert", self.cert)
        self.assertEqual((status.returncode, json.loads(status.stdout)["sealed"]), (0, False))

    def test_clients_that_vanish_mid_response_do_not_stop_the_server(self):
        import ssl
        import struct
        context = ssl.create_default_context(cafile=self.cert)
        for _ in range(20):
            raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s = context.wrap_socket(raw, server_hostname="127.0.0.1")
            s.sendall(f"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\nX-Vault-Token: {ROOT}"
                      "\r\n\r\n".encode())
            # Reset, not closed: the server's reply and close_notify meet a
            # dead socket (EPIPE, which must not be a fatal SIGPIPE).
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        time.sleep(0.2)
        self.assertIsNone(self.proc.poll())
        client = hvac.Client(url=self.url, verify=self.cert)
        self.assertFalse(client.sys.read_health_status(method="GET")["sealed"])

    def test_plain_http_to_the_tls_port_gets_no_answer(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                data = b""
            self.assertEqual(data, b"")  # closed: no plaintext answer
        client = hvac.Client(url=self.url, verify=self.cert)
        self.assertFalse(client.sys.read_health_status(method="GET")["sealed"])

    def test_a_key_that_is_not_the_certificates_is_refused(self):
        other_dir = tempfile.mkdtemp(prefix="tresor-tls-other-", dir=self.dir)
        _, other_key = make_certificate(other_dir)
        proc = subprocess.run([TRESOR, "server", "--dev", "--listen", "127.0.0.1:0",
                               "--tls-cert-file", self.cert, "--tls-key-file", other_key],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertTrue(proc.stderr.startswith(
            f"tresor: error: {other_key}: not the key of {self.cert}: "), proc.stderr)
        missing = subprocess.run([TRESOR, "server", "--dev", "--listen", "127.0.0.1:0",
                                  "--tls-cert-file", self.cert], capture_output=True, text=True)
        self.assertEqual(missing.stderr, "tresor: error: TLS needs both a certificate and its key\n")


class MetricsTest(ServerTestCase):
    def test_prometheus_and_json_metrics_need_a_token_allowed_to_read_them(self):
        client = hvac.Client(url=self.url, token=ROOT)
        client.secrets.kv.v2.create_or_update_secret("m/one", {"v": "metric-secret-value"})
        for _ in range(3):
            client.secrets.kv.v2.read_secret_version("m/one")
        out = self.curl("-H", f"X-Vault-Token: {ROOT}",
                        f"{self.url}/v1/sys/metrics?format=prometheus")
        head, _, text = out.partition("\r\n\r\n")
        self.assertIn("Content-Type: text/plain; version=0.0.4\r\n", head)
        lines = text.splitlines()
        reads = [l for l in lines if l.startswith('tresor_requests_total{method="GET",code="200"} ')]
        self.assertEqual(len(reads), 1, text)
        self.assertGreaterEqual(int(reads[0].split()[-1]), 3)
        self.assertIn('tresor_requests_total{method="POST",code="200"} 1', lines)
        self.assertIn("# TYPE tresor_requests_total counter", lines)
        self.assertIn("# TYPE tresor_request_duration_seconds histogram", lines)
        count = [l for l in lines if l.startswith("tresor_request_duration_seconds_count ")]
        self.assertEqual(len(count), 1, text)
        self.assertGreaterEqual(int(count[0].split()[-1]), 4)  # this one not yet
        self.assertIn('tresor_request_duration_seconds_bucket{le="+Inf"} '
                      + count[0].split()[-1], lines)
        self.assertIn("tresor_sealed 0", lines)
        self.assertTrue(any(l.startswith("tresor_storage_transactions_total ") for l in lines))
        self.assertNotIn("metric-secret-value", text)
        self.assertNotIn(ROOT, text)
        as_json = json.loads(self.curl("-H", f"X-Vault-Token: {ROOT}",
                                       f"{self.url}/v1/sys/metrics").split("\r\n\r\n", 1)[1])
        self.assertIn({"Name": "tresor_sealed", "Value": 0}, as_json["Gauges"])
        self.assertTrue(any(c["Labels"] == {"method": "POST", "code": "200"}
                            for c in as_json["Counters"]))
        [duration] = as_json["Samples"]
        self.assertEqual(duration["Name"], "tresor.request.duration")
        self.assertGreaterEqual(duration["Count"], 5)
        self.assertGreaterEqual(duration["Max"], duration["Mean"])
        weak = client.auth.token.create(policies=["default"])["auth"]["client_token"]
        for token in (weak, "no-such-token"):
            out = self.curl("-H", f"X-Vault-Token: {token}", f"{self.url}/v1/sys/metrics")
            self.assertEqual(out.split("\r\n")[0], "HTTP/1.1 403 Forbidden")

    def test_logs_are_json_lines_without_secrets(self):
        proc, port = start_server()
        proc.terminate()
        proc.wait(timeout=30)
        err = proc.stderr.read().splitlines()
        proc.stdout.close()
        proc.stderr.close()
        events = [json.loads(line) for line in err]
        self.assertEqual([e["msg"] for e in events], ["listening", "stopping"])
        self.assertEqual(events[0]["address"], f"http://127.0.0.1:{port}")
        self.assertEqual(events[1]["signal"], "SIGTERM")
        self.assertNotIn(ROOT, "\n".join(err))


class BadInputTest(ServerTestCase):
    extra_args = ("--request-timeout", "2s")

    def status_and_body(self, data):
        out = self.raw(data)
        head, _, body = out.partition(b"\r\n\r\n")
        return head.split(b"\r\n")[0].decode(), body.decode()

    def test_hostile_requests_get_a_4xx_and_the_server_keeps_serving(self):
        token = f"X-Vault-Token: {ROOT}\r\n".encode()
        cases = [
            (b"PUT /v1/secret/data/x HTTP/1.1\r\n" + token +
             b"Connection: close\r\nContent-Length: 9\r\n\r\n{not json",
             "HTTP/1.1 400 Bad Request", '{"errors":["failed to parse JSON input: not valid JSON at byte 3"]}\n'),
            (b"PUT /v1/secret/data/x HTTP/1.1\r\nContent-Length: 40000000\r\n\r\n",
             "HTTP/1.1 413 Payload Too Large", '{"errors":["request body too large"]}\n'),
            (b"GET /v1/secret/../sys/seal HTTP/1.1\r\n\r\n",
             "HTTP/1.1 400 Bad Request", '{"errors":["invalid path"]}\n'),
            (b"GET /v1/secret/%2e%2e/sys/seal HTTP/1.1\r\n\r\n",
             "HTTP/1.1 400 Bad Request", '{"errors":["invalid path"]}\n'),
            (b"GET /v1/secret/data/\xff\xfe HTTP/1.1\r\n\r\n",
             "HTTP/1.1 400 Bad Request", '{"errors":["invalid path"]}\n'),
            (b"BREW /v1/secret/data/x HTTP/1.1\r\n\r\n",
             "HTTP/1.1 405 Method Not Allowed", '{"errors":["unsupported method"]}\n'),
            (b"GET /v1/secret/data/x HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n",
             "HTTP/1.1 431 Request Header Fields Too Large",
             '{"errors":["request head too large"]}\n'),
            (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 garbage\r\n\r\n",
             "HTTP/1.1 400 Bad Request", '{"errors":["malformed request line"]}\n'),
        ]
        for request, status, body in cases:
            with self.subTest(request=request[:40]):
                self.assertEqual(self.status_and_body(request), (status, body))
        self.assertEqual(self.status_and_body(b"GET /v1/sys/health HTTP/1.0\r\n\r\n")[0],
                         "HTTP/1.1 200 OK")

    def test_a_slow_request_times_out_with_408(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n")  # never finished
            start = time.monotonic()
            out = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                out += chunk
            elapsed = time.monotonic() - start
        self.assertTrue(out.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), out)
        self.assertTrue(1.5 < elapsed < 5, elapsed)

    def test_ten_thousand_idle_connections_do_not_stop_service(self):
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard < 10200:
            self.skipTest(f"RLIMIT_NOFILE hard limit {hard} is below 10,200")
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 10200), hard))
        idle = []
        try:
            for _ in range(10000):
                s = socket.socket()
                s.setblocking(False)
                try:
                    s.connect(("127.0.0.1", self.port))
                except BlockingIOError:
                    pass
                idle.append(s)
            time.sleep(0.5)
            started = time.monotonic()
            client = hvac.Client(url=self.url, token=ROOT)
            client.secrets.kv.v2.create_or_update_secret("busy", {"k": "v"})
            self.assertEqual(client.secrets.kv.v2.read_secret_version("busy")["data"]["data"],
                             {"k": "v"})
            self.assertLess(time.monotonic() - started, 5)
        finally:
            for s in idle:
                s.close()
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


if __name__ == "__main__":
    unittest.main()
