"""tresor.ConfigParser on a sealed INI returns exactly what Python's own
configparser returns on the plaintext; tresor.load reads the other formats."""
import configparser
import os
import shutil
import subprocess
import tempfile
import unittest

import tresor

TRESOR = os.environ.get("TRESOR_BIN", "tresor")

SETTINGS = """\
[DEFAULT]
base_dir = /srv/app
log_level = info
retries = 3
debug = no
ratio = 0.25

[database]
host = db.internal
port = 5432
password = s3cr%%et
url = postgresql://app@%(host)s:%(port)s/app
data_dir = %(base_dir)s/data
tls = on

[api]
token = tok-123
log_level = debug
endpoint = https://api.example.com/v1
timeout = 2.5
multi = first line
    second line

[empty]
"""


class ConfigParserTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tresor-py-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.key = os.path.join(self.dir, "key.txt")
        subprocess.run(["age-keygen", "-o", self.key], check=True, capture_output=True)
        self.plain = os.path.join(self.dir, "plain.ini")
        self.sealed = os.path.join(self.dir, "sealed.ini")
        for name in (self.plain, self.sealed):
            with open(name, "w") as f:
                f.write(SETTINGS)
        subprocess.run([TRESOR, "seal", "-i", self.key, "--in-place", self.sealed], check=True,
                       capture_output=True)
        with open(self.sealed) as f:
            sealed_text = f.read()
        for secret in ("s3cr", "tok-123", "db.internal"):
            self.assertNotIn(secret, sealed_text)

    def parsers(self):
        expected = configparser.ConfigParser()
        self.assertEqual(expected.read(self.plain), [self.plain])
        actual = tresor.ConfigParser(identity_files=[self.key])
        self.assertEqual(actual.read(self.sealed), [self.sealed])
        return expected, actual

    def test_every_option_matches_configparser(self):
        expected, actual = self.parsers()
        self.assertEqual(actual.sections(), expected.sections())
        self.assertEqual(dict(actual.defaults()), dict(expected.defaults()))
        for section in expected.sections():
            self.assertEqual(actual.items(section), expected.items(section))
            self.assertEqual(actual.options(section), expected.options(section))
            for option in expected.options(section):
                with self.subTest(section=section, option=option):
                    self.assertTrue(actual.has_option(section, option))
                    self.assertEqual(actual.get(section, option), expected.get(section, option))
                    self.assertEqual(actual[section][option], expected[section][option])
                    self.assertEqual(actual.get(section, option, raw=True),
                                     expected.get(section, option, raw=True))
        self.assertEqual(actual.get("database", "password"), "s3cr%et")
        self.assertEqual(actual.get("database", "url"), "postgresql://app@db.internal:5432/app")

    def test_typed_getters_and_fallbacks_match(self):
        expected, actual = self.parsers()
        for parser in (expected, actual):
            self.assertEqual(parser.getint("database", "port"), 5432)
            self.assertEqual(parser.getint("api", "retries"), 3)
            self.assertEqual(parser.getfloat("api", "timeout"), 2.5)
            self.assertIs(parser.getboolean("database", "tls"), True)
            self.assertIs(parser.getboolean("api", "debug"), False)
            self.assertEqual(parser.get("api", "missing", fallback="fb"), "fb")
            self.assertEqual(parser.getint("api", "missing", fallback=7), 7)
            self.assertFalse(parser.has_option("api", "missing"))
            self.assertFalse(parser.has_section("missing"))
            with self.assertRaises(configparser.NoOptionError):
                parser.get("api", "missing")

    def test_read_file_and_read_string_open_sealed_values_too(self):
        expected, _ = self.parsers()
        with open(self.sealed) as f:
            sealed_text = f.read()
        by_file = tresor.ConfigParser(identity_files=[self.key])
        with open(self.sealed) as f:
            by_file.read_file(f)
        by_string = tresor.ConfigParser(identity_files=[self.key])
        by_string.read_string(sealed_text)
        for actual in (by_file, by_string):
            for section in expected.sections():
                self.assertEqual(actual.items(section), expected.items(section))
        self.assertNotIn("tresor:v1:", str(by_string.items("api")))
        # Plain text is read as configparser reads it.
        plain = tresor.ConfigParser()
        plain.read_string("[s]\nk = v\n")
        self.assertEqual(plain.get("s", "k"), "v")
        other = os.path.join(self.dir, "other.txt")
        subprocess.run(["age-keygen", "-o", other], check=True, capture_output=True)
        with self.assertRaises(tresor.Error) as caught:
            tresor.ConfigParser(identity_files=[other]).read_string(sealed_text, source="x.ini")
        self.assertEqual(str(caught.exception),
                         "x.ini: no identity opens the data key of group default")

    def test_missing_files_are_skipped_as_configparser_does(self):
        parser = tresor.ConfigParser(identity_files=[self.key])
        missing = os.path.join(self.dir, "missing.ini")
        self.assertEqual(parser.read([missing, self.sealed]), [self.sealed])

    def test_wrong_key_raises_tresor_error(self):
        other = os.path.join(self.dir, "other.txt")
        subprocess.run(["age-keygen", "-o", other], check=True, capture_output=True)
        with self.assertRaises(tresor.Error) as caught:
            tresor.ConfigParser(identity_files=[other]).read(self.sealed)
        self.assertEqual(caught.exception.code, 4)
        self.assertEqual(str(caught.exception),
                         f"{self.sealed}: no identity opens the data key of group default")

    def test_a_key_of_one_group_reads_that_group_and_finds_the_rest_absent(self):
        # The storage plugin's file: one backend's host holds only its key.
        b_key = os.path.join(self.dir, "b.txt")
        subprocess.run(["age-keygen", "-o", b_key], check=True, capture_output=True)
        recipient = lambda key: subprocess.run(  # noqa: E731
            ["age-keygen", "-y", key], check=True, capture_output=True, text=True).stdout.strip()
        with open(os.path.join(self.dir, ".tresor.toml"), "w") as f:
            f.write(f'[[rule]]\nrecipients = ["{recipient(self.key)}"]\n'
                    'keys = "password$"\n[[rule.group]]\nname = "backend_b"\n'
                    f'paths = ["backend_b"]\nrecipients = ["{recipient(b_key)}"]\n')
        path = os.path.join(self.dir, "cinder.ini")
        with open(path, "w") as f:
            f.write("[backend_a]\npassword = alpha\nlogin = admin\n\n"
                    "[backend_b]\npassword = bravo\nlogin = admin\n")
        subprocess.run([TRESOR, "seal", "--in-place", path], check=True, capture_output=True)
        parser = tresor.ConfigParser(identity_files=[b_key])
        parser.read(path)
        self.assertEqual(dict(parser["backend_b"]), {"password": "bravo", "login": "admin"})
        self.assertEqual(dict(parser["backend_a"]), {"login": "admin"})  # its password: absent
        self.assertEqual(tresor.load(path, identity_files=[b_key]),
                         {"backend_a": {"login": "admin"},
                          "backend_b": {"password": "bravo", "login": "admin"}})
        both = tresor.ConfigParser(identity_files=[self.key, b_key])
        both.read(path)
        self.assertEqual(both.get("backend_a", "password"), "alpha")

    def test_a_protected_key_in_the_agent_needs_no_prompt(self):
        # A daemon's case: the key is passphrase-protected, an agent holds it
        # unlocked, the program reads the file with no identity argument.
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRESOR_IDENTITY")}
        run_dir = os.path.join(self.dir, "run")
        os.mkdir(run_dir, 0o700)
        env.update(TRESOR_AGENT_SOCK=os.path.join(run_dir, "agent.sock"),
                   TRESOR_KEYRING_DIR=os.path.join(self.dir, "keys"))
        pw = os.path.join(self.dir, "pw")
        with open(pw, "w") as f:
            f.write("daemon pass\n")
        os.chmod(pw, 0o600)

        def cli(*args):
            return subprocess.run([TRESOR, *args], env=env, check=True, capture_output=True)
        cli("key", "new", "svc", "--passphrase", "--passphrase-file", pw, "--work-factor", "10")
        path = os.path.join(self.dir, "daemon.ini")
        with open(path, "w") as f:
            f.write("[db]\npassword = hunter2\n")
        cli("seal", "--in-place", path)  # to the default key, svc
        cli("agent", "start")
        self.addCleanup(subprocess.run, [TRESOR, "agent", "stop"], env=env, capture_output=True)
        code = ("import tresor, sys\n"
                "cfg = tresor.ConfigParser(key=sys.argv[2])\n"
                "cfg.read(sys.argv[1])\n"
                "print(cfg.get('db', 'password'))\n")
        child_env = dict(env, PYTHONPATH=os.environ.get("PYTHONPATH", ""))

        def read_in_child():
            return subprocess.run(["/usr/bin/python3", "-c", code, path, "svc"], env=child_env,
                                  capture_output=True, stdin=subprocess.DEVNULL, text=True,
                                  start_new_session=True)
        proc = read_in_child()
        self.assertEqual(proc.returncode, 1)
        key_file = os.path.join(self.dir, "keys", "svc.key")
        self.assertTrue(proc.stderr.endswith(
            f"tresor.Error: {path}: no identity opens the data key of group default (tried the "
            f"agent (no match), key svc (passphrase-protected; tresor agent add {key_file}))\n"),
            proc.stderr)
        cli("agent", "add", "--key", "svc", "--passphrase-file", pw)
        proc = read_in_child()
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, "hunter2\n", ""))

    def test_load_reads_other_formats_as_dicts(self):
        path = os.path.join(self.dir, "service.yaml")
        with open(path, "w") as f:
            f.write("db:\n  password: pw\n  port: 5432\n  tls: true\n"
                    "hosts:\n  - a\n  - b\nnothing: ~\nratio: 0.5\n")
        subprocess.run([TRESOR, "seal", "-i", self.key, "--in-place", path], check=True,
                       capture_output=True)
        self.assertEqual(tresor.load(path, identity_files=[self.key]), {
            "db": {"password": "pw", "port": 5432, "tls": True},
            "hosts": ["a", "b"], "nothing": None, "ratio": 0.5})


if __name__ == "__main__":
    unittest.main()
