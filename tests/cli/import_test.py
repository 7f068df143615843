"""tresor import sops and tresor decrypt --sops against real sops files, and
tresor import ansible-vault and dotenvx against files their own tools write.

The sops files and their published test keys are in ../shared/testdata/sops
(see its README): each is decrypted and compared with the expected plaintext
tree, imported into a sealed file for the same recipients, and tampered
with to check that sops's MAC and associated data are enforced. The
ansible-vault files come from Debian's ansible-core, the dotenvx files from
dotenvx itself (npm, pinned by tests/cli/node/package-lock.json)."""
import configparser
import glob
import io
import json
import os
import subprocess
import unittest

import yaml
from dotenv import dotenv_values

from tresor_testlib import TRESOR, TempDirTest, placed, run

# TRESOR_TESTDATA_DIR, for a checkout that is not next to shared/.
ROOT = os.path.join(os.environ.get("TRESOR_TESTDATA_DIR") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                 "testdata")), "sops")

# (repository folder, file in it): every sops file that an available age key opens.
VECTORS = [
    ("Mic92--sops-nix", "pkgs/sops-install-secrets/test-assets/secrets.yaml"),
    ("jkroepke--helm-secrets", "tests/assets/values/sops/secrets.age.yaml"),
    ("fluxcd--kustomize-controller", "internal/controller/testdata/sops/algorithms/age.yaml"),
    ("fluxcd--kustomize-controller", "internal/controller/testdata/sops/patches/merge1.yaml"),
    ("fluxcd--kustomize-controller", "internal/controller/testdata/sops/patches/merge2.yaml"),
    ("fluxcd--kustomize-controller", "internal/controller/testdata/sops/global/secret.yaml"),
    ("fluxcd--kustomize-controller", "internal/controller/testdata/sops/envs/env.env"),
    ("fluxcd--kustomize-controller", "internal/controller/testdata/sops/component/env.env"),
    ("fluxcd--kustomize-controller", "internal/controller/testdata/sops/files/file.txt"),
    ("humphd--sops-age", "tests/data/secret.enc.json"),
    ("humphd--sops-age", "tests/data/secret.enc.yaml"),
    ("humphd--sops-age", "tests/data/secret.enc.env"),
    ("budimanjojo--talhelper", "pkg/decrypt/testdata/encrypted.yaml"),
    ("budimanjojo--talhelper", "pkg/decrypt/testdata/encrypted.json"),
    ("budimanjojo--talhelper", "pkg/decrypt/testdata/encrypted.env"),
    ("gibbz00--rops", "crates/lib/tests/sops_references/age_empty_value.yaml"),
    ("gibbz00--rops", "crates/lib/tests/sops_references/age_encrypted_regex.yaml"),
    ("gibbz00--rops", "crates/lib/tests/sops_references/age_encrypted_suffix.yaml"),
    ("gibbz00--rops", "crates/lib/tests/sops_references/age_example.yaml"),
    ("gibbz00--rops", "crates/lib/tests/sops_references/age_mac_only_encrypted.yaml"),
    ("gibbz00--rops", "crates/lib/tests/sops_references/age_unencrypted_regex.yaml"),
    ("gibbz00--rops", "crates/lib/tests/sops_references/age_unencrypted_suffix.yaml"),
    ("engie--quadsync", "extracted/testEncryptedINI.ini"),
]


def repo_keys(repo):
    """Every classic age identity the repository publishes, one per line."""
    keys = []
    for path in sorted(glob.glob(os.path.join(ROOT, repo, "**", "*"), recursive=True)):
        if not os.path.isfile(path) or "/decrypted/" in path:
            continue
        with open(path, "rb") as f:
            for line in f.read().decode(errors="replace").splitlines():
                if line.startswith("AGE-SECRET-KEY-1") and line not in keys:
                    keys.append(line)
    return "\n".join(keys) + "\n"


def parse_plaintext(name, text):
    """The tree a reader of the decrypted file sees."""
    if name.endswith((".yaml", ".yml")):
        return yaml.safe_load(text)
    if name.endswith(".json"):
        return json.loads(text)
    if name.endswith(".env"):
        return dict(dotenv_values(stream=io.StringIO(text)))
    if name.endswith(".ini"):
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str
        parser.read_string(text)
        return {s: dict(parser[s]) for s in parser.sections()}
    return {"data": text}


