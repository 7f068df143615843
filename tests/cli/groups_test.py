"""Groups, .tresor.toml rules, set --public, revoke and rekeying, with the
real tresor and age binaries on real files."""
import json
import os
import re
import unittest

from tresor_testlib import TRESOR, TempDirTest, run, tresor

EXIT_USAGE, EXIT_NO_MATCH, EXIT_CORRUPT, EXIT_NOT_FOUND = 2, 4, 5, 6

CINDER = """\
[DEFAULT]
enabled_backends = backend_a, backend_b

[backend_a]
volume_driver = hpe
hpe3par_password = alpha-secret
san_login = admin

[backend_b]
hpe3par_password = bravo-secret
san_login = admin
"""


def tokens(data):
    """path-less list of (group, token) in file order."""
    return re.findall(rb"tresor:v1:([a-z0-9_-]+):[snbzd]:(?:pub:)?[A-Za-z0-9_-]+", data)


def token_lines(data):
    return [line for line in data.splitlines() if b"tresor:v1:" in line]


class RulesCase(TempDirTest):
    def setUp(self):
        super().setUp()
        self.ops, self.ops_r = self.keygen("ops.txt")
        self.b, self.b_r = self.keygen("b.txt")
        os.mkdir(self.path("etc"))
        self.conf = self.write("etc/cinder.conf", CINDER)

    def rules(self, text):
        return self.write(".tresor.toml", text)

    def cinder_rules(self, b_recipients=None):
        b = b_recipients or [self.b_r, self.ops_r]
        self.rules(f"""\
# one key per backend; ops reads everything
[[rule]]
path = "etc/*.conf"
recipients = ["{self.ops_r}"]
keys = "(?i)password$"

[[rule.group]]
name = "backend_b"
paths = ["backend_b"]
recipients = {json.dumps(b)}
""")

    def ok(self, *args, stdin=b""):
        proc = tresor(*args, stdin=stdin)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return proc

    def fails(self, code, message, *args, stdin=b""):
        proc = tresor(*args, stdin=stdin)
        self.assertEqual((proc.returncode, proc.stderr.decode()),
                         (code, f"tresor: error: {message}\n"))
        self.assertEqual(proc.stdout, b"")

    def get(self, identity, path, file=None):
        return tresor("get", "-i", identity, file or self.conf, path)


