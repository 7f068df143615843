"""Sealed config files: lossless round trips over a corpus, standard parsers
on sealed files, stable diffs, integrity, and bad input."""
import configparser
import json
import os
import re
import shutil
import signal
import subprocess
import time
import unittest

from tresor_testlib import TRESOR, TempDirTest, placed, run, run_with_tty, tresor

EXIT_USAGE, EXIT_NO_MATCH, EXIT_CORRUPT, EXIT_NOT_FOUND = 2, 4, 5, 6
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sealed", "corpus")
TOKEN = re.compile(rb"tresor:v1:default:[snbzd]:[A-Za-z0-9_-]+")


def leaves(node, path=""):
    """(path, scalar) pairs of a parsed document, paths as tresor writes them."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, node


def corpus_files():
    return sorted(os.listdir(CORPUS))


class SealedCase(TempDirTest):
    def setUp(self):
        super().setUp()
        self.key, self.recipient = self.keygen("key.txt")

    def copy(self, name):
        shutil.copy(os.path.join(CORPUS, name), self.path(name))
        return self.path(name)

    def seal(self, path, *extra):
        proc = tresor("seal", "-r", self.recipient, *extra, path)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return proc.stdout

    def sealed_copy(self, name):
        """Seals corpus file `name` in place in the temp dir; returns its path."""
        path = self.copy(name)
        tresor("seal", "-r", self.recipient, "--in-place", path, check=True)
        return path


class Lossless(SealedCase):
    def test_every_corpus_file_round_trips_byte_for_byte(self):
        for name in corpus_files():
            with self.subTest(name):
                original = open(os.path.join(CORPUS, name), "rb").read()
                sealed_path = self.write("sealed-" + name, self.seal(self.copy(name)))
                proc = tresor("unseal", "-i", self.key, sealed_path)
                self.assertEqual(proc.returncode, 0, proc.stderr.decode())
                self.assertEqual(proc.stdout, original)

    def test_sealing_changes_only_values_and_adds_the_header(self):
        for name in corpus_files():
            with self.subTest(name):
                original = open(os.path.join(CORPUS, name), "rb").read()
                sealed = self.seal(self.copy(name))
                self.assertNotEqual(sealed, original)
                # Every line without a token is an original line, in order
                # (comments, blank lines, sections, structure).
                plain_lines = [l for l in sealed.splitlines(keepends=True)
                               if not TOKEN.search(l) and b"tresor-header:v1:" not in l
                               and l.strip() != b"[tresor]"]
                it = iter(original.splitlines(keepends=True))
                for line in plain_lines:
                    self.assertIn(line, it, f"{line!r} is not an original line in order")
                self.assertGreater(len(TOKEN.findall(sealed)), 0)

    def test_seal_takes_recipients_from_r_and_i_together(self):
        other, other_recipient = self.keygen("other.txt")
        path = self.copy("hpe.conf")
        tresor("seal", "-i", self.key, "-r", other_recipient, "--in-place", path, check=True)
        for key in (self.key, other):
            got = tresor("get", "-i", key, path, "backend_a.hpe3par_password")
            self.assertEqual(got.stdout, b"Str0ng!Pass;word\n", got.stderr.decode())

    def test_sealing_twice_changes_nothing(self):
        path = self.sealed_copy("service.env")
        before = open(path, "rb").read()
        tresor("seal", "-i", self.key, "--in-place", path, check=True)
        self.assertEqual(open(path, "rb").read(), before)


class StandardParsers(SealedCase):
    def test_configparser_reads_sealed_ini(self):
        for name in ["hpe.conf", "crlf.ini"]:
            with self.subTest(name):
                original, sealed = configparser.ConfigParser(), configparser.ConfigParser()
                original.read(os.path.join(CORPUS, name))
                sealed.read(self.sealed_copy(name))
                self.assertEqual(sealed.sections(), original.sections() + ["tresor"])
                for section in original.sections():
                    self.assertEqual(sorted(sealed[section].keys()),
                                     sorted(original[section].keys()))
                    for key in original[section]:
                        if key not in original.defaults():
                            self.assertRegex(sealed.get(section, key, raw=True),
                                             r"^tresor:v1:default:s:[A-Za-z0-9_-]+$")

    def test_json_parses_in_python_and_node(self):
        for name in ["app.json", "minified.json", "crlf_tabs.json"]:
            with self.subTest(name):
                path = self.sealed_copy(name)
                doc = json.load(open(path))
                original = json.load(open(os.path.join(CORPUS, name)))
                self.assertEqual(sorted(doc.keys()), sorted(list(original.keys()) + ["tresor"]))
                node = run(["node", "-e",
                            "const d = JSON.parse(require('fs').readFileSync(process.argv[1]));"
                            "console.log(Object.keys(d).join(','))", path], check=True)
                self.assertEqual(node.stdout.decode().strip(), ",".join(doc.keys()))

    def test_tomllib_reads_sealed_toml(self):
        import tomllib


        for name in ["deployment.toml", "crlf_no_final_newline.toml"]:
            with self.subTest(name):
                original = tomllib.load(open(os.path.join(CORPUS, name), "rb"))
                sealed = tomllib.load(open(self.sealed_copy(name), "rb"))
                self.assertIn("tresor", sealed)
                del sealed["tresor"]
                sealed_leaves = dict(leaves(sealed))
                self.assertEqual(sorted(sealed_leaves), sorted(dict(leaves(original))))
                for value in sealed_leaves.values():
                    self.assertRegex(value, r"^tresor:v1:default:[snbzd]:[A-Za-z0-9_-]+$")

    def test_pyyaml_reads_sealed_yaml(self):
        import yaml


        for name in ["service.yaml", "multi.yml", "crlf_no_final_newline.yaml"]:
            with self.subTest(name):
                original = list(yaml.safe_load_all(open(os.path.join(CORPUS, name))))
                sealed = list(yaml.safe_load_all(open(self.sealed_copy(name))))
                self.assertEqual(len(sealed), len(original))
                self.assertIn("tresor", sealed[-1])
                del sealed[-1]["tresor"]
                for o, s in zip(original, sealed):
                    sealed_leaves = dict(leaves(s))
                    self.assertEqual(sorted(sealed_leaves), sorted(dict(leaves(o))))
                    for path, value in sealed_leaves.items():
                        if dict(leaves(o))[path] is not None or path != "db.empty":
                            self.assertRegex(value, r"^tresor:v1:default:[snbzd]:[A-Za-z0-9_-]+$",
                                             path)

    def test_python_dotenv_reads_sealed_env(self):
        import dotenv
        for name in ["service.env", "crlf_no_final_newline.env"]:
            with self.subTest(name):
                original = dotenv.dotenv_values(os.path.join(CORPUS, name))
                sealed = dotenv.dotenv_values(self.sealed_copy(name))
                self.assertEqual(sorted(sealed), sorted(list(original) + ["TRESOR_HEADER"]))
                for key in original:
                    self.assertRegex(sealed[key], r"^tresor:v1:default:s:[A-Za-z0-9_-]+$")


class GetSetUnset(SealedCase):
    def test_get_decodes_like_the_format_reader(self):
        env = self.sealed_copy("service.env")
        ini = self.sealed_copy("hpe.conf")
        js = self.sealed_copy("app.json")
        toml = self.sealed_copy("deployment.toml")
        yml = self.sealed_copy("service.yaml")
        multi = self.sealed_copy("multi.yml")
        cases = [
            (env, "DATABASE_URL", 'postgres://app:s3cr"et@db.internal:5432/app?sslmode=require'),
            (env, "DB_PASSWORD", "single quoted $NOT_EXPANDED"),
            (env, "API_KEY", "sk_live_51HxYz"),
            (env, "EMPTY", ""),
            (env, "UNICODE_VALUE", "grüße 🔐 日本"),
            (ini, "backend_a.hpe3par_password", "Str0ng!Pass;word"),
            (ini, "backend_b.multi_line",
             "first line\ncontinued line\n\nafter a blank line\nlast line"),
            (js, "db.users[0].password", 's3cr"et\\path'),
            (js, "db.users[1].password", "réad-only 🔐"),
            (js, "db.port", "5432"),
            (js, '"a.b"', "dotted key"),
            (toml, "secrets.admin_password", 's3cr"eté'),
            (toml, 'secrets."key with spaces"', "quoted key"),
            (toml, "secrets.multi", "first line\nsecond line continued"),
            (toml, "secrets.literal_multi", "raw \\n text"),
            (toml, "secrets.ports[1]", "8443"),
            (toml, "secrets.pool.user", "pool-user"),
            (toml, "database[1].password", "db2-pass"),
            (toml, "server.started", "1979-05-27T07:32:00Z"),
            (toml, "secrets.a.b.c", "dotted"),
            (yml, "db.password", 's3cr"eté'),
            (yml, "db.user", "o'brien"),
            (yml, "production.token", "prod-token"),
            (yml, "certificate", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n"
                                 "-----END CERTIFICATE-----\n"),
            (yml, "folded", "one two"),
            (yml, "tagged", "12345"),
            (yml, "list[2].inline", "value"),
            (yml, "list[3][1]", "b"),
            (yml, "multi_line_plain", "first second"),
            (multi, "---1.secret", "two"),
        ]
        for path, key, value in cases:
            with self.subTest(key):
                proc = tresor("get", "-i", self.key, path, key)
                self.assertEqual(proc.returncode, 0, proc.stderr.decode())
                self.assertEqual(proc.stdout.decode(), value + "\n")

    def changed_lines(self, before, after):
        a, b = before.splitlines(), after.splitlines()
        self.assertEqual(len(a), len(b))
        return [i for i, (x, y) in enumerate(zip(a, b)) if x != y]

    def test_set_changes_exactly_that_token_and_the_mac(self):
        for name, key in [("service.env", "API_KEY"), ("hpe.conf", "backend_a.hpe3par_password"),
                          ("app.json", "db.users[0].password"),
                          ("deployment.toml", "keystore.primary.password"),
                          ("service.yaml", "db.password")]:
            with self.subTest(name):
                path = self.sealed_copy(name)
                before = open(path, "rb").read()
                tresor("set", "-i", self.key, "--stdin", path, key, stdin=b"n3w value\n",
                       check=True)
                after = open(path, "rb").read()
                changed = self.changed_lines(before, after)
                lines = after.splitlines()
                self.assertEqual(len(changed), 2, changed)
                self.assertIn(b"tresor-header:v1:", lines[changed[1]])
                # Only the value's token and the header MAC differ.
                old, new = before.splitlines()[changed[0]], lines[changed[0]]
                self.assertEqual(TOKEN.sub(b"T", old), TOKEN.sub(b"T", new))
                old_h, new_h = before.splitlines()[changed[1]], lines[changed[1]]
                self.assertEqual(old_h.rsplit(b":", 1)[0], new_h.rsplit(b":", 1)[0])
                got = tresor("get", "-i", self.key, path, key, check=True).stdout
                self.assertEqual(got, b"n3w value\n")

    def test_set_value_argument_and_new_keys(self):
        env = self.sealed_copy("service.env")
        tresor("set", "-i", self.key, env, "NEW_TOKEN", "fresh", check=True)
        self.assertEqual(tresor("get", "-i", self.key, env, "NEW_TOKEN").stdout, b"fresh\n")
        ini = self.sealed_copy("hpe.conf")
        tresor("set", "-i", self.key, ini, "backend_c.hpe3par_password", "c-pass", check=True)
        tresor("set", "-i", self.key, ini, "backend_a.extra", "a-extra", check=True)
        c = configparser.ConfigParser()
        c.read(ini)
        self.assertEqual(c.sections(), ["backend_a", "backend_b", "backend_c", "tresor"])
        self.assertEqual(tresor("get", "-i", self.key, ini, "backend_a.extra").stdout,
                         b"a-extra\n")
        js = self.sealed_copy("app.json")
        tresor("set", "-i", self.key, js, "db.extra", "x y", check=True)
        self.assertIn("extra", json.load(open(js))["db"])
        self.assertEqual(list(json.load(open(js)).keys())[-1], "tresor")
        self.assertEqual(tresor("get", "-i", self.key, js, "db.extra").stdout, b"x y\n")
        toml = self.sealed_copy("deployment.toml")
        tresor("set", "-i", self.key, toml, "secrets.new_key", "n", check=True)
        tresor("set", "-i", self.key, toml, "vault.token", "t", check=True)
        import tomllib
        doc = tomllib.load(open(toml, "rb"))
        self.assertIn("new_key", doc["secrets"])
        self.assertEqual(list(doc.keys())[-2:], ["vault", "tresor"])
        self.assertEqual(tresor("get", "-i", self.key, toml, "vault.token").stdout, b"t\n")
        yml = self.sealed_copy("service.yaml")
        tresor("set", "-i", self.key, yml, "new_top", "v", check=True)
        import yaml
        self.assertEqual(list(yaml.safe_load(open(yml)).keys())[-2:], ["new_top", "tresor"])
        self.assertEqual(tresor("get", "-i", self.key, yml, "new_top").stdout, b"v\n")

    def test_unset_removes_the_entry(self):
        env = self.sealed_copy("service.env")
        tresor("unset", "-i", self.key, env, "API_KEY", check=True)
        proc = tresor("get", "-i", self.key, env, "API_KEY")
        self.assertEqual(proc.returncode, EXIT_NOT_FOUND)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {env}: API_KEY: no such value\n")
        self.assertEqual(tresor("unseal", "-i", self.key, env).returncode, 0)

    def test_set_value_is_not_left_in_the_command_line(self):
        env = self.sealed_copy("service.env")
        fifo = self.path("pw")
        os.mkfifo(fifo)
        # The identity comes from a FIFO we hold open, so tresor waits after parsing.
        proc = subprocess.Popen([TRESOR, "set", "--passphrase-file", "/dev/null", "-i", fifo,
                                 env, "K", "TopSecretValue"], stderr=subprocess.PIPE)
        try:
            cmdline = b""
            for _ in range(200):
                cmdline = open(f"/proc/{proc.pid}/cmdline", "rb").read()
                if b"TopSecretValue" not in cmdline:
                    break
                time.sleep(0.01)
            self.assertNotIn(b"TopSecretValue", cmdline)
        finally:
            with open(fifo, "wb") as f:
                f.write(open(self.key, "rb").read())
            proc.wait(timeout=60)


class Edit(SealedCase):
    def edit(self, path, script):
        """Runs `tresor edit` with EDITOR set to a shell script."""
        editor = self.write("editor.sh", "#!/bin/sh\n" + script, 0o700)
        env = dict(os.environ, EDITOR=editor)
        env.pop("VISUAL", None)
        return run([TRESOR, "edit", "-i", self.key, path], env=env)

    def test_edit_changes_only_the_edited_value_and_the_mac(self):
        path = self.sealed_copy("hpe.conf")
        before = open(path, "rb").read()
        proc = self.edit(path, "sed -i 's/^san_password: .*/san_password: rotated/' \"$1\"\n")
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        after = open(path, "rb").read()
        changed = [i for i, (a, b) in enumerate(zip(before.splitlines(), after.splitlines()))
                   if a != b]
        self.assertEqual(len(before.splitlines()), len(after.splitlines()))
        self.assertEqual(len(changed), 2)
        self.assertTrue(after.splitlines()[changed[0]].startswith(b"san_password: tresor:v1:"))
        self.assertIn(b"tresor-header:v1:", after.splitlines()[changed[1]])
        self.assertEqual(tresor("get", "-i", self.key, path, "backend_a.san_password").stdout,
                         b"rotated\n")

    def test_plaintext_is_on_a_tmpfs_private_and_removed(self):
        path = self.sealed_copy("service.env")
        log = self.path("editor.log")
        proc = self.edit(path, f"stat -f -c %T \"$(dirname \"$1\")\" > {log}\n"
                               f"stat -c %a \"$(dirname \"$1\")\" \"$1\" >> {log}\n"
                               f"echo \"$1\" >> {log}\n")
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        fs, dir_mode, file_mode, scratch = open(log).read().split()
        self.assertEqual((fs, dir_mode, file_mode), ("tmpfs", "700", "600"))
        self.assertTrue(scratch.endswith("/service.env"))
        self.assertFalse(os.path.exists(scratch) or os.path.exists(os.path.dirname(scratch)))
        self.assertEqual(proc.stderr.decode(), f"tresor: {path}: no changes\n")

    def start_waiting_edit(self, path):
        """`tresor edit` whose editor reports its file and then waits."""
        ready = self.path("scratch-path")
        if os.path.exists(ready):
            os.unlink(ready)
        editor = self.write("waiting.sh", f"#!/bin/sh\necho \"$1\" > {ready}.new\n"
                            f"mv {ready}.new {ready}\nexec sleep 600\n", 0o700)
        env = dict(os.environ, EDITOR=editor)
        env.pop("VISUAL", None)
        proc = subprocess.Popen([TRESOR, "edit", "-i", self.key, path], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        deadline = time.monotonic() + 60
        while not os.path.exists(ready):
            self.assertLess(time.monotonic(), deadline, "the editor never started")
            time.sleep(0.02)
        with open(ready) as f:
            scratch = f.read().strip()
        self.assertTrue(os.path.exists(scratch))
        return proc, scratch

    def stop_editor(self, proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the editor tresor left behind
        except ProcessLookupError:
            pass
        proc.stderr.close()

    def test_a_signal_that_ends_edit_removes_the_plaintext(self):
        path = self.sealed_copy("service.env")
        before = open(path, "rb").read()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            with self.subTest(signal=sig.name):
                proc, scratch = self.start_waiting_edit(path)
                try:
                    proc.send_signal(sig)
                    self.assertEqual(proc.wait(timeout=60), -sig)
                    self.assertFalse(os.path.exists(scratch))
                    self.assertFalse(os.path.exists(os.path.dirname(scratch)))
                    self.assertEqual(open(path, "rb").read(), before)
                finally:
                    self.stop_editor(proc)

    def test_what_a_killed_edit_left_is_wiped_by_the_next_one(self):
        path = self.sealed_copy("service.env")
        proc, scratch = self.start_waiting_edit(path)
        try:
            proc.kill()  # SIGKILL: nothing can be done then
            self.assertEqual(proc.wait(timeout=60), -signal.SIGKILL)
        finally:
            self.stop_editor(proc)
        left = os.path.dirname(scratch)
        self.assertTrue(os.path.exists(scratch))
        proc = self.edit(path, "true\n")
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: wiped {left}, left by an editor session that was killed\n"
                         f"tresor: {path}: no changes\n")
        self.assertFalse(os.path.exists(left))

    def test_editor_failure_or_a_bad_edit_leaves_the_file_untouched(self):
        path = self.sealed_copy("service.env")
        before = open(path, "rb").read()
        proc = self.edit(path, "echo 'BROKEN=\"' >> \"$1\"; exit 3\n")
        self.assertEqual(proc.returncode, 1)
        self.assertTrue(proc.stderr.decode().endswith("the editor ("
                                                      + self.path("editor.sh")
                                                      + ") failed with exit code 3\n"))
        proc = self.edit(path, "echo 'BROKEN=\"' >> \"$1\"\n")
        self.assertEqual(proc.returncode, EXIT_CORRUPT)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {path} unchanged; in the edited text: 19:8: "
                         "unterminated quoted value of BROKEN\n")
        self.assertEqual(open(path, "rb").read(), before)


    def test_on_a_terminal_a_bad_edit_reopens_the_editor_with_the_text(self):
        path = self.sealed_copy("service.env")
        count = self.path("count")
        # First run: appends a broken line. Second: fixes it (the text it is
        # given still holds the first run's edit).
        editor = self.write("editor.sh", "#!/bin/sh\n"
                            f"if [ -e {count} ]; then sed -i 's/^BROKEN=\"$/FIXED=1/' \"$1\"; "
                            f"else touch {count}; echo 'BROKEN=\"' >> \"$1\"; fi\n", 0o700)
        env = dict(os.environ, EDITOR=editor)
        env.pop("VISUAL", None)
        code, text = run_with_tty([TRESOR, "edit", "-i", self.key, path], ["y"],
                                  prompt="reopen the editor", env=env)
        self.assertEqual(code, 0, text)
        self.assertIn("in the edited text: 19:8: unterminated quoted value of BROKEN", text)
        self.assertEqual(tresor("get", "-i", self.key, path, "FIXED").stdout, b"1\n")


class Rekey(SealedCase):
    def tokens(self, path):
        return TOKEN.findall(open(path, "rb").read())

    def test_rotate_reseals_every_value_under_a_new_key(self):
        path = self.sealed_copy("service.env")
        before = self.tokens(path)
        other, other_recipient = self.keygen("other.txt")
        tresor("rotate", "-i", self.key, "-r", other_recipient, "-r", self.recipient, path,
               check=True)
        after = self.tokens(path)
        self.assertEqual(len(after), len(before))
        self.assertFalse(set(after) & set(before))
        original = open(os.path.join(CORPUS, "service.env"), "rb").read()
        for key in (self.key, other):
            self.assertEqual(tresor("unseal", "-i", key, path).stdout, original)

    def test_updatekeys_keeps_tokens_and_changes_who_can_open(self):
        path = self.sealed_copy("deployment.toml")
        before = self.tokens(path)
        other, other_recipient = self.keygen("other.txt")
        # -r names the new recipients; -i only opens the file.
        tresor("updatekeys", "-i", self.key, "-r", other_recipient, "-r", self.recipient, path,
               check=True)
        self.assertEqual(self.tokens(path), before)
        original = open(os.path.join(CORPUS, "deployment.toml"), "rb").read()
        self.assertEqual(tresor("unseal", "-i", other, path).stdout, original)
        self.assertEqual(tresor("unseal", "-i", self.key, path).stdout, original)
        third, _ = self.keygen("third.txt")
        proc = tresor("unseal", "-i", third, path)
        self.assertEqual(proc.returncode, EXIT_NO_MATCH)


class Git(SealedCase):
    """The textconv and merge driver with the real git."""

    def git(self, *args, check=True, env=None):
        return run(["git", "-C", self.repo, *args], check=check, env=env)

    def setUp(self):
        super().setUp()
        self.repo = self.path("repo")
        os.mkdir(self.repo)
        self.env = dict(os.environ, TRESOR_IDENTITY_FILE=self.key, GIT_AUTHOR_NAME="t",
                        GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
                        GIT_COMMITTER_EMAIL="t@example.com")
        self.git("init", "-q", "-b", "main")
        setup = subprocess.run([TRESOR, "git-setup", "*.env"], cwd=self.repo, env=self.env,
                               capture_output=True)
        self.assertEqual(setup.returncode, 0, setup.stderr.decode())
        self.file = os.path.join(self.repo, "app.env")
        shutil.copy(os.path.join(CORPUS, "service.env"), self.file)
        tresor("seal", "-r", self.recipient, "--in-place", self.file, check=True)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "sealed", env=self.env)

    def set(self, key, value):
        proc = run([TRESOR, "set", "--stdin", self.file, key], stdin=value, env=self.env)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())

    def test_git_setup_writes_attributes_and_config(self):
        attributes = open(os.path.join(self.repo, ".gitattributes")).read()
        self.assertEqual(attributes, "*.env diff=tresor merge=tresor\n")
        driver = self.git("config", "merge.tresor.driver").stdout.decode().strip()
        self.assertTrue(driver.endswith(" git-merge %O %A %B %P"))

    def test_diff_shows_unsealed_values_to_key_holders_only(self):
        self.set("API_KEY", b"rotated-key")
        diff = self.git("diff", env=self.env).stdout.decode()
        self.assertIn("-API_KEY=sk_live_51HxYz  # inline comment after a bare value", diff)
        self.assertIn("+API_KEY=rotated-key  # inline comment after a bare value", diff)
        self.assertNotIn("tresor:v1:", diff)
        no_key = dict(self.env, TRESOR_IDENTITY_FILE=self.path("missing.txt"))
        diff = self.git("diff", env=no_key).stdout.decode()
        self.assertIn("+API_KEY=tresor:v1:", diff)

    def test_branches_changing_different_secrets_merge_cleanly(self):
        self.git("checkout", "-q", "-b", "other")
        self.set("DB_PASSWORD", b"from-other")
        self.git("commit", "-q", "-am", "other", env=self.env)
        self.git("checkout", "-q", "main")
        self.set("URL", b"https://from-main.example")  # not next to DB_PASSWORD
        self.git("commit", "-q", "-am", "main", env=self.env)
        ours = open(self.file, "rb").read()
        proc = self.git("merge", "-q", "--no-edit", "other", check=False, env=self.env)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode() + proc.stdout.decode())
        merged = open(self.file, "rb").read()
        get = lambda key: tresor("get", "-i", self.key, self.file, key).stdout
        self.assertEqual(get("DB_PASSWORD"), b"from-other\n")
        self.assertEqual(get("URL"), b"https://from-main.example\n")
        self.assertEqual(tresor("unseal", "-i", self.key, self.file).returncode, 0)
        # Values no branch changed keep their tokens.
        keep = re.search(rb"^API_KEY=\S+", ours, re.M).group(0)
        self.assertIn(keep, merged)

    def test_conflicting_changes_keep_ours_and_report_a_conflict(self):
        self.git("checkout", "-q", "-b", "other")
        self.set("API_KEY", b"theirs")
        self.git("commit", "-q", "-am", "other", env=self.env)
        self.git("checkout", "-q", "main")
        self.set("API_KEY", b"ours")
        self.git("commit", "-q", "-am", "main", env=self.env)
        proc = self.git("merge", "-q", "--no-edit", "other", check=False, env=self.env)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(tresor("get", "-i", self.key, self.file, "API_KEY").stdout, b"ours\n")
        self.assertNotIn(b"<<<<<<<", open(self.file, "rb").read())


class Integrity(SealedCase):
    def unseal_fails(self, path, code, message, *extra):
        before = open(path, "rb").read()
        proc = tresor("unseal", "-i", self.key, *extra, path)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {placed(path, message)}\n")
        self.assertEqual(proc.returncode, code)
        self.assertEqual(proc.stdout, b"")
        self.assertEqual(open(path, "rb").read(), before)

    def edit(self, path, fn):
        data = open(path, "rb").read()
        open(path, "wb").write(fn(data))

    def test_token_moved_to_another_key(self):
        env = self.sealed_copy("service.env")
        data = open(env, "rb").read()
        api = re.search(rb"^API_KEY=(\S+)", data, re.M).group(1)
        self.edit(env, lambda d: re.sub(rb"^HASH_IN_VALUE=\S+", b"HASH_IN_VALUE=" + api, d,
                                        flags=re.M))
        self.unseal_fails(env, EXIT_CORRUPT,
                          "14:15: HASH_IN_VALUE: sealed value does not authenticate (moved from "
                          "another key, modified, or sealed in another file)", "--ignore-mac")

    def test_duplicated_token_fails_the_mac(self):
        env = self.sealed_copy("service.env")
        api = re.search(rb"^API_KEY=(\S+)", open(env, "rb").read(), re.M).group(1)
        self.edit(env, lambda d: d.replace(b"# trailing comment\n",
                                           b"# trailing comment\nCOPY=" + api + b"\n"))
        self.unseal_fails(env, EXIT_CORRUPT,
                          "17:6: COPY: sealed value does not authenticate (moved from another "
                          "key, modified, or sealed in another file)", "--ignore-mac")

    def test_deleted_value_fails_the_mac_unless_ignored(self):
        env = self.sealed_copy("service.env")
        self.edit(env, lambda d: re.sub(rb"^API_KEY=.*\n", b"", d, flags=re.M))
        self.unseal_fails(env, EXIT_CORRUPT,
                          "16: group default: MAC does not verify: sealed values were added, "
                          "removed or "
                          "replaced outside tresor, or the header comes from another file "
                          "(--ignore-mac skips this check)")
        self.assertEqual(tresor("unseal", "-i", self.key, "--ignore-mac", env).returncode, 0)

    def test_changed_type_fails(self):
        js = self.sealed_copy("app.json")
        self.edit(js, lambda d: re.sub(rb'("port": "tresor:v1:default:)n:', rb"\1s:", d))
        self.unseal_fails(js, EXIT_CORRUPT,
                          "5:13: db.port: sealed value does not authenticate (moved from another "
                          "key, modified, or sealed in another file)", "--ignore-mac")

    def test_grafted_header_from_another_file(self):
        a = self.sealed_copy("service.env")
        b = self.path("other.env")
        open(b, "wb").write(open(os.path.join(CORPUS, "service.env"), "rb").read())
        tresor("seal", "-r", self.recipient, "--in-place", b, check=True)
        header_b = re.search(rb"^TRESOR_HEADER=.*$", open(b, "rb").read(), re.M).group(0)
        self.edit(a, lambda d: re.sub(rb"^TRESOR_HEADER=.*$", header_b, d, flags=re.M))
        self.unseal_fails(a, EXIT_CORRUPT,
                          "17: group default: MAC does not verify: sealed values were added, "
                          "removed or "
                          "replaced outside tresor, or the header comes from another file "
                          "(--ignore-mac skips this check)")
        self.unseal_fails(a, EXIT_CORRUPT,
                          "4:21: DATABASE_URL: sealed value does not authenticate (moved from "
                          "another key, modified, or sealed in another file)", "--ignore-mac")


class OpenFormat(SealedCase):
    """docs/format.md is enough to check a sealed file without tresor: the
    data key comes out of the header with the age tool, and the MAC is
    recomputed here from the spec with the standard library."""

    def test_age_recovers_the_data_key_and_the_mac_matches_the_spec(self):
        import base64
        import hashlib
        import hmac
        env = self.sealed_copy("service.env")
        data = open(env, "rb").read().decode()
        header = re.search(r"^TRESOR_HEADER=(.*)$", data, re.M).group(1)
        # tresor-header:v1:FLAGS:NAME=RECIPIENTS=PUBLIC=AGEFILE=MAC=VERSION
        magic, version, flags, group = header.split(":")
        self.assertEqual((magic, version), ("tresor-header", "v1"))
        name, recipients, public, b64u, mac, writes = group.split("=")
        self.assertEqual(writes, "1")  # sealed once
        self.assertEqual((flags, name, recipients), ("", "default", self.recipient))
        # The exact pipeline docs/format.md shows.
        script = ("printf '%s' \"$1\" | python3 -c 'import base64, sys; s = sys.stdin.read();\n"
                  "sys.stdout.buffer.write(base64.urlsafe_b64decode(s + \"=\" * (-len(s) % 4)))'"
                  " > \"$2\"; age -d -i \"$3\" \"$2\"")
        key = run(["bash", "-c", script, "-", b64u, self.path("key.age"), self.key],
                  check=True).stdout
        self.assertEqual(len(key), 32)

        def hkdf(ikm, info):
            prk = hmac.new(b"\0" * 32, ikm, hashlib.sha256).digest()
            return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()

        km = hkdf(key, b"tresor v1 mac")
        tokens = sorted((m.group(1), m.group(2)) for m in
                        re.finditer(r"^(?:export )?\s*([A-Z_]+)\s*=\s*(tresor:v1:[^\s\"]+)",
                                    data, re.M))
        self.assertEqual(len(tokens), 12)
        message = b"".join(f.encode() + b"\0" for f in
                           ("tresor v1 mac", flags, name, recipients, public, b64u,
                            "version=" + writes))
        for path, token in tokens:
            message += path.encode() + b"\0" + token.encode() + b"\0"
        expected = base64.urlsafe_b64encode(
            hashlib.blake2b(message, key=km, digest_size=32).digest())
        self.assertEqual(mac, expected.decode().rstrip("="))


class Versions(SealedCase):
    """Each write by a key holder counts in its group's header, under the
    MAC: an older copy of the whole file shows a lower number in inspect."""

    def inspect(self, path, *extra):
        proc = tresor("inspect", *extra, path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout.decode()

    def test_writes_count_and_an_older_copy_shows_a_lower_version(self):
        env = self.sealed_copy("service.env")
        self.assertEqual(self.inspect(env),
                         f"{env}: dotenv, sealed, 1 group\n"
                         f"group default: version 1, 12 values; recipients {self.recipient}\n")
        old = open(env, "rb").read()
        tresor("set", "-i", self.key, env, "API_KEY", "v2", check=True)
        tresor("set", "-i", self.key, env, "API_KEY", "v3", check=True)
        tresor("set", "--public", env, "NEW_ONE", "p", check=True)  # no key: not counted
        inspected = json.loads(self.inspect(env, "--json"))
        paths = inspected["groups"][0].pop("paths")
        self.assertEqual(inspected,
                         {"file": env, "format": "dotenv", "sealed": True, "plaintext": [],
                          "groups": [{"name": "default", "version": 3, "values": 13,
                                      "unadopted": 1, "recipients": [self.recipient]}]})
        # Every value, in file order (the new one last), and nothing else.
        names = [line.split("=", 1)[0].removeprefix("export ").strip()
                 for line in open(env).read().splitlines()
                 if "=" in line and not line.lstrip().startswith(("#", "TRESOR_HEADER"))]
        self.assertEqual(len(paths), 13)
        self.assertEqual(paths[-1], "NEW_ONE")
        self.assertTrue(set(paths) <= set(names), (paths, names))
        open(env, "wb").write(old)  # a rollback to the first copy: it still opens ...
        self.assertEqual(tresor("get", "-i", self.key, env, "API_KEY").returncode, 0)
        self.assertIn("group default: version 1,", self.inspect(env))  # ... but shows it

    def test_removing_the_counter_fails_the_mac_and_old_files_still_open(self):
        env = self.sealed_copy("service.env")
        data = open(env, "rb").read()
        stripped = re.sub(rb"(TRESOR_HEADER=\S+)=1\n", rb"\1\n", data)
        self.assertNotEqual(stripped, data)
        open(env, "wb").write(stripped)
        proc = tresor("unseal", "-i", self.key, env)
        self.assertEqual(proc.returncode, EXIT_CORRUPT)
        self.assertIn("group default: MAC does not verify", proc.stderr.decode())
        plain = self.write("plain.txt", b"A=1\n")
        self.assertEqual(tresor("inspect", "--format", "dotenv", plain).stdout.decode(),
                         f"{plain}: dotenv, not sealed (no tresor header)\n")


class BadInput(SealedCase):
    def assert_untouched(self, path, before, mode):
        self.assertEqual(open(path, "rb").read(), before)
        self.assertEqual(os.stat(path).st_mode & 0o777, mode)
        self.assertEqual([n for n in os.listdir(self.dir) if ".tresor-" in n], [])

    def test_malformed_files_name_line_and_column(self):
        cases = [
            ("bad.env", b"A=1\nB=\"unterminated\n", "2:3: unterminated quoted value of B"),
            ("bad.env", b"A=1\n=nokey\n", "2:1: expected a variable name"),
            ("bad.ini", b"[s]\nkey = 1\nnot a key line\n",
             "3:1: expected 'key = value', 'key: value' or a [section]"),
            ("bad.ini", b"[s]\na = 1\n[s]\n", "3:1: duplicate section [s]"),
            ("bad.ini", b"[db]\npassword = 1\nPassword = 2\n",
             "3:1: duplicate key Password in [db] (keys that differ only in case are one key "
             "to INI readers)"),
            ("bad.json", b'{"a": 1,\n "b": }', "2:7: expected a value"),
            ("bad.json", b'{"a": 1, "a": 2}', '1:10: duplicate key "a"'),
            ("bad.json", b"[1, 2]", "1:1: expected a JSON object at the top level"),
            ("bad.yaml", b"a: 1\nb: [1, 2\n", "3:1: flow sequence without a closing bracket"),
            ("bad.yaml", b"a: 1\na: 2\n", "2:4: duplicate key a"),
            ("bad.yaml", b"%---16.a--\xf6\x91\x9e\x92l\n", "1:11: invalid UTF-8"),
            ("bad.yaml", b"a: 1\n:\n  b\n", "2:1: an empty (null) mapping key is not supported"),
            ("bad.toml", b"a = 1\nb = \n",
             "2:5: Error while parsing key-value pair: expected value, saw '\\n'"),
            ("bad.toml", b"a = 1\na = 2\n",
             "2:5: Error while parsing key-value pair: cannot redefine existing integer 'a'"),
        ]
        for name, data, message in cases:
            with self.subTest(message):
                path = self.write(name, data, 0o640)
                proc = tresor("seal", "-r", self.recipient, "--in-place", path)
                self.assertEqual(proc.stderr.decode(), f"tresor: error: {placed(path, message)}\n")
                self.assertEqual(proc.returncode, EXIT_CORRUPT)
                self.assert_untouched(path, data, 0o640)

    def test_a_key_planted_in_another_case_is_refused_not_read(self):
        # configparser folds keys to lower case and keeps the last: an
        # unsealed PASSWORD after the sealed password is what it would read.
        path = self.write("app.ini", b"[db]\npassword = s3cret\n")
        tresor("seal", "-r", self.recipient, "--in-place", path, check=True)
        data = open(path, "rb").read()
        planted = data.replace(b"[tresor]", b"PASSWORD = planted\n[tresor]")
        open(path, "wb").write(planted)
        parser = configparser.ConfigParser(strict=False)
        parser.read_string(planted.decode())
        self.assertEqual(parser["db"]["password"], "planted")  # what readers would see
        for args in (["get", "-i", self.key, path, "db.password"], ["unseal", "-i", self.key, path],
                     ["render", "-i", self.key, path]):
            with self.subTest(command=args[0]):
                proc = tresor(*args)
                self.assertEqual(proc.returncode, EXIT_CORRUPT)
                self.assertEqual(proc.stderr.decode(),
                                 f"tresor: error: {path}:3:1: duplicate key PASSWORD in [db] "
                                 "(keys that differ only in case are one key to INI readers)\n")
                self.assertEqual(proc.stdout, b"")

    def test_wrong_key_leaves_the_file_untouched(self):
        path = self.sealed_copy("hpe.conf")
        os.chmod(path, 0o640)
        before = open(path, "rb").read()
        other, _ = self.keygen("other.txt")
        for args in (["unseal", "--in-place"], ["set", "--stdin"], ["unset"]):
            with self.subTest(args[0]):
                extra = ["backend_a.hpe3par_password"] if args[0] != "unseal" else []
                proc = tresor(*args[:1], "-i", other, *args[1:], path, *extra, stdin=b"v")
                self.assertEqual(proc.returncode, EXIT_NO_MATCH, proc.stderr.decode())
                self.assertEqual(proc.stderr.decode(),
                                 f"tresor: error: {path}: no identity opens the data key of "
                                 "group default\n")
                self.assert_untouched(path, before, 0o640)

    def test_unknown_path_and_unknown_format(self):
        path = self.sealed_copy("app.json")
        proc = tresor("get", "-i", self.key, path, "db.nope")
        self.assertEqual(proc.returncode, EXIT_NOT_FOUND)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {path}: db.nope: no such value\n")
        odd = self.write("settings.xyz", b"A=1\n")
        proc = tresor("seal", "-r", self.recipient, odd)
        self.assertEqual(proc.returncode, EXIT_USAGE)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {odd}: cannot tell the format from the file name; "
                         "use --format ini, dotenv, json, toml or yaml\n")
        self.assertEqual(tresor("seal", "-r", self.recipient, "--format", "dotenv",
                                odd).returncode, 0)

    def test_kill_during_in_place_never_leaves_a_partial_file(self):
        lines = b"".join(b"KEY_%d=value-number-%d\n" % (i, i) for i in range(60000))
        path = self.write("big.env", lines, 0o600)
        for delay in (0.005, 0.02, 0.05, 0.1, 0.2):
            proc = subprocess.Popen([TRESOR, "seal", "-r", self.recipient, "--in-place", path])
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            data = open(path, "rb").read()
            if b"TRESOR_HEADER=" in data:  # finished: fully sealed, and it unseals
                self.assertEqual(tresor("unseal", "-i", self.key, path).stdout, lines)
                open(path, "wb").write(lines)
            else:
                self.assertEqual(data, lines)
            for leftover in [n for n in os.listdir(self.dir) if ".tresor-" in n]:
                # A killed run may leave its temporary file: it never holds plaintext.
                content = open(self.path(leftover), "rb").read()
                self.assertNotIn(b"value-number-1", content)
                os.unlink(self.path(leftover))


if __name__ == "__main__":
    unittest.main()
