"""The command surface: help, version, usage errors, refusals."""
import os
import unittest

from tresor_testlib import TempDirTest, run, tresor


class Usage(TempDirTest):
    def test_help_lists_commands_and_exit_codes(self):
        proc = tresor("--help")
        self.assertEqual(proc.returncode, 0)
        out = proc.stdout.decode()
        for needle in ("keygen", "encrypt", "decrypt", "Exit codes:",
                       "  4  no identity or passphrase matched the file\n"):
            self.assertIn(needle, out)

    def test_command_help(self):
        out = tresor("encrypt", "--help", check=True).stdout.decode()
        for flag in ("-r,--recipient", "-R,--recipients-file", "-p,--passphrase", "-a,--armor",
                     "-o,--output", "--passphrase-file"):
            self.assertIn(flag, out)

    def test_version(self):
        self.assertEqual(tresor("--version", check=True).stdout, b"tresor 0.1.0\n")

    def test_unknown_option_is_a_usage_error(self):
        proc = tresor("encrypt", "--bogus")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(),
                         "tresor: error: The following argument was not expected: --bogus\n"
                         "Run 'tresor --help' for usage.\n")

    def test_encrypt_without_recipients(self):
        proc = tresor("encrypt", stdin=b"x")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(),
                         "tresor: error: no recipients: give -r RECIPIENT, -R FILE, -i FILE, "
                         "--key NAME or -p\n")

    def test_bad_recipient(self):
        proc = tresor("encrypt", "-r", "age1nope", stdin=b"x")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(),
                         'tresor: error: invalid recipient "age1nope" (expected age1...)\n')

    def test_keygen_refuses_to_overwrite(self):
        key = self.write("k.txt", "keep me")
        proc = tresor("keygen", "-o", key)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {key}: already exists; not overwriting\n")
        self.assertEqual(self.read("k.txt"), b"keep me")
        self.assertEqual(os.listdir(self.dir), ["k.txt"])

    def test_bad_identity_file_names_the_line_not_the_content(self):
        key = self.write("k.txt", "# comment\nAGE-SECRET-KEY-1NOTAKEY\n")
        proc = tresor("decrypt", "-i", key, stdin=b"")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {key}: line 2: not an age "
                                               "identity (expected AGE-SECRET-KEY-1...)\n")

    def test_missing_input_file(self):
        key, _ = self.keygen("k.txt")
        proc = tresor("decrypt", "-i", key, self.path("nope.age"))
        self.assertEqual(proc.returncode, 3)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {self.path('nope.age')}: "
                                               "cannot open: No such file or directory\n")

    def test_core_dumps_are_disabled(self):
        # A decrypt blocked on stdin: its limits show RLIMIT_CORE = 0.
        import subprocess
        key, _ = self.keygen("k.txt")
        proc = subprocess.Popen([os.environ.get("TRESOR_BIN", "tresor"), "decrypt", "-i", key],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            limits = ""
            for _ in range(200):
                with open(f"/proc/{proc.pid}/limits") as f:
                    limits = f.read()
                if "Max core file size        0                    0" in limits:
                    break
                import time
                time.sleep(0.01)
            self.assertIn("Max core file size        0                    0", limits)
        finally:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    unittest.main()