def expected_tree(repo, name):
    with open(os.path.join(ROOT, repo, "decrypted", name + ".json")) as f:
        return json.load(f)


def normalise(tree):
    """YAML timestamps and JSON floats as the expected trees hold them."""
    if isinstance(tree, dict):
        return {k: normalise(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [normalise(v) for v in tree]
    if hasattr(tree, "isoformat"):
        return tree.isoformat().replace("+00:00", "Z")
    return tree


class SopsTest(TempDirTest):
    def env(self, **extra):
        env = dict(os.environ)
        for name in ("SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "XDG_CONFIG_HOME"):
            env.pop(name, None)
        env["HOME"] = self.dir
        env.update(extra)
        return env

    def keyfile(self, repo):
        return self.write("keys-" + repo + ".txt", repo_keys(repo), 0o600)

    def tresor(self, *args, env=None, stdin=b""):
        return run([TRESOR, *args], stdin=stdin, env=env or self.env())

    def decrypt(self, repo, name, *extra):
        path = os.path.join(ROOT, repo, name)
        return self.tresor("decrypt", "--sops", *extra, path,
                           env=self.env(SOPS_AGE_KEY_FILE=self.keyfile(repo)))


HUMPHD = ("humphd--sops-age", "tests/data/secret.enc.yaml")
HUMPHD_YAML = (b"secret: this is a secret\nstring: string\nint: 7\nfloat: 3.14\nboolean: true\n"
               b"complex:\n  value: this is a secret\n  array:\n    - one\n    - two\n    - three\n")


class DecryptSopsTest(SopsTest):
    def test_every_vector_decrypts_to_its_expected_tree(self):
        for repo, name in VECTORS:
            with self.subTest(file=name):
                proc = self.decrypt(repo, name)
                self.assertEqual(proc.returncode, 0, proc.stderr.decode())
                self.assertEqual(proc.stderr, b"")
                tree = normalise(parse_plaintext(name, proc.stdout.decode()))
                self.assertEqual(tree, expected_tree(repo, name))

    def test_the_text_stays_as_sops_wrote_it_without_the_metadata(self):
        self.assertEqual(self.decrypt(*HUMPHD).stdout, HUMPHD_YAML)
        proc = self.decrypt("engie--quadsync", "extracted/testEncryptedINI.ini")
        self.assertEqual(proc.stdout, (
            b"[Container]\nImage         = registry.example.com/planning-webapp:latest\n"
            b"ContainerName = planning-webapp\n\n[Secrets]\n"
            b"DATABASE_URL = env:postgres://admin:s3cret@db.internal:5432/planning\n"
            b"API_KEY      = env:sk-live-abc123xyz\n"
            b"TLS_CERT     = file:/run/secrets/tls.cert:aGVsbG8gd29ybGQ=\n\n"
            b"[Service]\nRestart = on-failure\n"))
        proc = self.decrypt("humphd--sops-age", "tests/data/secret.enc.env")
        self.assertEqual(proc.stdout, b'secret="this is a secret"\nanother_secret=7\n')
        proc = self.decrypt("humphd--sops-age", "tests/data/secret.enc.json")
        self.assertTrue(proc.stdout.startswith(b'{\n  "secret": "this is a secret",\n'))
        self.assertTrue(proc.stdout.endswith(b'      "three"\n    ]\n  }\n}\n'), proc.stdout)
        proc = self.decrypt("fluxcd--kustomize-controller",
                            "internal/controller/testdata/sops/files/file.txt")
        self.assertEqual(proc.stdout, b"value")

    def test_sops_key_sources_are_read_as_sops_reads_them(self):
        path = os.path.join(ROOT, *HUMPHD)
        keys = repo_keys(HUMPHD[0])
        proc = self.tresor("decrypt", "--sops", path, env=self.env(SOPS_AGE_KEY=keys))
        self.assertEqual(proc.stdout, HUMPHD_YAML, proc.stderr)
        config = os.path.join(self.dir, ".config", "sops", "age")
        os.makedirs(config)
        with open(os.path.join(config, "keys.txt"), "w") as f:
            f.write(keys)
        proc = self.tresor("decrypt", "--sops", path)
        self.assertEqual(proc.stdout, HUMPHD_YAML, proc.stderr)
        os.rename(os.path.join(self.dir, ".config"), os.path.join(self.dir, "xdg"))
        proc = self.tresor("decrypt", "--sops", path,
                           env=self.env(XDG_CONFIG_HOME=os.path.join(self.dir, "xdg")))
        self.assertEqual(proc.stdout, HUMPHD_YAML, proc.stderr)
        proc = self.tresor("decrypt", "--sops", "-i", self.keyfile(HUMPHD[0]), path)
        self.assertEqual(proc.stdout, HUMPHD_YAML, proc.stderr)
        # Each of the two age keys sops-nix publishes opens its file alone.
        nix = os.path.join(ROOT, "Mic92--sops-nix", "pkgs/sops-install-secrets/test-assets")
        for key in (os.path.join(nix, "age-keys.txt"),
                    os.path.join(ROOT, "Mic92--sops-nix", "derived",
                                 "pkgs/sops-install-secrets/test-assets/ssh-ed25519-key.agekey")):
            proc = self.tresor("decrypt", "--sops", "-i", key, os.path.join(nix, "secrets.yaml"))
            self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_without_a_key_the_error_names_the_recipients_and_where_keys_were_looked_for(self):
        path = os.path.join(ROOT, *HUMPHD)
        proc = self.tresor("decrypt", "--sops", path)
        self.assertEqual(proc.returncode, 4)
        self.assertTrue(proc.stderr.decode().startswith(
            "tresor: error: " + placed(path, "no identity opens the sops data key; the file is "
                                       "for age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr, "
                                       "age19j4d6v9j7rx5fs629fu387qz4zmlpsqjexa4s08tkfrrmfdl5cwqjlaupd, "
                                       "age13runq29jhy9kfpaegczrzttykerswh0qprq59msgd754yermtfmsa3hwg2; "
                                       "sops's places for keys: $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, "
                                       f"{self.dir}/.config/sops/age/keys.txt (none set or present)")),
            proc.stderr)
        self.assertEqual(proc.stdout, b"")
        flux = "fluxcd--kustomize-controller"
        pq = os.path.join(ROOT, flux, "internal/controller/testdata/sops/algorithms/age-pq.yaml")
        proc = self.tresor("decrypt", "--sops", "-i", self.keyfile(flux), pq)
        self.assertEqual(proc.returncode, 4)
        self.assertEqual(proc.stderr.decode(), "tresor: error: " + placed(
            pq, "no identity opens the sops data key; the file is for age1pq1ehusfwsvrente8p6g... "
            "(post-quantum, which tresor cannot open yet)") + "\n")

    def tampered(self, repo, name, old, new):
        with open(os.path.join(ROOT, repo, name), "rb") as f:
            text = f.read()
        self.assertIn(old, text)
        return self.write(os.path.basename(name), text.replace(old, new, 1))

    def test_a_changed_plaintext_value_fails_the_mac_and_ignore_mac_reads_it(self):
        repo = "gibbz00--rops"
        path = self.tampered(repo, "crates/lib/tests/sops_references/age_unencrypted_suffix.yaml",
                             b"    a: aaa\n", b"    a: aab\n")
        env = self.env(SOPS_AGE_KEY_FILE=self.keyfile(repo))
        proc = self.tresor("decrypt", "--sops", path, env=env)
        self.assertEqual(proc.returncode, 5)
        self.assertEqual(proc.stderr.decode(), "tresor: error: " + placed(
            path, "sops MAC mismatch: the values were changed after sops wrote the file "
            "(--ignore-mac reads it anyway)") + "\n")
        self.assertEqual(proc.stdout, b"")
        proc = self.tresor("decrypt", "--sops", "--ignore-mac", path, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(yaml.safe_load(proc.stdout)["a"]["b_unencrypted"]["a"], "aab")

    def test_a_value_moved_to_another_key_does_not_open(self):
        repo, name = HUMPHD
        with open(os.path.join(ROOT, repo, name), "rb") as f:
            lines = f.read().split(b"\n")
        first = lines[0].split(b": ", 1)[1]
        second = lines[1].split(b": ", 1)[1]
        lines[0], lines[1] = b"secret: " + second, b"string: " + first
        path = self.write("moved.yaml", b"\n".join(lines))
        proc = self.tresor("decrypt", "--sops", path,
                           env=self.env(SOPS_AGE_KEY_FILE=self.keyfile(repo)))
        self.assertEqual(proc.returncode, 5)
        self.assertEqual(proc.stderr.decode(), "tresor: error: " + placed(
            path, "1:9: secret does not open with the file's data key (moved or changed)") + "\n")

    def test_malformed_and_foreign_files_say_what_is_wrong(self):
        env = self.env(SOPS_AGE_KEY_FILE=self.keyfile(HUMPHD[0]))
        cases = [
            ("plain.yaml", b"a: 1\n", 5, "not a sops file: no top-level sops: key holds sops metadata"),
            ("nomac.yaml", b"a: 1\nsops:\n  version: 3.9.0\n", 5, "sops metadata: no mac"),
            ("broken.json", b"{\"a\": ", 5, None),
        ]
        for name, text, code, message in cases:
            with self.subTest(file=name):
                path = self.write(name, text)
                proc = self.tresor("decrypt", "--sops", path, env=env)
                self.assertEqual(proc.returncode, code if message else proc.returncode)
                if message:
                    self.assertEqual(proc.stderr.decode(),
                                     "tresor: error: " + placed(path, message) + "\n")
                else:
                    self.assertNotEqual(proc.returncode, 0)
                    self.assertTrue(proc.stderr.decode().startswith(
                        f"tresor: error: {path}:1:"), proc.stderr)
        bad = self.tampered(HUMPHD[0], HUMPHD[1], b"ENC[AES256_GCM,data:LNzAFGse,iv:",
                            b"ENC[AES256_GCM,data:LNzAFGse,ivx:")
        proc = self.tresor("decrypt", "--sops", bad, env=env)
        self.assertEqual(proc.returncode, 5)
        self.assertEqual(proc.stderr.decode(), "tresor: error: " + placed(
            bad, "2:9: malformed sops value: expected data, iv, tag and type fields, in that "
            "order") + "\n")

    def test_plaintext_output_files_are_private(self):
        out = self.path("plain.yaml")
        repo, name = HUMPHD
        proc = self.tresor("decrypt", "--sops", "-o", out, os.path.join(ROOT, repo, name),
                           env=self.env(SOPS_AGE_KEY_FILE=self.keyfile(repo)))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.read("plain.yaml"), HUMPHD_YAML)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)


class ImportSopsTest(SopsTest):
    def test_every_file_becomes_a_sealed_file_for_the_same_recipients(self):
        for repo, name in VECTORS:
            if name.endswith(".txt"):
                continue
            with self.subTest(file=name):
                source = os.path.join(ROOT, repo, name)
                keys = self.keyfile(repo)
                env = self.env(SOPS_AGE_KEY_FILE=keys)
                out = self.path("imported-" + os.path.basename(name))
                proc = self.tresor("import", "sops", source, "-o", out, env=env)
                self.assertEqual(proc.returncode, 0, proc.stderr.decode())
                plain = self.tresor("decrypt", "--sops", source, env=env).stdout
                unsealed = self.tresor("unseal", "-i", keys, out)
                self.assertEqual(unsealed.stdout, plain, unsealed.stderr)
                info = json.loads(self.tresor("inspect", "--json", out).stdout)
                with open(source, "rb") as f:
                    text = f.read()
                group = info["groups"][0]
                self.assertEqual(len(info["groups"]), 1)
                for recipient in group["recipients"]:
                    self.assertIn(recipient.encode(), text)
                # What sops encrypted is sealed; what it left in plaintext stays so.
                self.assertEqual(len(group["paths"]), text.count(b"ENC[AES256_GCM") -
                                 text.count(b"type:comment]") - 1)  # less the MAC

    def test_summary_in_place_and_mode(self):
        repo, name = HUMPHD
        with open(os.path.join(ROOT, repo, name), "rb") as f:
            path = self.write("secret.enc.yaml", f.read(), 0o640)
        proc = self.tresor("import", "sops", "--in-place", "--summary", path,
                           env=self.env(SOPS_AGE_KEY_FILE=self.keyfile(repo)))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, b"")
        self.assertEqual(proc.stderr.decode(), (
            f"tresor: {path}: sealed 9 values in group default for "
            "age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr, "
            "age19j4d6v9j7rx5fs629fu387qz4zmlpsqjexa4s08tkfrrmfdl5cwqjlaupd, "
            "age13runq29jhy9kfpaegczrzttykerswh0qprq59msgd754yermtfmsa3hwg2; "
            "0 values left in plaintext\n"))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o640)
        self.assertTrue(self.read("secret.enc.yaml").startswith(b'secret: "tresor:v1:default:s:'))
        proc = self.tresor("unseal", "-i", self.keyfile(repo), path)
        self.assertEqual(proc.stdout, HUMPHD_YAML)

    def test_other_recipients_and_dropped_key_kinds(self):
        repo = "Mic92--sops-nix"
        name = "pkgs/sops-install-secrets/test-assets/secrets.yaml"
        source = os.path.join(ROOT, repo, name)
        env = self.env(SOPS_AGE_KEY_FILE=self.keyfile(repo))
        proc = self.tresor("import", "sops", source, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr.decode(), (
            f"tresor: note: {source}: sops also wraps its key for pgp keys; the sealed file is "
            "for its age recipients only\n"))
        mine, recipient = self.keygen("mine.txt")
        out = self.path("mine.yaml")
        proc = self.tresor("import", "sops", source, "-r", recipient, "-o", out, env=env)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        info = json.loads(self.tresor("inspect", "--json", out).stdout)
        self.assertEqual(info["groups"][0]["recipients"], [recipient])
        self.assertEqual(self.tresor("unseal", "-i", mine, out).stdout,
                         self.tresor("decrypt", "--sops", source, env=env).stdout)

    def test_a_binary_file_is_not_a_configuration_file(self):
        repo = "fluxcd--kustomize-controller"
        source = os.path.join(ROOT, repo, "internal/controller/testdata/sops/files/file.txt")
        proc = self.tresor("import", "sops", source,
                           env=self.env(SOPS_AGE_KEY_FILE=self.keyfile(repo)))
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(), "tresor: error: " + placed(
            source, "a binary sops file holds no configuration values to seal (give "
            "--input-type, or encrypt its contents: tresor decrypt --sops FILE | tresor "
            "encrypt)") + "\n")

    def test_help_names_the_command(self):
        proc = self.tresor("import", "sops", "--help")
        self.assertEqual(proc.returncode, 0)
        self.assertIn(b"--input-type TYPE", proc.stdout)
        self.assertIn(b"SOPS_AGE_KEY_FILE", proc.stdout)