class Groups(RulesCase):
    def test_rules_choose_values_groups_and_recipients(self):
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)
        data = open(self.conf, "rb").read()
        # Only the passwords are sealed, each in its backend's group.
        self.assertEqual(tokens(data), [b"default", b"backend_b"])
        self.assertIn(b"san_login = admin\n", data)
        self.assertIn(b"volume_driver = hpe\n", data)
        header = re.search(rb"^header = tresor-header:v1::(.*)$", data, re.M).group(1)
        groups = [g.split(b"=") for g in header.split(b",")]
        self.assertEqual([(g[0], g[1]) for g in groups],
                         [(b"default", self.ops_r.encode()),
                          (b"backend_b", f"{self.b_r}+{self.ops_r}".encode())])
        self.assertEqual(self.ok("unseal", "-i", self.ops, self.conf).stdout, CINDER.encode())
        # Who can read what, with no key.
        self.assertEqual(self.ok("inspect", "--paths", self.conf).stdout.decode(),
                         f"{self.conf}: ini, sealed, 2 groups\n"
                         f"group default: version 1, 1 value; recipients {self.ops_r}\n"
                         "  backend_a.hpe3par_password\n"
                         f"group backend_b: version 1, 1 value; recipients {self.b_r}, "
                         f"{self.ops_r}\n"
                         "  backend_b.hpe3par_password\n"
                         "plaintext: 4 values\n"
                         "  DEFAULT.enabled_backends\n  backend_a.volume_driver\n"
                         "  backend_a.san_login\n  backend_b.san_login\n")

    def test_only_and_except_choose_by_key_and_the_summary_says_for_whom(self):
        proc = self.ok("seal", "-r", self.ops_r, "--no-rules", "--only", "(?i)(password|login)$",
                       "--except", "^san_", "--summary", "--in-place", self.conf)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: {self.conf}: sealed 2 values in group default for "
                         f"{self.ops_r}; 4 values left in plaintext\n")
        data = open(self.conf, "rb").read()
        self.assertEqual([line.split(b" = ")[0] for line in token_lines(data)],
                         [b"hpe3par_password", b"hpe3par_password"])
        self.assertIn(b"san_login = admin\n", data)
        fresh = self.write("etc/fresh.conf", CINDER)
        self.fails(EXIT_USAGE, "--only: bad key pattern (: Unmatched ( or \\(",
                   "seal", "-r", self.ops_r, "--only", "(", fresh)
        self.cinder_rules()
        conf2 = self.write("etc/other.conf", CINDER)
        proc = self.ok("seal", "--summary", "--in-place", conf2)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: {conf2}: sealed 1 value in group default for {self.ops_r}; 1 "
                         f"value in group backend_b for {self.b_r}, {self.ops_r}; 4 values left "
                         "in plaintext\n")

    def test_get_of_a_section_prints_every_value_under_it(self):
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)
        self.assertEqual(self.get(self.ops, "backend_a").stdout,
                         b"backend_a.volume_driver=hpe\nbackend_a.hpe3par_password=alpha-secret\n"
                         b"backend_a.san_login=admin\n")
        proc = self.ok("get", "-i", self.ops, "--json", self.conf, "backend_*")
        self.assertEqual(json.loads(proc.stdout), {
            "backend_a": {"volume_driver": "hpe", "hpe3par_password": "alpha-secret",
                          "san_login": "admin"},
            "backend_b": {"hpe3par_password": "bravo-secret", "san_login": "admin"}})
        # A value under it that no key opens is an error, not a gap.
        proc = self.get(self.b, "backend_a")
        self.assertEqual(proc.returncode, EXIT_NO_MATCH)
        self.assertEqual(proc.stdout, b"")
        self.fails(EXIT_NOT_FOUND, f"{self.conf}: backend_c: no such value", "get", "-i",
                   self.ops, self.conf, "backend_c")

    def test_a_group_can_be_sealed_with_a_passphrase(self):
        # The storage plugin's "one passphrase per backend".
        self.cinder_rules(b_recipients=["scrypt"])
        pw = self.write("pw", "bravo passphrase\n", 0o600)
        wrong = self.write("wrong", "not it\n", 0o600)
        self.ok("seal", "--passphrase-file", pw, "--work-factor", "10", "--in-place", self.conf)
        with open(self.conf, "rb") as f:
            self.assertIn(b",backend_b=scrypt=", f.read())
        self.assertEqual(self.ok("get", "--passphrase-file", pw, self.conf,
                                 "backend_b.hpe3par_password").stdout, b"bravo-secret\n")
        # The operators' key reads its group; the passphrase group stays closed.
        self.assertEqual(self.get(self.ops, "backend_a.hpe3par_password").stdout,
                         b"alpha-secret\n")
        self.fails(EXIT_NO_MATCH, f"{self.conf}: no identity opens the data key of group "
                   "default, backend_b; the passphrase given does not open the groups sealed "
                   "with a passphrase (wrong passphrase?)", "get", "--passphrase-file", wrong,
                   self.conf, "backend_b.hpe3par_password")
        self.fails(EXIT_NO_MATCH, f"{self.conf}: no identity opens the data key of group "
                   "default, backend_b; a group sealed with a passphrase stays closed: a "
                   "passphrase is needed but there is no terminal to ask on; use "
                   "--passphrase-file FILE", "get", self.conf, "backend_b.hpe3par_password")
        # A write to the other group does not ask for the passphrase.
        self.ok("set", "-i", self.ops, self.conf, "backend_a.hpe3par_password", "alpha-2")
        self.assertEqual(self.ok("unseal", "-i", self.ops, "--passphrase-file", pw,
                                 self.conf).stdout,
                         CINDER.replace("alpha-secret", "alpha-2").encode())

    def test_a_backend_key_reads_its_group_only(self):
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)
        proc = self.get(self.b, "backend_b.hpe3par_password")
        self.assertEqual((proc.returncode, proc.stdout), (0, b"bravo-secret\n"))
        proc = self.get(self.b, "backend_a.hpe3par_password")
        self.assertEqual((proc.returncode, proc.stderr.decode()),
                         (EXIT_NO_MATCH, f"tresor: error: {self.conf}:6:20: "
                          "backend_a.hpe3par_password: in group default, which no identity "
                          "opens\n"))
        self.fails(EXIT_NO_MATCH,
                   f"{self.conf}: no identity opens the data key of group default (unseal "
                   "needs every group; get reads one value)", "unseal", "-i", self.b, self.conf)

    def test_set_with_one_group_key_changes_only_that_group(self):
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)
        before = open(self.conf, "rb").read()
        self.ok("set", "-i", self.b, "--stdin", self.conf, "backend_b.hpe3par_password",
                stdin=b"new-bravo\n")
        after = open(self.conf, "rb").read()
        changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
        self.assertEqual(len(changed), 2)  # the token and the header line
        old_header = changed[1][0].split(b",")
        new_header = changed[1][1].split(b",")
        self.assertEqual(old_header[0], new_header[0])  # group default: MAC and all unchanged
        self.assertNotEqual(old_header[1], new_header[1])
        self.assertEqual(self.get(self.ops, "backend_b.hpe3par_password").stdout,
                         b"new-bravo\n")
        self.fails(EXIT_NO_MATCH, f"{self.conf}: backend_a.new: belongs to group default, "
                   "which no identity opens", "set", "-i", self.b, self.conf, "backend_a.new",
                   "v")

    def test_new_values_join_the_group_rules_or_neighbours_name(self):
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)
        self.ok("set", "-i", self.ops, self.conf, "backend_b.api_password", "p1")
        self.ok("set", "-i", self.ops, "--no-rules", self.conf, "backend_b.other", "p2")
        data = open(self.conf, "rb").read()
        self.assertRegex(data, rb"\napi_password = tresor:v1:backend_b:s:")
        self.assertRegex(data, rb"\nother = tresor:v1:backend_b:s:")  # nearest sealed value
        self.assertEqual(self.get(self.b, "backend_b.other").stdout, b"p2\n")

    def test_only_a_secrets_table(self):
        self.rules(f'[[rule]]\nrecipients = ["{self.ops_r}"]\nonly = ["secrets"]\n')
        toml = self.write("server.toml",
                          '[server]\nport = 8080\n\n[secrets]\ntoken = "abc"\nkey = "def"\n')
        self.ok("seal", "--in-place", toml)
        data = open(toml, "rb").read()
        self.assertIn(b"port = 8080\n", data)
        self.assertEqual(len(tokens(data)), 2)
        self.assertEqual(self.get(self.ops, "secrets.key", toml).stdout, b"def\n")

    def test_rules_are_found_above_and_the_first_match_wins(self):
        self.rules(f'[[rule]]\npath = "nothing/*.env"\nrecipients = ["{self.b_r}"]\n\n'
                   f'[[rule]]\npath = "**/*.env"\nrecipients = ["{self.ops_r}"]\n')
        os.makedirs(self.path("a/b"))
        env = self.write("a/b/app.env", "A=1\n")
        self.ok("seal", "--in-place", env)
        self.assertEqual(self.get(self.ops, "A", env).stdout, b"1\n")
        self.assertEqual(self.get(self.b, "A", env).returncode, EXIT_NO_MATCH)

    def test_bad_rules_say_where(self):
        rules = self.rules('[[rule]]\nrecipient = ["x"]\n')
        self.fails(EXIT_USAGE, f"{rules}:2:14: rule[0].recipient[0]: unknown setting (see "
                   "docs/rules.md)", "seal", self.conf)
        self.rules('[[rule]]\nkeys = "("\nrecipients = ["' + self.ops_r + '"]\n')
        proc = tresor("seal", self.conf)
        self.assertEqual(proc.returncode, EXIT_USAGE)
        self.assertIn("bad key pattern (:", proc.stderr.decode())
        self.rules('[[rule]]\n[[rule.group]]\nname = "Bad Name"\npaths = ["x"]\n')
        self.fails(EXIT_USAGE, f"{self.path('.tresor.toml')}: rule[0]: every group needs a "
                   "name ([a-z0-9_-], not \"default\") and paths", "seal", self.conf)

    def test_no_recipients_anywhere(self):
        self.fails(EXIT_USAGE, "no recipients: give -r RECIPIENT, -R FILE, -i FILE, --key NAME or -p, a "
                   "rule in .tresor.toml, or make a default key (tresor key new NAME)", "seal", self.conf)
        self.rules('[[rule]]\npath = "*.env"\n')
        self.fails(EXIT_USAGE, "no recipients: give -r RECIPIENT, -R FILE, -i FILE, --key NAME or -p, a "
                   "rule in .tresor.toml, or make a default key (tresor key new NAME)", "seal", self.conf)

    def test_command_line_recipients_replace_the_default_groups(self):
        self.cinder_rules()
        self.ok("seal", "-r", self.b_r, "--in-place", self.conf)
        self.assertEqual(self.get(self.b, "backend_a.hpe3par_password").stdout,
                         b"alpha-secret\n")
        self.assertEqual(self.get(self.ops, "backend_a.hpe3par_password").returncode,
                         EXIT_NO_MATCH)


    def test_unseal_path_restores_the_values_under_a_pattern_and_keeps_every_group(self):
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)
        # Host b's key alone restores its backend's password; the default
        # group stays sealed and both groups stay in the header.
        self.ok("unseal", "-i", self.b, "--path", "backend_b", "--in-place", self.conf)
        data = open(self.conf, "rb").read()
        self.assertIn(b"hpe3par_password = bravo-secret\n", data)
        self.assertEqual(tokens(data), [b"default"])
        self.assertEqual(os.stat(self.conf).st_mode & 0o777, 0o600)
        self.assertEqual(json.loads(self.ok("inspect", "--json", self.conf).stdout)["plaintext"],
                         ["DEFAULT.enabled_backends", "backend_a.volume_driver",
                          "backend_a.san_login", "backend_b.hpe3par_password",
                          "backend_b.san_login"])
        self.assertEqual(self.ok("unseal", "-i", self.ops, self.conf).stdout, CINDER.encode())
        self.fails(EXIT_NOT_FOUND, f"{self.conf}: no sealed value under backend_b", "unseal",
                   "-i", self.ops, "--path", "backend_b", self.conf)
        self.fails(EXIT_NO_MATCH, f"{self.conf}:6:20: backend_a.hpe3par_password: in group "
                   "default, which no identity opens", "unseal", "-i", self.b, "--path",
                   "backend_*.hpe3par_password", self.conf)


