"""The command surface: help, version, usage errors, refusals."""
import os
import re
import shlex
import subprocess
import unittest

from tresor_testlib import TRESOR, TempDirTest, run, tresor

SOURCE_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


class Usage(TempDirTest):
    def assert_usage_errors(self, cases):
        """Each (args, message): exit 2 and exactly that error."""
        for args, message in cases:
            with self.subTest(args=args):
                proc = tresor(*args)
                self.assertEqual((proc.returncode, proc.stderr.decode()),
                                 (2, f"tresor: error: {message}\n"))

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

    def test_version_names_the_commit(self):
        out = tresor("--version", check=True).stdout.decode()
        self.assertRegex(out, r"^tresor 0\.1\.0 \(commit [0-9a-f]{12}(-dirty)?\)\n$")
        head = subprocess.run(["git", "-C", SOURCE_DIR, "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True)
        if head.returncode == 0:  # built from this checkout
            self.assertEqual(out[len("tresor 0.1.0 (commit "):][:12], head.stdout.strip())

    def test_the_command_starts_with_libc_and_libm_alone(self):
        # Start-up (docs/performance.md): libsodium, libfyaml and libsqlite3
        # are linked in, libcrypto and the etcd module opened when needed.
        cache = os.path.join(os.environ.get("TRESOR_BUILD_DIR", ""), "CMakeCache.txt")
        settings = ""
        if os.path.exists(cache):
            with open(cache) as f:
                settings = f.read()
        if "TRESOR_STATIC_DEPS:BOOL=ON" not in settings or "TRESOR_SANITIZE:BOOL=ON" in settings:
            self.skipTest("a build with shared dependencies (sanitizers, or by choice)")
        dynamic = run(["readelf", "-d", TRESOR], check=True).stdout.decode()
        needed = [line.split("[")[1].rstrip("]") for line in dynamic.splitlines()
                  if "(NEEDED)" in line]
        self.assertEqual(sorted(needed), ["ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6"])

    def test_each_command_parses_its_flags_when_built_alone(self):
        # Only the group of the command named first is built: its flags and
        # mistakes still work, in every group.
        self.assert_usage_errors((
                (["get", "--bogus"], "unknown option '--bogus' for 'tresor get' (see tresor get "
                                     "--help)"),
                (["render", "--bogus"], "unknown option '--bogus' for 'tresor render' (see "
                                        "tresor render --help)"),
                (["kv", "put", "--bogus"], "unknown option '--bogus' for 'tresor kv put' (see "
                                           "tresor kv put --help)"),
                (["import", "sops", "--bogus"], "unknown option '--bogus' for 'tresor import "
                                                "sops' (see tresor import sops --help)"),
                (["agent", "lsit"], "unknown command 'lsit' for 'tresor agent'; did you mean "
                                    "'list'?")))

    def test_every_command_shows_examples_that_use_its_own_options(self):
        script = tresor("completion", "bash", check=True).stdout.decode()
        commands = script.split("declare -gA _tresor_cmds=(", 1)[1].split("\n)", 1)[0]
        tree = dict(re.findall(r"^  \['tresor ?([^']*)'\]='([^']*)'", commands, re.M))
        leaves = sorted(path for path, below in tree.items() if path and not below)
        self.assertGreater(len(leaves), 90)
        for path in leaves:
            with self.subTest(command=path):
                text = tresor(*path.split(), "--help", check=True).stdout.decode()
                self.assertIn("\nExamples:\n", text)
                examples = [l for l in text.split("\nExamples:\n", 1)[1].splitlines() if l]
                self.assertGreaterEqual(len(examples), 2)
                options = set(re.findall(r"(?<![\w-])(--?[\w-]+)", text.split("\nExamples:\n")[0]))
                for line in examples:
                    self.assertTrue(line.startswith("  "), line)
                    command = line.split("  # ")[0]
                    self.assertIn(f"tresor {path}", command)
                    words = shlex.split(command.split(f"tresor {path}", 1)[1], comments=False)
                    for word in words:
                        if word in ("--", "&&", "||", "|", ";"):
                            break  # the command's own words end here
                        if word.startswith("-") and word != "-":
                            self.assertIn(word.split("=")[0], options, line)

    def test_unknown_option_is_a_usage_error(self):
        proc = tresor("encrypt", "--bogus")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(), "tresor: error: unknown option '--bogus' for "
                         "'tresor encrypt' (see tresor encrypt --help)\n")
        proc = tresor("encrypt", "-r", "age1x", "--armour")
        self.assertEqual((proc.returncode, proc.stderr.decode()), (2, "tresor: error: unknown "
                         "option '--armour' for 'tresor encrypt'; did you mean '--armor'?\n"))

    def test_unknown_commands_suggest_the_nearest(self):
        self.assert_usage_errors((
                (["decrpyt"], "unknown command 'decrpyt'; did you mean 'decrypt'?"),
                (["kv", "gett", "a"], "unknown command 'gett' for 'tresor kv'; did you mean "
                 "'get'?"),
                (["frobnicate"], "unknown command 'frobnicate' (see tresor --help)"),
                (["import"], "'tresor import' needs a command: sops, ansible-vault, dotenvx "
                 "(see tresor import --help)")))

    def test_exit_codes_are_told_once_and_by_help(self):
        codes = tresor("help", "exit-codes", check=True).stdout.decode()
        self.assertTrue(codes.startswith("Exit codes:\n  0  success\n"), codes)
        self.assertIn(codes, tresor("--help", check=True).stdout.decode())
        self.assertNotIn("Exit codes:", tresor("encrypt", "--help", check=True).stdout.decode())
        self.assertEqual(tresor("help", "kv", "put", check=True).stdout,
                         tresor("kv", "put", "--help", check=True).stdout)
        self.assertEqual(tresor("help", check=True).stdout, tresor("--help", check=True).stdout)
        proc = tresor("help", "kv", "pt")
        self.assertEqual((proc.returncode, proc.stderr.decode()),
                         (2, "tresor: error: no help for 'tresor kv pt'; did you mean 'put'?\n"))

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
