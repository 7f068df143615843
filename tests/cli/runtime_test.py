"""render and run: references resolved, values handed to a command, with the
real tresor binary on real files and real child processes."""
import configparser
import json
import os
import signal
import stat
import subprocess
import time
import unittest

from tresor_testlib import TRESOR, TempDirTest, run, tresor

EXIT_NOT_FOUND, EXIT_USAGE, EXIT_REFUSED = 6, 2, 1

SERVER = """\
# integration server settings
[secrets]
db_password = "hunter2-$ecret"
api_token = "tok-42"

[database]
url = "postgres://app:$secret{db_password}@db/app"
region = "$sys{region}"
price = "$$5 a month"

[service]
token = "$secret{api_token}"
greeting = "hello"
"""

RENDERED = """\
# integration server settings
[secrets]
db_password = "hunter2-$ecret"
api_token = "tok-42"

[database]
url = "postgres://app:hunter2-$ecret@db/app"
region = "eu-west"
price = "$5 a month"

[service]
token = "tok-42"
greeting = "hello"
"""


class RuntimeCase(TempDirTest):
    def setUp(self):
        super().setUp()
        self.key, self.recipient = self.keygen("key.txt")
        self.write(".tresor.toml", f"""\
[[rule]]
path = "*.toml"
recipients = ["{self.recipient}"]
only = ["secrets"]
""")
        self.toml = self.write("server.toml", SERVER)
        tresor("seal", "--in-place", self.toml, check=True)

    def t(self, *args, **kwargs):
        return run([TRESOR, *args], **kwargs)