VARS = b"db:\n  user: app\n  password: s3cret\nport: 5432\n"


class AnsibleVaultTest(TempDirTest):
    """Vaults written by the real ansible-vault (Debian's ansible-core)."""

    def setUp(self):
        super().setUp()
        self.password = self.write("pw", "hunter2\n", 0o600)
        self.env = dict(os.environ, HOME=self.dir)
        self.env.pop("ANSIBLE_VAULT_PASSWORD_FILE", None)

    def ansible(self, *args):
        run(["ansible-vault", *args], env=self.env, check=True)

    def tresor(self, *args, env=None):
        return run([TRESOR, *args], env=env or self.env)

    def whole(self, name, *extra):
        path = self.write(name, VARS)
        self.ansible("encrypt", *extra, path)
        return path

    def inline(self):
        out = run(["ansible-vault", "encrypt_string", "--vault-password-file", self.password,
                   "s3cret", "--name", "password"], env=self.env, check=True).stdout
        return self.write("inline.yml", b"user: app\n" + out + b"\nport: 5432\n")

    def test_whole_file_vaults_1_1_and_1_2_print_as_ansible_vault_view_does(self):
        for name, extra in (("v11.yml", ["--vault-password-file", self.password]),
                            ("v12.yml", ["--vault-id", "prod@" + self.password])):
            with self.subTest(file=name):
                path = self.whole(name, *extra)
                with open(path, "rb") as f:
                    header = f.readline()
                self.assertEqual(header, b"$ANSIBLE_VAULT;1.2;AES256;prod\n" if "12" in name
                                 else b"$ANSIBLE_VAULT;1.1;AES256\n")
                proc = self.tresor("import", "ansible-vault", "--vault-password-file",
                                   self.password, "--stdout", path)
                self.assertEqual((proc.returncode, proc.stderr), (0, b""))
                self.assertEqual(proc.stdout, VARS)
                view = run(["ansible-vault", "view", "--vault-password-file", self.password, path],
                           env=self.env, check=True).stdout
                self.assertEqual(proc.stdout, view)

    def test_inline_vaults_become_sealed_values_and_the_rest_stays(self):
        path = self.inline()
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", self.password,
                           "--stdout", path)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        self.assertEqual(proc.stdout, b'user: app\npassword: "s3cret"\nport: 5432\n')
        key, recipient = self.keygen("key.txt")
        out = self.path("sealed.yml")
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", self.password,
                           "-r", recipient, "-o", out, path)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        info = json.loads(self.tresor("inspect", "--json", out).stdout)
        self.assertEqual(info["groups"][0]["paths"], ["password"])
        self.assertEqual(info["groups"][0]["recipients"], [recipient])
        self.assertEqual(info["plaintext"], ["user", "port"])
        self.assertEqual(self.tresor("get", "-i", key, out, "password").stdout, b"s3cret\n")

    def test_a_whole_vault_imports_with_every_value_sealed_in_place(self):
        path = self.whole("vars.yml", "--vault-password-file", self.password)
        os.chmod(path, 0o640)
        key, recipient = self.keygen("key.txt")
        proc = self.tresor("import", "ansible-vault", "--in-place", "-r", recipient, path,
                           env=dict(self.env, ANSIBLE_VAULT_PASSWORD_FILE=self.password))
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o640)
        info = json.loads(self.tresor("inspect", "--json", path).stdout)
        self.assertEqual(info["groups"][0]["paths"], ["db.user", "db.password", "port"])
        self.assertEqual(self.tresor("unseal", "-i", key, path).stdout, VARS)

    def test_an_executable_password_file_is_run_as_ansible_runs_it(self):
        script = self.write("pw.sh", "#!/bin/sh\necho hunter2\n", 0o700)
        path = self.whole("vars.yml", "--vault-password-file", script)
        view = run(["ansible-vault", "view", "--vault-password-file", script, path],
                   env=self.env, check=True).stdout
        self.assertEqual(view, VARS)
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", script,
                           "--stdout", path)
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, VARS, b""))
        # The password file written by hand opens it too: the same password.
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", self.password,
                           "--stdout", path)
        self.assertEqual((proc.returncode, proc.stdout), (0, VARS))
        failing = self.write("fail.sh", "#!/bin/sh\nexit 3\n", 0o700)
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", failing,
                           "--stdout", path)
        self.assertEqual(proc.returncode, 3)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {failing}: the vault password "
                         "script failed (exit status 3)\n")
        shared = self.write("shared.sh", "#!/bin/sh\necho hunter2\n", 0o777)
        os.chmod(shared, 0o777)
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", shared,
                           "--stdout", path)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {shared}: the vault password "
                         "script is writable by group or others (mode 0777); chmod go-w it\n")

    def test_wrong_passwords_changed_vaults_and_bad_setups_say_so(self):
        path = self.whole("vars.yml", "--vault-password-file", self.password)
        wrong = self.write("wrong", "hunter3\n", 0o600)
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", wrong, "--stdout",
                           path)
        hmac = ("the vault password does not open it (HMAC mismatch: a wrong password, or the "
                "file was changed)")
        self.assertEqual(proc.returncode, 4)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {path}: {hmac}\n")
        self.assertEqual(proc.stdout, b"")
        # One byte of the ciphertext changed: the HMAC no longer verifies.
        with open(path) as f:
            header, *body = f.read().split("\n")
        salt, mac, ct = bytes.fromhex("".join(body)).split(b"\n")
        ct = (b"1" if ct[:1] == b"0" else b"0") + ct[1:]
        hexed = (b"\n".join([salt, mac, ct])).hex()
        changed = self.write("changed.yml", header + "\n" + "\n".join(
            hexed[i:i + 80] for i in range(0, len(hexed), 80)) + "\n")
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", self.password,
                           "--stdout", changed)
        self.assertEqual(proc.returncode, 4)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {changed}: {hmac}\n")
        loose = self.write("loose", "hunter2\n", 0o644)
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", loose, "--stdout",
                           path)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {loose}: passphrase file is "
                         "accessible by group or others (mode 0644); chmod 600 it\n")
        # No terminal at all: a new session has no controlling one.
        proc = subprocess.run([TRESOR, "import", "ansible-vault", "--stdout", path], env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True,
                              start_new_session=True, timeout=60)
        self.assertEqual(proc.stderr.decode(), "tresor: error: a vault password is needed and "
                         "there is no terminal to ask on: give --vault-password-file FILE or set "
                         "ANSIBLE_VAULT_PASSWORD_FILE\n")
        plain = self.write("plain.yml", "a: 1\n")
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", self.password,
                           "--stdout", plain)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {plain}: no ansible vault in it "
                         "(neither a whole-file vault nor !vault values)\n")
        v10 = self.write("v10.yml", "$ANSIBLE_VAULT;1.0;AES\n00\n")
        proc = self.tresor("import", "ansible-vault", "--vault-password-file", self.password,
                           "--stdout", v10)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {v10}: ansible vault: format "
                         "1.0 is not 1.1 or 1.2\n")


NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
DOTENVX = os.path.join(NODE_DIR, "node_modules", ".bin", "dotenvx")
# Bare, double- and single-quoted values, a '$' that must stay literal, a
# '#' inside quotes, an exported one, and a comment.
DOTENV = (b"# the app\nHELLO=World\nPASS=\"p@ss word # not a comment\"\n"
          b"SINGLE='cost $5'\nexport TOKEN=abc123\n")


class DotenvxTest(TempDirTest):
    """.env files encrypted by the real dotenvx."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(DOTENVX):
            subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                           check=True, timeout=600)

    def setUp(self):
        super().setUp()
        # No dotenvx cloud ("armor"), and no private key from the caller.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DOTENV_")}
        self.env.update(HOME=self.dir, DOTENVX_NO_ARMOR="true")

    def dotenvx(self, *args):
        return subprocess.run([DOTENVX, *args], cwd=self.dir, env=self.env, capture_output=True,
                              check=True, timeout=120)

    def encrypted(self, name=".env", data=DOTENV, *extra):
        path = self.write(name, data)
        self.dotenvx("encrypt", "-f", name, *extra)
        return path

    def tresor(self, *args, env=None):
        return subprocess.run([TRESOR, *args], cwd=self.dir, env=env or self.env,
                              capture_output=True, timeout=120)

    def private_key(self, name="DOTENV_PRIVATE_KEY"):
        with open(self.path(".env.keys")) as f:
            return dotenv_values(stream=f)[name]

    def test_stdout_is_the_file_as_it_was_before_dotenvx_encrypted_it(self):
        path = self.encrypted()
        with open(path, "rb") as f:
            self.assertEqual(f.read().count(b"encrypted:"), 4)
        proc = self.tresor("import", "dotenvx", "--stdout", path)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        # dotenvx adds its public key (with a banner) and a "# .env" line.
        self.assertEqual(proc.stdout, b"# .env\n" + DOTENV)
        # Each value reads as dotenvx reads it.
        for key in ("HELLO", "PASS", "SINGLE", "TOKEN"):
            with self.subTest(key=key):
                theirs = self.dotenvx("get", key, "-f", ".env").stdout.decode().rstrip("\n")
                ours = dotenv_values(stream=io.StringIO(proc.stdout.decode()))[key]
                self.assertEqual(ours, theirs)

    def test_encrypted_values_become_sealed_values_and_the_rest_stays(self):
        path = self.encrypted(".env", DOTENV, "-k", "PASS", "-k", "TOKEN")
        key, recipient = self.keygen("key.txt")
        out = self.path("sealed.env")
        proc = self.tresor("import", "dotenvx", "-r", recipient, "-o", out, path)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        info = json.loads(self.tresor("inspect", "--json", out).stdout)
        self.assertEqual(info["groups"][0]["paths"], ["PASS", "TOKEN"])
        self.assertEqual(info["groups"][0]["recipients"], [recipient])
        self.assertEqual(info["plaintext"], ["HELLO", "SINGLE"])
        self.assertEqual(self.tresor("unseal", "-i", key, out).stdout, b"# .env\n" + DOTENV)
        self.assertEqual(self.tresor("get", "-i", key, out, "PASS").stdout,
                         b"p@ss word # not a comment\n")

    def test_keys_come_from_the_environment_or_a_named_file_and_suffixes_are_read(self):
        path = self.encrypted(".env.production", b"DB_PASSWORD=s3cret\n")
        private = self.private_key("DOTENV_PRIVATE_KEY_PRODUCTION")
        os.rename(self.path(".env.keys"), self.path("elsewhere.keys"))
        proc = self.tresor("import", "dotenvx", "--stdout", "--env-keys-file",
                           self.path("elsewhere.keys"), path)
        self.assertEqual((proc.returncode, proc.stderr),
                         (0, b""))
        self.assertEqual(proc.stdout, b"# .env.production\nDB_PASSWORD=s3cret\n")
        # A list of keys, the right one last, as DOTENV_PRIVATE_KEY_PRODUCTION.
        other = "1" * 64
        env = dict(self.env, DOTENV_PRIVATE_KEY_PRODUCTION=other + "," + private)
        proc = self.tresor("import", "dotenvx", "--stdout", path, env=env)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        self.assertEqual(proc.stdout, b"# .env.production\nDB_PASSWORD=s3cret\n")

    def test_missing_and_wrong_keys_and_damage_say_so(self):
        path = self.encrypted(".env", b"A=1\n")
        os.rename(self.path(".env.keys"), self.path("saved.keys"))
        proc = self.tresor("import", "dotenvx", "--stdout", path)
        self.assertEqual(proc.returncode, 4)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {path}: no dotenvx private key: "
                         f"{self.path('.env.keys')} is not there and no DOTENV_PRIVATE_KEY* "
                         "variable is set (give --env-keys-file FILE)\n")
        env = dict(self.env, DOTENV_PRIVATE_KEY="2" * 64)
        proc = self.tresor("import", "dotenvx", "--stdout", path, env=env)
        self.assertEqual((proc.returncode, proc.stdout), (4, b""))
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {path}:8:3: A: no private key "
                         "opens it (tried $DOTENV_PRIVATE_KEY): it was encrypted for another "
                         "key, or changed\n")
        bad = self.write("bad.keys", "DOTENV_PRIVATE_KEY=xyz\n")
        proc = self.tresor("import", "dotenvx", "--stdout", "--env-keys-file", bad, path)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {bad}:1:20: DOTENV_PRIVATE_KEY "
                         f"({bad}) is not a private key (64 hex digits)\n")
        # One character of the ciphertext changed: the tag no longer verifies.
        with open(path) as f:
            text = f.read()
        at = text.index("\n", text.index("encrypted:")) - 5  # in the ciphertext or tag
        changed = self.write("changed.env", text[:at] + ("A" if text[at] != "A" else "B") +
                             text[at + 1:])
        keys = self.path("saved.keys")
        proc = self.tresor("import", "dotenvx", "--stdout", "--env-keys-file", keys, changed)
        self.assertEqual(proc.returncode, 4)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {changed}:8:3: A: no private "
                         f"key opens it (tried DOTENV_PRIVATE_KEY ({keys})): it was encrypted "
                         "for another key, or changed\n")
        truncated = self.write("truncated.env", "A=encrypted:BAAA\n")
        proc = self.tresor("import", "dotenvx", "--stdout", "--env-keys-file", keys, truncated)
        self.assertEqual(proc.returncode, 5)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {truncated}:1:3: A: malformed "
                         "encrypted value (too short)\n")
        plain = self.write("plain.env", "A=1\n")
        proc = self.tresor("import", "dotenvx", "--stdout", "--env-keys-file", keys, plain)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {plain}: no dotenvx-encrypted "
                         "value (encrypted:...) in it\n")

    def test_in_place_keeps_the_mode_and_the_keys_file_is_not_touched(self):
        path = self.encrypted()
        os.chmod(path, 0o640)
        with open(self.path(".env.keys"), "rb") as f:
            keys = f.read()
        key, recipient = self.keygen("key.txt")
        proc = self.tresor("import", "dotenvx", "--in-place", "-r", recipient, path)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o640)
        self.assertEqual(self.tresor("unseal", "-i", key, path).stdout, b"# .env\n" + DOTENV)
        with open(self.path(".env.keys"), "rb") as f:
            self.assertEqual(f.read(), keys)


if __name__ == "__main__":
    unittest.main()
