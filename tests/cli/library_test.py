"""The installed library: `cmake --install` into a temporary prefix, a C
program built with `pkg-config --cflags --libs tresor` reads sealed values."""
import os
import shutil
import subprocess
import unittest

from tresor_testlib import TempDirTest, run, tresor

BUILD_DIR = os.environ.get("TRESOR_BUILD_DIR", "")
SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


@unittest.skipUnless(BUILD_DIR, "TRESOR_BUILD_DIR is not set")
class InstalledCLibraryTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.prefix = self.path("prefix")
        run(["cmake", "--install", BUILD_DIR, "--prefix", self.prefix], check=True)
        libdir = next(os.path.join(root) for root, _, files in os.walk(self.prefix)
                      if "tresor.pc" in files)
        env = dict(os.environ, PKG_CONFIG_PATH=libdir)
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "tresor"], env=env,
                               capture_output=True, check=True, text=True).stdout.split()
        self.program = self.path("read_value")
        run(["cc", "-std=c11", "-Wall", "-Werror",
             os.path.join(SOURCE_DIR, "tests", "capi", "read_value.c"), "-o", self.program,
             *flags], check=True)
        self.libdir = os.path.dirname(libdir)  # .../lib from .../lib/pkgconfig
        self.key, recipient = self.keygen("key.txt")
        self.conf = self.write("app.toml", """\
[db]
password = "p@ss w0rd"
port = 5432
ratio = 0.5
tls = true
url = "postgres://app:$secret{db}@h/app"

[secrets]
db = "from-secrets"
""")
        tresor("seal", "-r", recipient, "--in-place", self.conf, check=True)

    def read(self, *args):
        env = dict(os.environ, LD_LIBRARY_PATH=self.libdir, TRESOR_IDENTITY_FILE=self.key)
        return run([self.program, self.conf, *args], env=env)

    def test_reads_values_through_the_c_interface(self):
        for args, expected in ((["db.password"], "p@ss w0rd"), (["db.port", "int"], "5432"),
                               (["db.ratio", "double"], "0.5"), (["db.tls", "bool"], "true"),
                               (["db.url"], "postgres://app:from-secrets@h/app")):
            with self.subTest(args=args):
                out = self.read(*args)
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertEqual(out.stdout.decode(), expected + "\n")

    def test_a_keyring_key_by_name(self):
        env = dict(os.environ, LD_LIBRARY_PATH=self.libdir, TRESOR_KEYRING_DIR=self.path("keys"))
        env.pop("TRESOR_IDENTITY_FILE", None)
        recipient = run([os.environ.get("TRESOR_BIN", "tresor"), "key", "new", "app"], env=env,
                        check=True).stdout.decode().strip()
        conf = self.write("keyed.env", "TOKEN=t0k3n\n")
        run([os.environ.get("TRESOR_BIN", "tresor"), "seal", "-r", recipient, "--in-place",
             conf], env=env, check=True)
        out = run([self.program, conf, "TOKEN", "string", "app"], env=env)
        self.assertEqual((out.returncode, out.stdout, out.stderr), (0, b"t0k3n\n", b""))
        out = run([self.program, conf, "TOKEN", "string", "other"], env=env)
        self.assertEqual(out.returncode, 6)
        self.assertEqual(out.stderr.decode(),
                         f"error 6: no key named \"other\" in {self.path('keys')}\n")

    def test_errors_are_codes_and_messages(self):
        out = self.read("db.nope")
        self.assertEqual(out.returncode, 6)
        self.assertEqual(out.stderr.decode(), f"error 6: {self.conf}: db.nope: no such value\n")
        out = self.read("db.password", "int")
        self.assertEqual(out.returncode, 2)
        self.assertEqual(out.stderr.decode(),
                         f"error 2: {self.conf}: db.password: not an integer\n")
        env = dict(os.environ, LD_LIBRARY_PATH=self.libdir)
        env.pop("TRESOR_IDENTITY_FILE", None)
        out = run([self.program, self.conf, "db.password"], env=env)
        self.assertEqual(out.returncode, 4)
        self.assertIn(f"error 4: {self.conf}: no identity opens the data key of group default",
                      out.stderr.decode())

    def test_only_the_c_interface_is_exported(self):
        lib = os.path.join(self.libdir, "libtresor.so")
        symbols = run(["nm", "-D", "--defined-only", lib], check=True).stdout.decode()
        names = sorted(line.split()[-1] for line in symbols.splitlines() if line.strip())
        self.assertTrue(names)
        self.assertEqual([n for n in names if not n.startswith("tresor_")], [])
        self.assertIn("tresor_config_open", names)


if __name__ == "__main__":
    unittest.main()