class RenderTest(RuntimeCase):
    def test_integration_server_workflow(self):
        sealed = self.read("server.toml")
        # The sealed file holds no secret in plain text...
        for secret in (b"hunter2", b"tok-42"):
            self.assertNotIn(secret, sealed)
        # ...references and other values stay readable.
        self.assertIn(b'url = "postgres://app:$secret{db_password}@db/app"', sealed)
        out = self.t("render", "-i", self.key, "-Dregion=eu-west", self.toml)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.decode(), RENDERED)
        self.assertEqual(out.stderr, b"")

    def test_render_json_prints_the_values_nested_by_path(self):
        out = self.t("render", "--json", "-i", self.key, "-Dregion=eu-west", self.toml)
        self.assertEqual((out.returncode, out.stderr), (0, b""))
        self.assertEqual(json.loads(out.stdout), {
            "secrets": {"db_password": "hunter2-$ecret", "api_token": "tok-42"},
            "database": {"url": "postgres://app:hunter2-$ecret@db/app", "region": "eu-west",
                         "price": "$5 a month"},
            "service": {"token": "tok-42", "greeting": "hello"}})
        out = self.t("render", "--json", "--watch", "-o", self.path("x"), self.toml)
        self.assertEqual((out.returncode, out.stderr),
                         (2, b"tresor: error: render --json does not go with --watch\n"))

    def test_render_to_a_private_file(self):
        os.mkdir(self.path("run"), 0o700)
        target = self.path("run/server.toml")
        out = self.t("render", "-i", self.key, "-Dregion=eu-west", "-o", target, self.toml)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.read("run/server.toml").decode(), RENDERED)
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600)

    def test_world_readable_directory_is_refused_without_force(self):
        os.chmod(self.dir, 0o755)
        target = self.path("rendered.toml")
        out = self.t("render", "-i", self.key, "-Dregion=x", "-o", target, self.toml)
        self.assertEqual(out.returncode, EXIT_REFUSED)
        self.assertEqual(
            out.stderr.decode(),
            f"tresor: error: {target}: its directory {self.dir} is readable by every user, and "
            "the rendered file holds secrets; use a private directory (such as "
            "$XDG_RUNTIME_DIR) or --force\n")
        self.assertFalse(os.path.exists(target))
        out = self.t("render", "-i", self.key, "-Dregion=x", "-o", target, "--force", self.toml)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600)

    def test_unresolvable_reference_names_it_and_changes_nothing(self):
        os.mkdir(self.path("run"), 0o700)
        existing = self.write("run/old.toml", "old = 1\n", mode=0o600)
        before = self.read("server.toml")
        for target in (existing, self.path("run/new.toml")):
            out = self.t("render", "-i", self.key, "-o", target, self.toml)  # no -Dregion
            self.assertEqual(out.returncode, EXIT_NOT_FOUND)
            self.assertEqual(
                out.stderr.decode(),
                f"tresor: error: {self.toml}:8: database.region: $sys{{region}}: no such "
                "property (-Dregion=VALUE or --properties FILE)\n")
            self.assertEqual(out.stdout, b"")
        self.assertEqual(self.read("run/old.toml"), b"old = 1\n")
        self.assertFalse(os.path.exists(self.path("run/new.toml")))
        self.assertEqual(self.read("server.toml"), before)

    def test_unknown_alias_and_unknown_kind_are_errors(self):
        cases = [
            ('x = "$secret{nope}"\n', EXIT_NOT_FOUND,
             "x: $secret{nope}: no such alias in the [secrets] table"),
            ('x = "$vault{a/b}"\n', EXIT_USAGE,
             "x: $vault{a/b}: unknown reference kind (known: $secret, $env, $sys, $file, "
             "$store; $$ is a literal $)"),
            ('x = "$env{TRESOR_TEST_UNSET_VARIABLE}"\n', EXIT_NOT_FOUND,
             "x: $env{TRESOR_TEST_UNSET_VARIABLE}: not set in the environment"),
            ('x = "a $secret{open"\n', EXIT_USAGE,
             "x: $secret{...: unterminated reference (no closing '}')"),
        ]
        for text, code, message in cases:
            with self.subTest(text=text):
                f = self.write("plain.toml", "# plain\n" + text)
                out = self.t("render", "-i", self.key, f)
                self.assertEqual(out.returncode, code)
                self.assertEqual(out.stderr.decode(), f"tresor: error: {f}:2: {message}\n")

    def test_env_sys_file_and_literal_dollars(self):
        self.write("token.txt", "from-a-file\n")
        self.write("props.properties", "# props\nregion = from-props\nzone: z1\n")
        f = self.write("app.toml", """\
a = "$env{TRESOR_TEST_VAR}"
b = "$sys{region}/$sys{zone}"
c = "$file{token.txt}"
d = "cost: $$3, $5, $ alone, $$$$"
""")
        env = dict(os.environ, TRESOR_TEST_VAR="from-env")
        out = run([TRESOR, "render", "--properties", self.path("props.properties"), f], env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.decode(), """\
a = "from-env"
b = "from-props/z1"
c = "from-a-file"
d = "cost: $3, $5, $ alone, $$"
""")
        # -D wins over --properties.
        out = run([TRESOR, "render", "--properties", self.path("props.properties"),
                   "-Dregion=cli", f], env=env)
        self.assertIn('b = "cli/z1"', out.stdout.decode())

    def test_secrets_from_another_sealed_file(self):
        vault = self.write("vault.toml", '[secrets]\nshared = "from-vault"\n')
        tresor("seal", "--in-place", vault, check=True)
        f = self.write("app.ini", "[app]\npassword = $secret{shared}\n")
        out = self.t("render", "-i", self.key, "--secrets", vault, f)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.decode(), "[app]\npassword = from-vault\n")

    def test_env_picks_the_file_by_rule(self):
        self.write(".tresor.toml", f"""\
[env]
file = "conf/secrets-{{env}}.ini"
default = "dev"

[[rule]]
recipients = ["{self.recipient}"]
""")
        os.mkdir(self.path("conf"))
        for name in ("dev", "prod"):
            f = self.write(f"conf/secrets-{name}.ini", f"[db]\npassword = {name}-pw\n")
            tresor("seal", "--in-place", f, check=True)
        for args, env_name, expected in (([], None, "dev"), (["--env", "prod"], None, "prod"),
                                         ([], "prod", "prod")):
            env = dict(os.environ)
            env.pop("TRESOR_ENV", None)
            if env_name:
                env["TRESOR_ENV"] = env_name
            out = subprocess.run([TRESOR, "render", "-i", self.key, *args], cwd=self.dir,
                                 env=env, capture_output=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.decode(), f"[db]\npassword = {expected}-pw\n")
        out = subprocess.run([TRESOR, "render", "--env", "../etc"], cwd=self.dir,
                             capture_output=True)
        self.assertEqual(out.returncode, EXIT_USAGE)
        self.assertEqual(out.stderr.decode(), "tresor: error: environment name ../etc: only "
                         "letters, digits, '_' and '-'\n")


