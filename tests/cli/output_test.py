"""Where -o and --in-place write: regular files are replaced atomically
(plaintext 0600 unless --mode, other outputs with their mode kept); a
symlink at the target is refused unless --follow-symlinks, and then its
target is replaced, not the link; non-regular files (FIFOs, devices) are
written in place, never replaced. Runs as root also replay the attack of a
user who plants a link in a directory where root writes."""
import os
import pwd
import stat
import threading
import unittest

from tresor_testlib import TRESOR, TempDirTest, run_with_tty, tresor


class Output(TempDirTest):
    def setUp(self):
        super().setUp()
        self.key, self.recipient = self.keygen("key.txt")
        self.plain = os.urandom(200_000)
        self.enc = self.write("f.age", b"")
        tresor("encrypt", "-r", self.recipient, "-o", self.enc,
               stdin=self.plain, check=True)

    def leftovers(self):
        return [n for n in os.listdir(self.dir) if ".tresor-" in n]

    def test_plaintext_over_a_looser_file_is_0600_with_a_warning(self):
        out = self.write("out", b"old", 0o644)
        proc = tresor("decrypt", "-i", self.key, "-o", out, self.enc)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: warning: {out} was mode 0644; the plaintext is written 0600 "
                         "(--mode 0644 to keep the old mode)\n")
        self.assertEqual(self.read("out"), self.plain)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        self.assertEqual(self.leftovers(), [])
        # A tighter file gets 0600 without a word; --mode sets any mode.
        os.chmod(out, 0o400)
        proc = tresor("decrypt", "-i", self.key, "-o", out, self.enc)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        proc = tresor("decrypt", "-i", self.key, "--mode", "640", "-o", out, self.enc)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o640)
        proc = tresor("decrypt", "-i", self.key, "--mode", "0999", "-o", out, self.enc)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(), "tresor: error: --mode 0999: not a file mode in "
                         "octal (such as 0600 or 640)\n")

    def test_unseal_in_place_and_render_write_plaintext_0600(self):
        env = self.write("app.env", "DB_PASSWORD=hunter2\n", 0o644)
        tresor("seal", "-r", self.recipient, "--in-place", env, check=True)
        self.assertEqual(os.stat(env).st_mode & 0o777, 0o644)  # sealed: mode kept
        proc = tresor("unseal", "-i", self.key, "--in-place", env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("was mode 0644; the plaintext is written 0600", proc.stderr.decode())
        self.assertEqual(os.stat(env).st_mode & 0o777, 0o600)
        self.assertEqual(self.read("app.env"), b"DB_PASSWORD=hunter2\n")
        rendered = self.write("rendered.env", b"", 0o664)
        proc = tresor("render", "-i", self.key, "-o", rendered, env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(os.stat(rendered).st_mode & 0o777, 0o600)

    def test_a_symlink_at_the_target_is_refused_and_nothing_changes(self):
        target = self.write("target", b"old", 0o600)
        link = self.path("link")
        os.symlink("target", link)
        proc = tresor("decrypt", "-i", self.key, "-o", link, self.enc)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {link}: is a symlink; not writing through it "
                         "(--follow-symlinks to replace the file it points to)\n")
        self.assertEqual(self.read("target"), b"old")
        self.assertTrue(os.path.islink(link))
        self.assertEqual(self.leftovers(), [])

    def test_follow_symlinks_replaces_the_target_and_keeps_the_link(self):
        target = self.write("target", b"old", 0o600)
        link = self.path("link")
        os.symlink("target", link)
        tresor("decrypt", "-i", self.key, "--follow-symlinks", "-o", link, self.enc, check=True)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(os.readlink(link), "target")
        self.assertEqual(self.read("target"), self.plain)
        self.assertEqual(os.stat(target).st_mode & 0o777, 0o600)
        self.assertEqual(self.leftovers(), [])

    def test_fifo_is_written_in_place_not_replaced(self):
        fifo = self.path("pipe")
        os.mkfifo(fifo)
        received = []

        def drain():
            with open(fifo, "rb") as f:
                received.append(f.read())

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        proc = tresor("decrypt", "-i", self.key, "-o", fifo, self.enc)
        reader.join(timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        self.assertEqual(received, [self.plain])
        self.assertTrue(os.path.exists(fifo) and not os.path.isfile(fifo))
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))
        self.assertEqual(self.leftovers(), [])


