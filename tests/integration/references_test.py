"""$store{path#field} references resolved from a running server: by the
CLI's render (configuration files and text templates, render --watch) and
run, by the Python package and by the C library; with exact values and
exact errors."""
import http.server
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.request

import hvac

from server_test import ROOT, TRESOR, ServerTestCase, wait_for

BUILD_DIR = os.environ.get("TRESOR_BUILD_DIR", "")
SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXIT_REFUSED, EXIT_USAGE, EXIT_UNAVAILABLE, EXIT_NOT_FOUND = 1, 2, 3, 6


class RecordingProxy:
    """Forwards HTTP requests to `target` and records (path, X-Vault-Index
    sent, X-Vault-Index answered) for each."""

    def __init__(self, target):
        self.seen = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                request = urllib.request.Request(target + self.path, headers={
                    k: v for k, v in self.headers.items() if k.lower().startswith("x-vault")})
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, headers, body = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as e:
                    status, headers, body = e.code, e.headers, e.read()
                proxy.seen.append((self.path, self.headers.get("X-Vault-Index"),
                                   headers.get("X-Vault-Index")))
                self.send_response(status)
                for name in ("Content-Type", "X-Vault-Index"):
                    if headers.get(name):
                        self.send_header(name, headers[name])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class ReferenceTestCase(ServerTestCase):
    """A server holding secret/app/db (KV v2) and kv1/legacy (KV v1), and a
    token that reads secret/app/db only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        client = hvac.Client(url=cls.url, token=ROOT)
        client.secrets.kv.v2.create_or_update_secret(
            "app/db", {"password": "p@ss w0rd", "port": 5432, "tls": True})
        client.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
        client.secrets.kv.v1.create_or_update_secret("legacy", {"key": "v1-value"},
                                                     mount_point="kv1")
        client.sys.create_or_update_policy(
            "only-db", 'path "secret/data/app/db" { capabilities = ["read"] }\n')
        cls.reader = client.auth.token.create(policies=["only-db"])["auth"]["client_token"]
        client.adapter.close()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tresor-refs-")
        os.chmod(self.dir, 0o700)
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.env = {"PATH": os.environ["PATH"], "HOME": self.dir, "TRESOR_ADDR": self.url,
                    "TRESOR_TOKEN": self.reader}

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def tresor(self, *args, code=0, env=None):
        proc = subprocess.run([TRESOR, *args], capture_output=True, text=True,
                              env=env or self.env, timeout=60, cwd=self.dir)
        self.assertEqual(proc.returncode, code, proc.stderr)
        return proc


class StoreReferenceTest(ReferenceTestCase):
    def test_render_resolves_kv2_and_kv1_fields(self):
        path = self.write("app.toml", 'password = "$store{secret/data/app/db#password}"\n'
                                      'url = "pg://h:$store{secret/data/app/db#port}/x"\n'
                                      'tls = "$store{secret/data/app/db#tls}"\n'
                                      'legacy = "$store{kv1/legacy#key}"\n')
        root = dict(self.env, TRESOR_TOKEN=ROOT)
        self.assertEqual(self.tresor("render", path, env=root).stdout,
                         'password = "p@ss w0rd"\nurl = "pg://h:5432/x"\ntls = "true"\n'
                         'legacy = "v1-value"\n')

    def test_errors_name_the_reference_and_never_hold_a_value(self):
        cases = [
            ('x = "$store{secret/data/app/db#nope}"\n', EXIT_NOT_FOUND,
             "$store{secret/data/app/db#nope}: secret/data/app/db has no field nope "
             "(it has: password, port, tls)"),
            ('x = "$store{secret/data/app/none#k}"\n', EXIT_REFUSED,
             "$store{secret/data/app/none#k}: secret/data/app/none: 403: permission denied"),
            ('x = "$store{secret/data/app/db}"\n', EXIT_USAGE,
             "$store{secret/data/app/db}: expected PATH#FIELD "
             "(e.g. $store{secret/data/app#password})"),
            ('x = "$store{secret/data/a b#k}"\n', EXIT_USAGE,
             "$store{secret/data/a b#k}: a path holds no spaces or control characters"),
        ]
        for text, code, message in cases:
            with self.subTest(text=text):
                path = self.write("bad.toml", text)
                err = self.tresor("render", path, code=code).stderr
                self.assertEqual(err, f"tresor: error: {path}:1: x: {message}\n")
        path = self.write("missing.toml", 'x = "$store{secret/data/app/none#k}"\n')
        err = self.tresor("render", path, code=EXIT_NOT_FOUND,
                          env=dict(self.env, TRESOR_TOKEN=ROOT)).stderr
        self.assertEqual(err, f"tresor: error: {path}:1: x: $store{{secret/data/app/none#k}}: "
                              "no secret at secret/data/app/none\n")
        err = self.tresor("render", path, code=EXIT_UNAVAILABLE,
                          env=dict(self.env, TRESOR_ADDR="http://127.0.0.1:1")).stderr
        self.assertEqual(err, f"tresor: error: {path}:1: x: $store{{secret/data/app/none#k}}: "
                              "http://127.0.0.1:1: cannot connect: Connection refused\n")

    def test_a_file_without_store_references_never_reaches_a_server(self):
        path = self.write("plain.toml", 'x = "$env{HOME}"\n')
        env = dict(self.env, TRESOR_ADDR="http://127.0.0.1:1")
        self.assertEqual(self.tresor("render", path, env=env).stdout, f'x = "{self.dir}"\n')

    def test_text_templates_keep_every_other_byte(self):
        template = ('<?xml version="1.0"?>\n'
                    '<property name="pw" value="$store{secret/data/app/db#password}"/>\n'
                    'server { set $host x; root ${root}; }  # $$ is a literal $\n'
                    '<home>$env{HOME}</home>')
        path = self.write("deployment.xml.tmpl", template)
        expected = template.replace("$store{secret/data/app/db#password}", "p@ss w0rd") \
            .replace("$$", "$").replace("$env{HOME}", self.dir)
        self.assertEqual(self.tresor("render", path).stdout, expected)
        # A known format taken as text: its bytes, not its values, are edited.
        toml = self.write("as-text.toml", 'a = "$store{secret/data/app/db#port}" # $x\n')
        self.assertEqual(self.tresor("render", "--format", "text", toml).stdout,
                         'a = "5432" # $x\n')
        bad = self.write("nginx.tmpl", "ok\nok\npass $store{secret/data/app/db#nope};\n")
        err = self.tresor("render", bad, code=EXIT_NOT_FOUND).stderr
        self.assertEqual(err, f"tresor: error: {bad}:3: $store{{secret/data/app/db#nope}}: "
                              "secret/data/app/db has no field nope (it has: password, port, "
                              "tls)\n")
        out = os.path.join(self.dir, "out.xml")
        self.tresor("render", path, "-o", out)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        with open(out) as f:
            self.assertEqual(f.read(), expected)

    def test_run_hands_the_value_over_and_keeps_the_token(self):
        path = self.write("app.env", "DB_PASSWORD=$store{secret/data/app/db#password}\n")
        env = dict(self.env, TRESOR_TOKEN_FILE=self.write("token", self.reader + "\n"))
        del env["TRESOR_TOKEN"]
        out = self.tresor("run", "-f", path, "--", "sh", "-c",
                          'echo "$DB_PASSWORD|${TRESOR_TOKEN-none}|${TRESOR_TOKEN_FILE-none}"',
                          env=env).stdout
        self.assertEqual(out, "p@ss w0rd|none|none\n")

    def test_render_watch_replaces_the_file_and_runs_the_hook(self):
        client = hvac.Client(url=self.url, token=ROOT)
        client.secrets.kv.v2.create_or_update_secret("app/rotating", {"key": "one"})
        client.sys.create_or_update_policy(
            "rotating", 'path "secret/data/app/rotating" { capabilities = ["read"] }\n')
        token = client.auth.token.create(policies=["rotating"])["auth"]["client_token"]
        self.addCleanup(client.adapter.close)
        path = self.write("app.conf.tmpl", "key $store{secret/data/app/rotating#key};\n")
        out = os.path.join(self.dir, "app.conf")
        hook = os.path.join(self.dir, "reloads")
        proc = subprocess.Popen(
            [TRESOR, "render", path, "-o", out, "--watch", "--interval", "1s",
             "--on-change", f"cat {out} > {hook}.part && mv {hook}.part {hook}"],
            env=dict(self.env, TRESOR_TOKEN=token), stderr=subprocess.PIPE, text=True,
            cwd=self.dir)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        self.assertEqual(proc.stderr.readline(), f"tresor render: watching {out} every 1s\n")
        with open(out) as f:
            self.assertEqual(f.read(), "key one;\n")
        client.secrets.kv.v2.create_or_update_secret("app/rotating", {"key": "two"})
        self.assertEqual(proc.stderr.readline(), f"tresor render: {out}: updated\n")
        # The hook renames its copy into place, so once the name exists it is whole.
        wait_for(lambda: os.path.exists(hook), "the --on-change command")
        with open(hook) as f:
            self.assertEqual(f.read(), "key two;\n")
        # A failing render keeps the file and the watch.
        client.secrets.kv.v2.create_or_update_secret("app/rotating", {"other": "x"})
        self.assertEqual(proc.stderr.readline(),
                         f"tresor render: {path}:1: $store{{secret/data/app/rotating#key}}: "
                         "secret/data/app/rotating has no field key (it has: other) "
                         f"({out} is kept as it was)\n")
        with open(out) as f:
            self.assertEqual(f.read(), "key two;\n")
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=60), 0)
        proc.stderr.close()

    def test_watch_needs_an_output(self):
        path = self.write("t.tmpl", "x\n")
        self.assertEqual(self.tresor("render", path, "--watch", code=EXIT_USAGE).stderr,
                         "tresor: error: render --watch needs -o OUT\n")
        self.assertEqual(self.tresor("render", path, "--interval", "1s", code=EXIT_USAGE).stderr,
                         "tresor: error: --interval and --on-change go with --watch\n")

    def test_the_index_seen_is_sent_back(self):
        proxy = RecordingProxy(self.url)
        self.addCleanup(proxy.stop)
        path = self.write("two.toml", 'a = "$store{secret/data/app/db#password}"\n'
                                      'b = "$store{kv1/legacy#key}"\n'
                                      'c = "$store{secret/data/app/db#port}"\n')
        env = dict(self.env, TRESOR_ADDR=f"http://127.0.0.1:1,{proxy.url}", TRESOR_TOKEN=ROOT)
        self.assertEqual(self.tresor("render", path, env=env).stdout,
                         'a = "p@ss w0rd"\nb = "v1-value"\nc = "5432"\n')
        # Each path is read once; the second request carries the first's index.
        self.assertEqual([p for p, _, _ in proxy.seen],
                         ["/v1/secret/data/app/db", "/v1/kv1/legacy"])
        self.assertIsNone(proxy.seen[0][1])
        self.assertEqual(proxy.seen[1][1], proxy.seen[0][2])


@unittest.skipUnless(os.environ.get("TRESOR_TEST_LIBRARIES"), "libraries not built unsanitized")
class LibraryStoreReferenceTest(ReferenceTestCase):
    """The same references through the Python package and the C library."""

    def test_python_package(self):
        path = self.write("app.ini", "[db]\npassword = $store{secret/data/app/db#password}\n")
        code = ("import sys, tresor\n"
                "cfg = tresor.ConfigParser(address=sys.argv[2], token=sys.argv[3])\n"
                "cfg.read(sys.argv[1]); print(cfg.get('db', 'password'))\n"
                "try:\n"
                "    tresor.load(sys.argv[1], address='http://127.0.0.1:1')\n"
                "except tresor.Error as e:\n"
                "    print(e.code, e.message)\n")
        env = dict(self.env, PYTHONPATH=os.path.join(BUILD_DIR, "python"))
        del env["TRESOR_TOKEN"]  # the token= argument is what opens it
        out = subprocess.run([sys.executable, "-c", code, path, self.url, self.reader],
                             capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "p@ss w0rd\n"
                         f"3 {path}:2: db.password: $store{{secret/data/app/db#password}}: "
                         "http://127.0.0.1:1: cannot connect: Connection refused\n")

    def test_c_library(self):
        program = os.path.join(self.dir, "read_value")
        subprocess.run(["cc", "-std=c11", "-Wall", "-Werror",
                        os.path.join(SOURCE_DIR, "tests", "capi", "read_value.c"), "-o", program,
                        "-I", os.path.join(SOURCE_DIR, "include"),
                        "-L", os.path.join(BUILD_DIR, "src"), "-ltresor",
                        f"-Wl,-rpath,{os.path.join(BUILD_DIR, 'src')}"], check=True)
        path = self.write("app.json", '{"db": {"url": "pg://$store{secret/data/app/db#port}"}}')
        env = dict(self.env, READ_VALUE_SERVER=self.url)
        del env["TRESOR_ADDR"]
        out = subprocess.run([program, path, "db.url"], capture_output=True, text=True, env=env,
                             timeout=60)
        self.assertEqual((out.returncode, out.stdout, out.stderr), (0, "pg://5432\n", ""))


if __name__ == "__main__":
    unittest.main()