class Public(RulesCase):
    def setUp(self):
        super().setUp()
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)

    def test_set_public_needs_no_identity_and_is_adopted_later(self):
        before = open(self.conf, "rb").read()
        self.ok("set", "--public", "--stdin", self.conf, "backend_b.new_password",
                stdin=b"from-dev\n")
        after = open(self.conf, "rb").read()
        # One new line, nothing else: not even the header (no key to MAC with).
        self.assertEqual([l for l in after.splitlines() if l not in before.splitlines()],
                         [l for l in after.splitlines() if l.startswith(b"new_password")])
        self.assertRegex(after, rb"\nnew_password = tresor:v1:backend_b:s:pub:[A-Za-z0-9_-]+\n")
        proc = self.get(self.b, "backend_b.new_password")
        self.assertEqual((proc.returncode, proc.stdout), (0, b"from-dev\n"))
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: warning: {self.conf}: backend_b.new_password was added with "
                         "set --public and is not covered by its group's MAC yet; `tresor seal "
                         f"--in-place {self.conf}` adopts it\n")
        # Adopted by whoever holds the key: a key-sealed token, MAC-covered.
        self.ok("seal", "-i", self.b, "--in-place", self.conf)
        adopted = open(self.conf, "rb").read()
        self.assertNotIn(b":pub:", adopted)
        proc = self.get(self.b, "backend_b.new_password")
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, b"from-dev\n", b""))

    def test_run_and_render_refuse_unadopted_values_unless_allowed(self):
        # Anyone who can write the file can plant a value, references and all.
        self.ok("set", "--public", self.conf, "backend_b.planted", "$env{PLANTED_FROM}")
        keys = ["-i", self.b, "-i", self.ops]
        refusal = (f"{self.conf}: backend_b.planted: added with set --public and not adopted "
                   f"yet; `tresor seal --in-place {self.conf}` adopts it (or --allow-unadopted)")
        self.fails(1, refusal, "render", *keys, self.conf)
        self.fails(1, refusal, "run", *keys, "-f", self.conf, "--", "true")
        proc = run([TRESOR, "render", "--allow-unadopted", *keys, self.conf],
                   env=dict(os.environ, PLANTED_FROM="the environment"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(b"planted = the environment\n", proc.stdout)
        self.ok("seal", "-i", self.b, "--in-place", self.conf)  # adopted: accepted
        proc = run([TRESOR, "render", *keys, self.conf],
                   env=dict(os.environ, PLANTED_FROM="the environment"))
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_run_and_render_refuse_a_sealed_file_whose_header_was_removed(self):
        data = open(self.conf, "rb").read()
        header = data.index(b"[tresor]\n")  # the header section is last
        open(self.conf, "wb").write(data[:header])
        message = (f"{self.conf}: backend_a.hpe3par_password: a tresor token in a file "
                   "without a tresor header (was the header removed?)")
        self.fails(5, message, "render", "-i", self.ops, self.conf)
        self.fails(5, message, "run", "-i", self.ops, "-f", self.conf, "--", "true")

    def test_set_public_does_not_replace_a_key_sealed_value(self):
        before = open(self.conf, "rb").read()
        self.fails(EXIT_USAGE, f"{self.conf}: backend_b.hpe3par_password: already sealed with "
                   "the group's key; replacing it needs an identity of group backend_b (tresor "
                   "set -i ...), so the group's MAC stays valid", "set", "--public", self.conf,
                   "backend_b.hpe3par_password", "x")
        self.assertEqual(open(self.conf, "rb").read(), before)

    def test_public_token_cannot_be_moved(self):
        self.ok("set", "--public", self.conf, "backend_b.p", "v")
        data = open(self.conf, "rb").read()
        token = re.search(rb"\np = (\S+)", data).group(1)
        open(self.conf, "wb").write(data.replace(b"\np = " + token + b"\n",
                                                 b"\np = " + token + b"\nq = " + token + b"\n"))
        proc = self.get(self.b, "backend_b.q")
        self.assertEqual(proc.returncode, EXIT_CORRUPT)
        self.assertRegex(proc.stderr.decode(), r"backend_b.q: sealed value does not authenticate")


class Rekey(RulesCase):
    def test_revoke_rotates_only_its_groups_and_lists_what_it_could_read(self):
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)
        before = open(self.conf, "rb").read()
        self.cinder_rules(b_recipients=[self.ops_r])  # rules no longer name b
        proc = self.ok("revoke", "-i", self.ops, self.conf, self.b_r)
        self.assertEqual(proc.stdout, b"backend_b.hpe3par_password\n")
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: {self.conf}: removed from group backend_b, which got a new "
                         "data key. It could read the 1 value(s) listed on stdout: change them "
                         "where they are issued.\n")
        after = open(self.conf, "rb").read()
        self.assertEqual(token_lines(before)[0], token_lines(after)[0])  # backend_a kept
        self.assertNotEqual(token_lines(before)[1], token_lines(after)[1])
        self.assertEqual(self.get(self.b, "backend_b.hpe3par_password").returncode,
                         EXIT_NO_MATCH)
        self.assertEqual(self.ok("unseal", "-i", self.ops, self.conf).stdout, CINDER.encode())
        self.fails(EXIT_NOT_FOUND, f"{self.conf}: {self.b_r}: not a recipient of any group of "
                   "this file", "revoke", "-i", self.ops, self.conf, self.b_r)

    def test_revoke_json_and_the_stale_rule_warning(self):
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)
        proc = self.ok("revoke", "--json", "-i", self.ops, self.conf, self.b_r)
        self.assertEqual(json.loads(proc.stdout),
                         {"file": self.conf, "groups": ["backend_b"],
                          "paths": ["backend_b.hpe3par_password"]})
        self.assertEqual(proc.stderr.decode(),
                         "tresor: warning: .tresor.toml still lists this recipient for group "
                         "backend_b; remove it there, or updatekeys will give it the new key\n")

    def test_revoking_the_last_recipient_is_refused(self):
        env = self.write("app.env", "A=1\n")
        self.ok("seal", "-r", self.ops_r, "--in-place", env)
        before = open(env, "rb").read()
        self.fails(EXIT_USAGE, f"{env}: revoking {self.ops_r} would leave group default with "
                   "no recipient; add one first (updatekeys -r)", "revoke", "-i", self.ops, env,
                   self.ops_r)
        self.assertEqual(open(env, "rb").read(), before)

    def test_updatekeys_follows_the_rules(self):
        self.cinder_rules(b_recipients=[self.ops_r])
        self.ok("seal", "--in-place", self.conf)
        before = open(self.conf, "rb").read()
        proc = self.ok("updatekeys", "-i", self.ops, self.conf)
        self.assertEqual(proc.stderr.decode(), f"tresor: {self.conf}: recipients unchanged\n")
        self.assertEqual(open(self.conf, "rb").read(), before)
        self.assertEqual(self.get(self.b, "backend_b.hpe3par_password").returncode,
                         EXIT_NO_MATCH)
        self.cinder_rules(b_recipients=[self.b_r, self.ops_r])
        self.ok("updatekeys", "-i", self.ops, self.conf)
        after = open(self.conf, "rb").read()
        self.assertEqual(token_lines(before)[:2], token_lines(after)[:2])  # tokens kept
        self.assertEqual(self.get(self.b, "backend_b.hpe3par_password").stdout,
                         b"bravo-secret\n")

    def test_rotate_keeps_the_headers_recipients_and_regroups_by_rules(self):
        env = self.write("app.env", "A=1\nB=2\n")
        self.ok("seal", "-r", self.ops_r, "-r", self.b_r, "--in-place", env)
        before = open(env, "rb").read()
        self.ok("rotate", "-i", self.ops, env)
        after = open(env, "rb").read()
        self.assertFalse(set(token_lines(before)) & set(token_lines(after)))
        for key in (self.ops, self.b):
            self.assertEqual(self.ok("unseal", "-i", key, env).stdout, b"A=1\nB=2\n")
        # Rules that now put B in its own group: rotate moves it there.
        self.rules(f'[[rule]]\nrecipients = ["{self.ops_r}"]\n[[rule.group]]\nname = "b"\n'
                   f'paths = ["B"]\nrecipients = ["{self.b_r}"]\n')
        self.ok("rotate", "-i", self.ops, env)
        data = open(env, "rb").read()
        self.assertEqual(tokens(data), [b"default", b"b"])
        self.assertEqual(self.get(self.b, "B", env).stdout, b"2\n")
        self.assertEqual(self.get(self.b, "A", env).returncode, EXIT_NO_MATCH)

    def test_key_changes_never_skip_the_mac(self):
        # New keys are wrapped for the header's recipient list: only the MAC vouches for it.
        env = self.write("app.env", "A=1\n")
        self.ok("seal", "-r", self.ops_r, "--in-place", env)
        for command in (("rotate",), ("updatekeys",), ("revoke",)):
            args = [*command, "--ignore-mac", "-i", self.ops, env] + (
                [self.ops_r] if command == ("revoke",) else [])
            proc = tresor(*args)
            self.assertEqual(proc.returncode, EXIT_USAGE, command)
            self.assertIn("--ignore-mac", proc.stderr.decode())

    def test_age_opens_every_groups_key(self):
        self.cinder_rules()
        self.ok("seal", "--in-place", self.conf)
        header = re.search(r"^header = tresor-header:v1::(.*)$", open(self.conf).read(), re.M)
        import base64
        for group, identity in (("default", self.ops), ("backend_b", self.b)):
            fields = dict((g.split("=")[0], g.split("=")) for g in header.group(1).split(","))
            b64u = fields[group][3]
            age_file = self.write("key.age", base64.urlsafe_b64decode(b64u + "=" * (-len(b64u) % 4)))
            key = run(["age", "-d", "-i", identity, age_file], check=True).stdout
            self.assertEqual(len(key), 32)


if __name__ == "__main__":
    unittest.main()
