"""cubbyhole/ through hvac: each token's own space, which no other token
reaches (root included), listed in sys/mounts and never unmounted; and, on a
server with its store on disk, the records of a revoked or expired token's
cubbyhole (and of its children's) leave the database."""
import os
import sqlite3
import unittest

import hvac

from persistence_test import TempDirTest, init_and_unseal
from server_test import ROOT, ServerTestCase, wait_for


class CubbyholeTest(ServerTestCase):
    def setUp(self):
        self.root = hvac.Client(url=self.url, token=ROOT)
        self.addCleanup(self.root.adapter.close)

    def client(self, **create):
        made = self.root.auth.token.create(policies=["default"], **create)["auth"]
        client = hvac.Client(url=self.url, token=made["client_token"])
        self.addCleanup(client.adapter.close)
        return client

    def test_each_token_reads_only_its_own(self):
        a, b = self.client(), self.client()
        a.write("cubbyhole/note", v="for a")
        a.write("cubbyhole/deep/er", v="x")
        b.write("cubbyhole/note", v="for b")
        self.assertEqual(a.read("cubbyhole/note")["data"], {"v": "for a"})
        self.assertEqual(b.read("cubbyhole/note")["data"], {"v": "for b"})
        self.assertIsNone(self.root.read("cubbyhole/note"))  # root has its own, empty
        self.assertEqual(a.list("cubbyhole/")["data"]["keys"], ["deep/", "note"])
        self.assertEqual(a.list("cubbyhole/deep")["data"]["keys"], ["er"])
        self.assertIsNone(b.list("cubbyhole/deep"))
        a.delete("cubbyhole/note")
        self.assertIsNone(a.read("cubbyhole/note"))
        self.assertEqual(b.read("cubbyhole/note")["data"], {"v": "for b"})
        with self.assertRaises(hvac.exceptions.InvalidRequest) as empty:
            a.write("cubbyhole/empty")
        self.assertEqual(empty.exception.errors, ["no data provided"])

    def test_a_token_without_the_default_policy_has_none(self):
        made = self.root.auth.token.create(policies=["nothing"], no_default_policy=True)["auth"]
        bare = hvac.Client(url=self.url, token=made["client_token"])
        self.addCleanup(bare.adapter.close)
        with self.assertRaises(hvac.exceptions.Forbidden):
            bare.write("cubbyhole/note", v="x")

    def test_listed_and_never_unmounted(self):
        mounts = self.root.sys.list_mounted_secrets_engines()["data"]
        self.assertEqual((mounts["cubbyhole/"]["type"], mounts["cubbyhole/"]["description"]),
                         ("cubbyhole", "per-token private secret storage"))
        with self.assertRaises(hvac.exceptions.InvalidRequest) as refused:
            self.root.sys.disable_secrets_engine("cubbyhole")
        self.assertEqual(refused.exception.errors, ['cannot unmount "cubbyhole/"'])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as taken:
            self.root.sys.enable_secrets_engine("kv", path="cubbyhole")
        self.assertEqual(taken.exception.errors, ['invalid mount path "cubbyhole/"'])


class CubbyholeCleanupTest(TempDirTest):
    def test_a_revoked_or_expired_tokens_cubbyhole_leaves_the_store(self):
        server = self.server().start()
        root, _ = init_and_unseal(server)
        self.addCleanup(root.adapter.close)

        root.sys.create_or_update_policy("maker", 'path "auth/token/create" { capabilities = ["update"] }')

        def token(policies=("default",), **create):
            made = root.auth.token.create(policies=list(policies), **create)["auth"]
            client = hvac.Client(url=server.url, token=made["client_token"])
            self.addCleanup(client.adapter.close)
            return client

        parent, keeper, brief = token(["default", "maker"]), token(), token(ttl="8s")
        child = hvac.Client(url=server.url, token=parent.auth.token.create(
            policies=["default"])["auth"]["client_token"])
        self.addCleanup(child.adapter.close)
        for client in (parent, child, keeper, brief):
            client.write("cubbyhole/a", v="1")
            client.write("cubbyhole/b/c", v="2")
        database = os.path.join(server.data, "tresor.db")

        def cubbyhole_records():
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
                keys = [k for (k,) in db.execute(
                    "SELECT key FROM records WHERE key LIKE 'cubbyhole/%'")]
            return {key.split("/")[1] for key in keys}, len(keys)

        owners, count = cubbyhole_records()
        self.assertEqual((len(owners), count), (4, 8))
        root.auth.token.revoke(parent.token)  # and its child
        # Unreachable at once; gone from the store within the sweep's seconds.
        with self.assertRaises(hvac.exceptions.Forbidden):
            child.read("cubbyhole/a")
        wait_for(lambda: cubbyhole_records()[1] <= 4, "the revoked tokens' cubbyholes gone")
        wait_for(lambda: cubbyhole_records() == (cubbyhole_records()[0], 2) and
                 len(cubbyhole_records()[0]) == 1, "the expired token's cubbyhole gone")
        self.assertEqual(keeper.read("cubbyhole/b/c")["data"], {"v": "2"})
        self.assertEqual(keeper.list("cubbyhole/")["data"]["keys"], ["a", "b/"])


if __name__ == "__main__":
    unittest.main()
