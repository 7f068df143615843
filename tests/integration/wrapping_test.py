"""Response wrapping (X-Vault-Wrap-TTL, sys/wrapping/*) with hvac, raw HTTP
and the tresor CLI: a wrapped answer holds no secret, unwraps once and only
once (also when two clients race for it), its token can do nothing else,
lookup does not use it up, rewrap moves it to a new token, wrap wraps any
data, and an expired wrapping token unwraps nothing."""
import concurrent.futures
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import hvac
import requests

from server_test import ROOT, TRESOR, ServerTestCase, wait_for

INVALID = ["wrapping token is not valid or does not exist"]


class WrappingTest(ServerTestCase):
    def setUp(self):
        self.root = hvac.Client(url=self.url, token=ROOT)
        self.addCleanup(self.root.adapter.close)
        self.root.secrets.kv.v2.create_or_update_secret("wrap/db", secret={"password": "s3cret"})

    def post(self, path, body=None, token=None, ttl=None):
        headers = {"X-Vault-Token": token} if token else {}
        if ttl:
            headers["X-Vault-Wrap-TTL"] = ttl
        return requests.post(f"{self.url}/v1/{path}", json=body or {}, headers=headers,
                             timeout=30)

    def test_a_wrapped_read_unwraps_once_and_its_token_does_nothing_else(self):
        plain = requests.get(f"{self.url}/v1/secret/data/wrap/db",
                             headers={"X-Vault-Token": ROOT}, timeout=30).json()
        wrapped = self.root.read("secret/data/wrap/db", wrap_ttl="5m")
        self.assertNotIn("s3cret", json.dumps(wrapped))
        self.assertIsNone(wrapped["data"])
        info = wrapped["wrap_info"]
        self.assertEqual((info["ttl"], info["creation_path"], info["wrapped_accessor"]),
                         (300, "secret/data/wrap/db", ""))
        self.assertRegex(info["creation_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        token = info["token"]
        # The wrapping token reads nothing, lists nothing, makes no token.
        for method, path in (("GET", "secret/data/wrap/db"), ("LIST", "secret/metadata/wrap"),
                             ("POST", "auth/token/create")):
            got = requests.request(method, f"{self.url}/v1/{path}",
                                   headers={"X-Vault-Token": token}, timeout=30)
            self.assertEqual(got.status_code, 403, path)
        # Lookup needs no token and does not use it up.
        looked = self.post("sys/wrapping/lookup", {"token": token}).json()["data"]
        self.assertEqual((looked["creation_path"], looked["creation_ttl"]),
                         ("secret/data/wrap/db", 300))
        holder = hvac.Client(url=self.url, token=token)
        self.addCleanup(holder.adapter.close)
        unwrapped = holder.sys.unwrap()
        self.assertEqual(unwrapped["data"], plain["data"])
        again = self.post("sys/wrapping/unwrap", token=token)
        self.assertEqual((again.status_code, again.json()["errors"]), (400, INVALID))
        self.assertEqual(self.post("sys/wrapping/lookup", {"token": token}).json()["errors"],
                         INVALID)

    def test_of_two_clients_racing_to_unwrap_exactly_one_gets_it(self):
        for _ in range(5):
            token = self.root.read("secret/data/wrap/db", wrap_ttl="60")["wrap_info"]["token"]
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                codes = sorted(pool.map(
                    lambda _: self.post("sys/wrapping/unwrap", {"token": token}).status_code,
                    range(8)))
            self.assertEqual(codes, [200] + [400] * 7)

    def test_token_create_wrap_rewrap_and_expiry(self):
        made = self.root.auth.token.create(policies=["default"], wrap_ttl="2m")
        self.assertIsNone(made["auth"])
        info = made["wrap_info"]
        self.assertNotEqual(info["wrapped_accessor"], "")
        got = self.root.sys.unwrap(info["token"])
        self.assertEqual(got["auth"]["accessor"], info["wrapped_accessor"])
        self.assertEqual(self.root.auth.token.lookup(got["auth"]["client_token"])["data"]
                         ["policies"], ["default"])
        # Any data, wrapped; rewrap moves it to a new token.
        first = self.post("sys/wrapping/wrap", {"pin": "0000"}, ROOT, "90s").json()["wrap_info"]
        self.assertEqual(first["creation_path"], "sys/wrapping/wrap")
        moved = self.post("sys/wrapping/rewrap", {"token": first["token"]}, ROOT).json()
        second = moved["wrap_info"]
        self.assertEqual((second["ttl"], second["creation_path"]), (90, "sys/wrapping/wrap"))
        self.assertEqual(self.post("sys/wrapping/unwrap", {"token": first["token"]}).json()
                         ["errors"], INVALID)
        self.assertEqual(self.root.sys.unwrap(second["token"])["data"], {"pin": "0000"})
        self.assertEqual(self.post("sys/wrapping/wrap", {"x": 1}, ROOT).json()["errors"],
                         ["sys/wrapping/wrap needs X-Vault-Wrap-TTL"])
        # A policy named like the wrapping tokens' cannot give them rights.
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.root.sys.create_or_update_policy(
                "response-wrapping", 'path "secret/*" { capabilities = ["read"] }')
        self.assertEqual(caught.exception.errors, ["cannot update the response-wrapping policy"])
        # Expired: unwraps nothing (waited for, not slept).
        short = self.root.read("secret/data/wrap/db", wrap_ttl="1s")["wrap_info"]["token"]
        wait_for(lambda: self.post("sys/wrapping/lookup", {"token": short}).status_code == 400,
                 "the wrapping token to expire", limit=30)
        self.assertEqual(self.post("sys/wrapping/unwrap", {"token": short}).json()["errors"],
                         INVALID)

    def test_the_cli_wraps_and_unwraps_without_the_token_in_argv_for_long(self):
        home = tempfile.mkdtemp(prefix="tresor-wrap-")
        self.addCleanup(shutil.rmtree, home, True)
        env = {"PATH": os.environ["PATH"], "HOME": home, "TRESOR_ADDR": self.url,
               "TRESOR_TOKEN": ROOT}

        def tresor(*args, stdin=None, code=0):
            proc = subprocess.run([TRESOR, *args], input=stdin, capture_output=True, text=True,
                                  env=env, timeout=60)
            self.assertEqual(proc.returncode, code, proc.stderr)
            return proc

        out = tresor("read", "--wrap-ttl", "5m", "--field", "token", "secret/data/wrap/db")
        token = out.stdout.strip()
        self.assertRegex(token, r"^tr\.[0-9A-Za-z]{32}$")
        got = json.loads(tresor("unwrap", "--json", "-", stdin=token + "\n").stdout)
        self.assertEqual(got["data"]["data"], {"password": "s3cret"})
        err = tresor("unwrap", token, code=2).stderr
        self.assertEqual(err, "tresor: error: sys/wrapping/unwrap: 400: wrapping token is not "
                              "valid or does not exist\n")
        written = tresor("write", "--wrap-ttl", "1m", "--field", "token", "sys/wrapping/wrap",
                         "note=hello").stdout.strip()
        self.assertEqual(tresor("unwrap", written).stdout, "note=hello\n")


if __name__ == "__main__":
    unittest.main()