class CipherToolMarkerTest(RuntimeCase):
    def test_sealing_a_secrets_table_drops_the_cipher_tools_brackets(self):
        # WSO2's cipher tool takes plaintext secrets written as "[value]".
        toml = self.write("deployment.toml", '[secrets]\nkeystore = "[wso2carbon]"\n'
                          'plain = "as is"\nhalf = "[open"\n\n[keystore]\n'
                          'password = "$secret{keystore}"\nlabel = "[kept]"\n')
        tresor("seal", "--in-place", toml, check=True)
        self.assertEqual(self.t("render", "-i", self.key, toml).stdout.decode(),
                         '[secrets]\nkeystore = "wso2carbon"\nplain = "as is"\n'
                         'half = "[open"\n\n[keystore]\npassword = "wso2carbon"\n'
                         'label = "[kept]"\n')


class RunTest(RuntimeCase):
    def run_cmd(self, *args, env=None):
        return run([TRESOR, "run", "-i", self.key, "-Dregion=eu", "-f", self.toml, *args],
                   env=env)

    def test_values_are_in_the_child_environment(self):
        out = self.run_cmd("--", "sh", "-c",
                           'printf "%s|%s|%s|%s" "$DATABASE_URL" "$SERVICE_TOKEN" '
                           '"$SECRETS_API_TOKEN" "$DATABASE_PRICE"')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.decode(),
                         "postgres://app:hunter2-$ecret@db/app|tok-42|tok-42|$5 a month")

    def test_dotenv_keys_keep_their_names_and_prefix_applies(self):
        f = self.write("app.env", "lower_case=1\nAPI_KEY=k\n")
        out = run([TRESOR, "run", "-f", f, "--prefix", "APP_", "--", "sh", "-c",
                   'printf "%s %s" "$APP_lower_case" "$APP_API_KEY"'])
        self.assertEqual(out.stdout.decode(), "1 k")

    def env_of(self, *files, env=None):
        args = [TRESOR, "run", "-i", self.key]
        for f in files:
            args += ["-f", f]
        out = run(args + ["--pristine", "--", "/usr/bin/env", "-0"], env=env)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        return dict(item.split("=", 1) for item in out.stdout.decode().split("\0") if item)

    def test_ini_values_are_interpolated_as_configparser_does(self):
        text = ("[DEFAULT]\nbase = /srv/app\n\n[db]\nHost = db.internal\nport = 5432\n"
                "password = s3cr%%et\nurl = pg://app@%(host)s:%(port)s/%(name)s\nname = main\n"
                "data = %(base)s/data\nnested = <%(url)s>\n")
        ini = self.write("app.ini", text)
        tresor("seal", "-r", self.recipient, "--in-place", ini, check=True)
        expected = configparser.ConfigParser()
        expected.read_string(text)
        got = self.env_of(ini)
        for option in ("host", "port", "password", "url", "data", "nested"):
            self.assertEqual(got[f"DB_{option.upper()}"], expected.get("db", option), option)
        self.assertEqual(got["DB_NESTED"], "<pg://app@db.internal:5432/main>")
        self.assertEqual(got["DB_PASSWORD"], "s3cr%et")
        for bad, message in (
                ("x = %(missing)s\n", "db.x: %(missing)s: no option missing in section db or "
                                       "DEFAULT"),
                ("x = 100%\n", "db.x: '%' must be followed by '%' or '('"),
                ("x = %(a)s\na = %(x)s\n", "db.x: references nested more than 10 deep")):
            f = self.write("bad.ini", "[db]\n" + bad)
            out = run([TRESOR, "run", "-f", f, "--", "true"])
            self.assertEqual((out.returncode, out.stderr.decode()),
                             (2, f"tresor: error: {f}: {message} (INI interpolation, as "
                                 "Python's configparser does it; %% is a literal %)\n"))

    def test_dotenv_values_are_expanded_as_python_dotenv_does(self):
        text = ("A=one\nB=${A}-two\nC='${A}'\nD=\"${A} ${MISSING:-def} ${OUTER}\"\n"
                "E=${MISSING}\nF=$A\nG=${A:-x}${B}\nH=${A:x}\nOUTER=inner\nI=${OUTER}\n")
        f = self.write("app.env", text)
        tresor("seal", "-r", self.recipient, "--in-place", f, check=True)
        env = dict(os.environ, OUTER="outer")
        got = self.env_of(f, env=env)
        # The peer itself: Debian's python3-dotenv on the plaintext.
        plain = self.write("plain.env", text)
        expected = subprocess.run(
            ["/usr/bin/python3", "-c",
             "import dotenv, json, sys; print(json.dumps(dotenv.dotenv_values(sys.argv[1])))",
             plain], capture_output=True, text=True, env=env, check=True).stdout
        self.assertEqual({k: got[k] for k in json.loads(expected)}, json.loads(expected))
        self.assertEqual((got["D"], got["I"]), ("one def outer", "inner"))

    def test_exit_code_is_the_commands(self):
        self.assertEqual(self.run_cmd("--", "sh", "-c", "exit 42").returncode, 42)
        out = self.run_cmd("--", "no-such-command-tresor-test")
        self.assertEqual(out.returncode, 127)
        self.assertEqual(out.stderr.decode(),
                         "tresor: error: run: no-such-command-tresor-test: command not found\n")

    def test_pristine_clears_the_rest_of_the_environment(self):
        env = dict(os.environ, TRESOR_TEST_OUTER="outer")
        out = self.run_cmd("--pristine", "--", "/usr/bin/env", env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        names = sorted(line.split("=", 1)[0] for line in out.stdout.decode().splitlines())
        self.assertEqual(names, ["DATABASE_PRICE", "DATABASE_REGION", "DATABASE_URL",
                                 "SECRETS_API_TOKEN", "SECRETS_DB_PASSWORD", "SERVICE_GREETING",
                                 "SERVICE_TOKEN"])
        out = self.run_cmd("--", "/usr/bin/env", env=env)
        self.assertIn("TRESOR_TEST_OUTER=outer", out.stdout.decode().splitlines())

    def test_the_identity_variables_do_not_reach_the_command(self):
        with open(self.key) as f:
            identity = f.read().strip().splitlines()[-1]
        env = dict(os.environ, TRESOR_IDENTITY=identity, TRESOR_IDENTITY_FILE=self.key,
                   TRESOR_TEST_OUTER="outer")
        out = run([TRESOR, "run", "-Dregion=eu", "-f", self.toml, "--", "/usr/bin/env"],
                  env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.decode().splitlines()
        self.assertIn("TRESOR_TEST_OUTER=outer", lines)
        self.assertIn("SERVICE_TOKEN=tok-42", lines)  # opened with TRESOR_IDENTITY
        names = [line.split("=", 1)[0] for line in lines]
        self.assertNotIn("TRESOR_IDENTITY", names)
        self.assertNotIn("TRESOR_IDENTITY_FILE", names)
        self.assertNotIn(identity, out.stdout.decode())

    def test_a_value_with_a_nul_byte_is_refused(self):
        f = self.write("nul.json", '{"token": "before\\u0000after"}\n')
        out = run([TRESOR, "run", "-f", f, "--", "true"])
        self.assertEqual(out.returncode, 1)
        self.assertEqual(out.stderr.decode(),
                         f"tresor: error: run: {f}: token: a value with a NUL byte cannot be an "
                         "environment variable\n")

    def test_collisions_are_errors(self):
        f = self.write("c.toml", 'db_password = "a"\n[db]\npassword = "b"\n')
        out = run([TRESOR, "run", "-f", f, "--", "true"])
        self.assertEqual(out.returncode, EXIT_USAGE)
        self.assertEqual(out.stderr.decode(),
                         f"tresor: error: run: both {f}: db_password and {f}: db.password give "
                         "DB_PASSWORD (rename one, or use --prefix)\n")

    def test_sigterm_reaches_the_command_and_no_secret_is_in_any_cmdline(self):
        ready = self.path("ready")
        proc = subprocess.Popen(
            [TRESOR, "run", "-i", self.key, "-Dregion=eu", "-f", self.toml, "--", "sh", "-c",
             f'trap "echo got-term; exit 7" TERM; touch {ready}; while :; do sleep 0.05; done'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while not os.path.exists(ready) and time.time() < deadline:
            time.sleep(0.02)
        self.assertTrue(os.path.exists(ready))
        # No process's command line holds a secret.
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            for secret in (b"hunter2", b"tok-42"):
                self.assertNotIn(secret, cmdline, f"pid {pid}")
        proc.send_signal(signal.SIGTERM)
        stdout, _ = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 7)
        self.assertEqual(stdout, b"got-term\n")


if __name__ == "__main__":
    unittest.main()
