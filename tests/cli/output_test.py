"""Where -o writes: regular files are replaced atomically with their mode
kept; symlinks and non-regular files (FIFOs, devices) are never replaced."""
import os
import stat
import threading
import unittest

from tresor_testlib import TempDirTest, tresor


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

    def test_existing_file_keeps_its_mode(self):
        out = self.write("out", b"old", 0o640)
        tresor("decrypt", "-i", self.key, "-o", out, self.enc, check=True)
        self.assertEqual(self.read("out"), self.plain)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o640)
        self.assertEqual(self.leftovers(), [])

    def test_symlink_target_is_replaced_and_the_link_kept(self):
        target = self.write("target", b"old", 0o600)
        link = self.path("link")
        os.symlink("target", link)
        tresor("decrypt", "-i", self.key, "-o", link, self.enc, check=True)
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


if __name__ == "__main__":
    unittest.main()
