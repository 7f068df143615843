"""Snapshots (`tresor operator snapshot save | restore`): saved beside a
running server while 8 writers write, opened by the real `age`, restored
into a new data directory that a new server unseals with the old keys and
serves every write acknowledged before the save began; a tampered, cut,
foreign or crafted snapshot refused with the target untouched; kill -9
during save and restore leaving no half-written file and no half-restored
store."""
import glob
import http.client
import json
import os
import re
import signal
import subprocess
import threading
import unittest

import hvac

from persistence_test import TRESOR, TempDirTest, init_and_unseal
from server_test import wait_for

EXIT_REFUSED, EXIT_USAGE, EXIT_NO_MATCH, EXIT_INTEGRITY, EXIT_SYNTAX = 1, 2, 4, 5, 5


class SnapshotTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.key = os.path.join(self.dir, "backup.key")
        subprocess.run(["age-keygen", "-o", self.key], check=True, capture_output=True)
        self.recipient = subprocess.run(["age-keygen", "-y", self.key], check=True,
                                        capture_output=True, text=True).stdout.strip()
        self.snapshot = os.path.join(self.dir, "snap.age")

    def tresor(self, *args, code=0, stdin=None):
        proc = subprocess.run([TRESOR, *args], capture_output=True, text=True, timeout=300,
                              input=stdin)
        self.assertEqual(proc.returncode, code, proc.stderr)
        return proc

    def save(self, data, *extra, code=0):
        return self.tresor("operator", "snapshot", "save", "--from", f"sqlite:{data}",
                           "-r", self.recipient, *extra, self.snapshot, code=code)

    def restore(self, target, snapshot=None, key=None, code=0):
        return self.tresor("operator", "snapshot", "restore", "--to", f"sqlite:{target}",
                           "-i", key or self.key, snapshot or self.snapshot, code=code)

    def small_store(self):
        server = self.server(audit=False).start()
        client, made = init_and_unseal(server)
        client.secrets.kv.v2.create_or_update_secret("app/db", secret={"password": "p1"})
        server.stop()
        return server, made

    def assert_untouched(self, target):
        self.assertFalse(os.path.exists(target), target)
        self.assertEqual(glob.glob(target + ".restoring-*"), [])

    def test_saved_while_8_writers_run_and_restored_on_a_new_server(self):
        server = self.server(audit=False).start()
        _, made = init_and_unseal(server)
        token = made["root_token"]
        acked, stop = [], threading.Event()

        def writer(w):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            n = 0
            while not stop.is_set():
                n += 1
                path, value = f"load/w{w}/{n}", f"value-{w}-{n}"
                conn.request("POST", f"/v1/secret/data/{path}",
                             json.dumps({"data": {"v": value}}), {"X-Vault-Token": token})
                reply = conn.getresponse()
                body = reply.read()
                if reply.status != 200:
                    raise AssertionError(f"{reply.status} {body}")
                acked.append((path, value))
            conn.close()

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        try:
            wait_for(lambda: len(acked) >= 400, "400 acknowledged writes")
            before = list(acked)
            saved = json.loads(self.save(server.data, "--json").stdout)
            during = len(acked) - len(before)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertGreater(during, 0, "the writers went on while the snapshot was saved")
        self.assertEqual((saved["from"], saved["file"]), (f"sqlite:{server.data}", self.snapshot))
        self.assertRegex(saved["sha256"], "^[0-9a-f]{64}$")
        self.assertGreaterEqual(saved["records"], len(before))
        self.assertEqual(os.stat(self.snapshot).st_mode & 0o777, 0o600)
        # The real age opens it: the records inside are still sealed.
        plain = subprocess.run(["age", "-d", "-i", self.key, self.snapshot], check=True,
                               capture_output=True).stdout
        self.assertTrue(plain.startswith(b"tresor-snapshot v1\nr"))
        self.assertNotIn(b"value-0-1", plain)
        self.assertNotIn(token.encode(), plain)
        server.stop()

        target = os.path.join(self.dir, "restored")
        out = json.loads(self.tresor("operator", "snapshot", "restore", "--to", f"sqlite:{target}",
                                     "-i", self.key, self.snapshot, "--json").stdout)
        self.assertEqual(out, {"to": f"sqlite:{target}", "file": self.snapshot,
                               "records": saved["records"], "bytes": saved["bytes"],
                               "sha256": saved["sha256"]})
        self.assertEqual(os.stat(target).st_mode & 0o777, 0o700)
        self.assertEqual(glob.glob(target + ".restoring-*"), [])
        restored = self.server(audit=False, data=target).start()
        client = hvac.Client(url=restored.url, token=token)
        self.assertFalse(client.sys.submit_unseal_key(made["keys"][0])["sealed"])
        kv = client.secrets.kv.v2
        for path, value in before:
            self.assertEqual(kv.read_secret_version(path)["data"]["data"], {"v": value}, path)
        # What came after the save began may be there or not; nothing else.
        listed = sum(len(kv.list_secrets(f"load/w{w}")["data"]["keys"]) for w in range(8))
        self.assertTrue(len(before) <= listed <= len(acked), (len(before), listed, len(acked)))

    def test_a_tampered_cut_foreign_or_crafted_snapshot_is_refused_and_nothing_made(self):
        server, _ = self.small_store()
        self.save(server.data)
        with open(self.snapshot, "rb") as f:
            whole = f.read()
        target = os.path.join(self.dir, "restored")
        tampered = os.path.join(self.dir, "tampered.age")
        with open(tampered, "wb") as f:
            f.write(whole[:-20] + bytes([whole[-20] ^ 1]) + whole[-19:])
        err = self.restore(target, tampered, code=EXIT_INTEGRITY).stderr
        self.assertEqual(err, f"tresor: error: {tampered}: payload: chunk 0: authentication "
                              "failed (data truncated or modified)\n")
        self.assert_untouched(target)
        cut = os.path.join(self.dir, "cut.age")
        with open(cut, "wb") as f:
            f.write(whole[:len(whole) // 2])
        err = self.restore(target, cut, code=EXIT_INTEGRITY).stderr
        self.assertEqual(err, f"tresor: error: {cut}: payload: chunk 0: authentication failed "
                              "(data truncated or modified)\n")
        self.assert_untouched(target)
        other = os.path.join(self.dir, "other.key")
        subprocess.run(["age-keygen", "-o", other], check=True, capture_output=True)
        err = self.restore(target, key=other, code=EXIT_NO_MATCH).stderr
        self.assertEqual(err, f"tresor: error: {self.snapshot}: no match: no identity matched "
                              "any of the file's 1 recipient (wrong key or passphrase?)\n")
        self.assert_untouched(target)
        # Anyone with the recipient can encrypt to it: a crafted stream is
        # checked record by record and against the digest at its end.
        plain = subprocess.run(["age", "-d", "-i", self.key, self.snapshot], check=True,
                               capture_output=True).stdout
        crafted = os.path.join(self.dir, "crafted.age")
        changed = plain[:30] + bytes([plain[30] ^ 1]) + plain[31:]
        subprocess.run(["age", "-r", self.recipient, "-o", crafted], input=changed, check=True)
        err = self.restore(target, crafted, code=EXIT_INTEGRITY).stderr
        self.assertEqual(err, f"tresor: error: {crafted}: byte {len(plain) - 41} of the "
                              "snapshot: the records do not match the digest at the end\n")
        self.assert_untouched(target)
        # Not over a store, nor into etcd directly.
        err = self.restore(server.data, code=EXIT_REFUSED).stderr
        self.assertEqual(err, f"tresor: error: sqlite:{server.data}: not empty (it holds "
                              "tresor.db); a snapshot is restored into an empty data directory "
                              "only\n")
        err = self.tresor("operator", "snapshot", "restore", "--to", "etcd:127.0.0.1:2379",
                          "-i", self.key, self.snapshot, code=EXIT_USAGE).stderr
        self.assertEqual(err, "tresor: error: etcd:127.0.0.1:2379: a snapshot is restored into "
                              "a SQLite data directory (sqlite:DIR); for etcd, restore into one, "
                              "then run tresor operator migrate --from sqlite:DIR --to "
                              "etcd:...\n")
        err = self.tresor("operator", "snapshot", "save", "--from", f"sqlite:{self.dir}/none",
                          "-r", self.recipient, os.path.join(self.dir, "x.age"),
                          code=6).stderr
        self.assertEqual(err, f"tresor: error: sqlite:{self.dir}/none: there is no "
                              f"{self.dir}/none/tresor.db\n")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x.age")))

    def test_restored_into_the_running_server_after_a_check_and_a_confirmation(self):
        server = self.server(audit=True).start()
        client, made = init_and_unseal(server)
        token = made["root_token"]
        kv = client.secrets.kv.v2
        kv.create_or_update_secret("app/db", secret={"password": "p1"})
        kv.create_or_update_secret("app/old", secret={"v": "kept"})
        self.save(server.data)
        # After the save: a new secret, a changed one and a deleted one.
        kv.create_or_update_secret("app/new", secret={"v": "later"})
        kv.create_or_update_secret("app/db", secret={"password": "p2"})
        kv.delete_metadata_and_all_versions("app/old")
        restore = ["operator", "snapshot", "restore", "--to", "server", "-i", self.key]
        # No terminal to ask on: --yes is needed, and nothing changes without it.
        refused = server.cli(*restore, self.snapshot, token=token)
        self.assertEqual((refused.returncode, refused.stderr),
                         (2, "tresor: error: tresor operator snapshot restore: confirm with "
                             "--yes (stdin is not a terminal)\n"))
        # A token without sudo on sys/tresor/snapshot is refused; still nothing changes.
        client.sys.create_or_update_policy("writer", 'path "sys/tresor/snapshot" '
                                                     '{ capabilities = ["update"] }')
        writer = client.auth.token.create(policies=["writer"])["auth"]["client_token"]
        denied = server.cli(*restore, "--yes", self.snapshot, token=writer)
        self.assertEqual((denied.returncode, denied.stderr),
                         (1, "tresor: error: sys/tresor/snapshot: 403: permission denied\n"))
        # A snapshot cut short is refused here, before the server is asked.
        with open(self.snapshot, "rb") as f:
            whole = f.read()
        cut = os.path.join(self.dir, "cut.age")
        with open(cut, "wb") as f:
            f.write(whole[:len(whole) // 2])
        self.assertEqual(server.cli(*restore, "--yes", cut, token=token).returncode,
                         EXIT_INTEGRITY)
        self.assertEqual(kv.read_secret_version("app/db")["data"]["data"], {"password": "p2"})
        # Restored: the server seals itself, and opens with the same keys.
        done = server.cli(*restore, "--yes", "--json", self.snapshot, token=token)
        self.assertEqual(done.returncode, 0, done.stderr)
        outcome = json.loads(done.stdout)
        self.assertEqual((outcome["to"], outcome["sealed"]), (server.url, True))
        self.assertRegex(outcome["sha256"], "^[0-9a-f]{64}$")
        self.assertTrue(client.sys.read_seal_status()["sealed"])
        client.sys.submit_unseal_keys(made["keys"])
        self.assertEqual(kv.read_secret_version("app/db")["data"]["data"], {"password": "p1"})
        self.assertEqual(kv.read_secret_version("app/old")["data"]["data"], {"v": "kept"})
        with self.assertRaises(hvac.exceptions.InvalidPath):
            kv.read_secret_version("app/new")
        # The audit chain goes on across the restore.
        verified = self.tresor("audit", "verify", server.audit)
        self.assertIn("chain intact", verified.stdout)

    def test_kill_9_during_save_or_restore_leaves_nothing_half_done(self):
        server = self.server(audit=False).start()
        client, made = init_and_unseal(server)
        big = "x" * (256 << 10)
        for i in range(64):  # 16 MiB of records: a save takes a while
            client.secrets.kv.v2.create_or_update_secret(f"big/{i}", secret={"v": big})
        # Save: stopped once its temporary file is there and still is (the
        # save has not finished), then killed.
        for attempt in range(5):
            proc = subprocess.Popen([TRESOR, "operator", "snapshot", "save", "--from",
                                     f"sqlite:{server.data}", "-r", self.recipient,
                                     self.snapshot], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            pattern = os.path.join(self.dir, ".snap.age.tresor-*.tmp")
            wait_for(lambda: glob.glob(pattern) or proc.poll() is not None, "the save's file",
                     interval=0.001)
            proc.send_signal(signal.SIGSTOP)
            if glob.glob(pattern):
                break
            proc.kill()
            proc.wait()
            os.unlink(self.snapshot)  # it finished first: again
        else:
            self.fail("every save finished before it could be stopped")
        proc.kill()
        proc.wait()
        self.assertFalse(os.path.exists(self.snapshot))
        # Restore: killed while it waits for the rest of its input.
        self.save(server.data)
        with open(self.snapshot, "rb") as f:
            whole = f.read()
        target = os.path.join(self.dir, "restored")
        proc = subprocess.Popen([TRESOR, "operator", "snapshot", "restore", "--to",
                                 f"sqlite:{target}", "-i", self.key, "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        proc.stdin.write(whole[:len(whole) // 2])
        proc.stdin.flush()
        wait_for(lambda: glob.glob(target + ".restoring-*"), "the restore's directory",
                 interval=0.001)
        proc.kill()
        proc.wait()
        proc.stdin.close()
        self.assertFalse(os.path.exists(target))
        self.assertEqual(len(glob.glob(target + ".restoring-*")), 1)
        # The next restore removes what the killed one left, and succeeds.
        out = self.restore(target).stdout
        self.assertRegex(out, r"^restored \d+ records \(\d+ bytes\) from .* into sqlite:"
                              r".*; read back, sha256:[0-9a-f]{64} matches\n$")
        self.assertEqual(glob.glob(target + ".restoring-*"), [])
        server.stop()
        restored = self.server(audit=False, data=target).start()
        client = hvac.Client(url=restored.url, token=made["root_token"])
        client.sys.submit_unseal_key(made["keys"][0])
        self.assertEqual(client.secrets.kv.v2.read_secret_version("big/63")["data"]["data"],
                         {"v": big})

    def test_scheduled_snapshots_are_written_pruned_audited_and_counted(self):
        snapshots = os.path.join(self.dir, "snapshots")
        server = self.server(extra=f"""[snapshots]
interval = "1s"
keep = 2
dir = "{snapshots}"
recipients = ["{self.recipient}"]
""").start()
        client, made = init_and_unseal(server)
        client.secrets.kv.v2.create_or_update_secret("app/db", secret={"password": "p1"})

        def runs():
            with open(server.audit) as f:
                return [json.loads(line) for line in f if '"type":"snapshot"' in line]

        # Three runs after the write: the newest two are there.
        wait_for(lambda: len([r for r in runs() if r.get("records", 0) >= 5]) >= 3,
                 "three scheduled snapshots")
        names = sorted(os.listdir(snapshots))
        self.assertEqual(len(names), 2, names)
        for name in names:
            self.assertRegex(name, r"^tresor-\d{8}T\d{6}Z\.age$")
        self.assertEqual(os.stat(snapshots).st_mode & 0o777, 0o700)
        last = runs()[-1]
        self.assertEqual((last["file"], last["records"], last["bytes"] > 0),
                         (os.path.join(snapshots, names[-1]), 5 + 1, True))
        self.assertRegex(last["sha256"], "^[0-9a-f]{64}$")
        self.assertRegex(last["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        metrics = client.adapter.get("/v1/sys/metrics", params={"format": "prometheus"}).text
        total = re.search(r"^tresor_snapshots_total (\d+)", metrics, re.M)
        self.assertGreaterEqual(int(total.group(1)), 3)
        self.assertIn("\ntresor_snapshot_failures_total 0\n", metrics)
        server.stop()
        # The newest restores into a server that serves the write.
        target = os.path.join(self.dir, "restored")
        self.restore(target, os.path.join(snapshots, names[-1]))
        restored = self.server(audit=False, data=target).start()
        client = hvac.Client(url=restored.url, token=made["root_token"])
        client.sys.submit_unseal_key(made["keys"][0])
        self.assertEqual(client.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "p1"})

    def test_a_bad_snapshot_setting_stops_the_server_with_its_place(self):
        config = os.path.join(self.dir, "bad.toml")
        for extra, message in (
                ('interval = "1h"\n', "[snapshots] needs interval, dir and recipients (and keep, "
                                      "if given, at least 1)"),
                (f'interval = "1h"\ndir = "{self.dir}/s"\nrecipients = ["age1nope"]\n',
                 "snapshots.recipients: "),
        ):
            with open(config, "w") as f:
                f.write(f'listen = "127.0.0.1:0"\ndata_dir = "{self.dir}/d"\n[snapshots]\n'
                        + extra)
            err = self.tresor("server", "--config", config, code=EXIT_SYNTAX).stderr
            self.assertTrue(err.startswith(f"tresor: error: {config}: {message}"), err)


if __name__ == "__main__":
    unittest.main()