class ProgressTest(TempDirTest):
    """A large file shows progress on a terminal, and nothing when stderr
    is piped; a small one never does."""

    def test_large_files_report_progress_on_a_terminal_only(self):
        key, recipient = self.keygen("key.txt")
        big = self.path("big.bin")
        with open(big, "wb") as f:
            f.truncate(64 << 20)  # kProgressMinBytes
        code, text = run_with_tty([TRESOR, "encrypt", "-r", recipient, "-o", big + ".age", big],
                                  [])
        self.assertEqual(code, 0, text)
        final = f"tresor: encrypting {big}: 64.0/64.0 MiB\r\n"
        self.assertTrue(text.endswith("\r" + final), repr(text[-200:]))
        self.assertEqual([line for line in text.split("\r") if line and "MiB" not in line],
                         ["\n"], "nothing but progress lines")
        env = dict(os.environ, TRESOR_KEYRING_DIR=self.path("none"))
        code, text = run_with_tty([TRESOR, "decrypt", "-i", key, "-o", self.path("out"),
                                   big + ".age"], [], env=env)
        self.assertEqual(code, 0, text)
        size = os.path.getsize(big + ".age") / (1 << 20)
        self.assertTrue(text.endswith(f"decrypting {big}.age: {size:.1f}/{size:.1f} MiB\r\n"),
                        repr(text[-200:]))
        # Piped: the same command is silent.
        proc = tresor("encrypt", "-r", recipient, "-o", big + ".2.age", big)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        # Small: nothing even on a terminal.
        small = self.write("small.txt", b"x" * 1000)
        code, text = run_with_tty([TRESOR, "encrypt", "-r", recipient, "-o", small + ".age",
                                   small], [])
        self.assertEqual((code, text), (0, ""))


class TwoUsers(TempDirTest):
    """A user who can write a directory plants a link where root is about to
    write: root's command must not replace the file the link points to."""

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("needs root to act as two users")
        self.nobody = pwd.getpwnam("nobody")
        self.key, self.recipient = self.keygen("key.txt")
        self.victim = self.write("victim", b"root's own file\n", 0o644)  # root-owned, outside
        self.shared = self.path("shared")
        os.mkdir(self.shared, 0o777)
        os.chown(self.shared, self.nobody.pw_uid, self.nobody.pw_gid)

    def plant(self, name):
        link = os.path.join(self.shared, name)
        os.symlink(self.victim, link)
        os.lchown(link, self.nobody.pw_uid, self.nobody.pw_gid)
        return link

    def test_root_refuses_links_planted_where_it_writes(self):
        enc = self.write("f.age", b"")
        tresor("encrypt", "-r", self.recipient, "-o", enc, stdin=b"secret\n", check=True)
        sealed = self.write("app.env", "DB_PASSWORD=hunter2\n")
        tresor("seal", "-r", self.recipient, "--in-place", sealed, check=True)
        link = self.plant("app.env")
        for args in (["unseal", "-i", self.key, "--in-place", link],
                     ["decrypt", "-i", self.key, "-o", link, enc],
                     ["render", "-i", self.key, "--force", "-o", link, sealed],
                     ["seal", "-r", self.recipient, "--in-place", link],
                     ["set", "-i", self.key, link, "DB_PASSWORD", "planted"]):
            with self.subTest(command=args[0]):
                proc = tresor(*args)
                self.assertEqual(proc.returncode, 1, proc.stderr)
                self.assertIn(f"{link}: is a symlink; not writing through it",
                              proc.stderr.decode())
                with open(self.victim, "rb") as f:
                    self.assertEqual(f.read(), b"root's own file\n")
                self.assertEqual(os.stat(self.victim).st_mode & 0o777, 0o644)
                self.assertTrue(os.path.islink(link))
        self.assertEqual([n for n in os.listdir(self.shared) if ".tresor-" in n], [])


if __name__ == "__main__":
    unittest.main()
