"""Shell completion: the scripts `tresor completion bash|zsh|fish` print,
run in the real shells (bash, zsh through its bash completion support,
fish's `complete -C`), and checked against every command's --help so that
they cannot drift from the command definitions."""
import os
import re
import shutil
import subprocess
import unittest

from tresor_testlib import TRESOR, TempDirTest, tresor

BIN = os.path.dirname(os.path.abspath(TRESOR))

# Words typed (the last one being completed), and what bash offers.
CASES = [
    (["tresor", "dec"], ["decrypt"]),
    (["tresor", "encrypt", "--ar"], ["--armor"]),
    (["tresor", "kv", "g"], ["get"]),
    (["tresor", "seal", "--format", ""], ["ini", "dotenv", "json", "toml", "yaml"]),
    (["tresor", "import", "dotenvx", "--env"], ["--env-keys-file"]),
    # A value is skipped: "-o" takes one, so "x" is not a command.
    (["tresor", "encrypt", "-o", "x", "--arm"], ["--armor"]),
    (["tresor", "key", "de"], ["delete", "default"]),
]

BASH_DRIVER = """
source <("$TRESOR" completion bash)
words=("$@"); COMP_WORDS=("${words[@]}"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_tresor
printf '%s\\n' "${COMPREPLY[@]}"
"""

# zsh runs a bash completion function in sh emulation and filters what it
# returns by the prefix typed; the driver does both.
ZSH_DRIVER = """
autoload -U compinit && compinit -u
source <("$TRESOR" completion zsh)
c() { emulate -L sh; setopt kshglob noshglob braceexpand
  COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _tresor
  for m in "${COMPREPLY[@]}"; do case $m in "${COMP_WORDS[COMP_CWORD]}"*) echo "$m";; esac; done; }
c "$@"
"""


def complete_bash(words, env):
    proc = subprocess.run(["bash", "-c", BASH_DRIVER, "bash", *words], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return proc.stdout.splitlines()


class CompletionTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.env = dict(os.environ, TRESOR=TRESOR, PATH=BIN + os.pathsep + os.environ["PATH"],
                        TRESOR_KEYRING_DIR=self.path("keys"))

    def test_bash_completes_commands_flags_and_values(self):
        for words, expected in CASES:
            with self.subTest(words=words):
                self.assertEqual(complete_bash(words, self.env), expected)

    def test_key_names_come_from_the_keyring(self):
        for name in ("backend_a", "backend_b"):
            subprocess.run([TRESOR, "key", "new", name], env=self.env, capture_output=True,
                           check=True, timeout=60)
        self.assertEqual(complete_bash(["tresor", "get", "--key", "backend_"], self.env),
                         ["backend_a", "backend_b"])

    @unittest.skipUnless(shutil.which("zsh"), "zsh is installed by scripts/install-deps.sh")
    def test_zsh_runs_the_same_function(self):
        for words, expected in CASES:
            with self.subTest(words=words):
                proc = subprocess.run(["zsh", "-f", "-c", ZSH_DRIVER, "zsh", *words],
                                      env=self.env, capture_output=True, text=True, timeout=60)
                self.assertEqual((proc.returncode, proc.stderr), (0, ""))
                self.assertEqual(proc.stdout.splitlines(), expected)

    @unittest.skipUnless(shutil.which("fish"), "fish is installed by scripts/install-deps.sh")
    def test_fish_completes_with_descriptions(self):
        script = self.write("tresor.fish", tresor("completion", "fish", check=True).stdout)
        for words, expected in CASES:
            with self.subTest(words=words):
                line = " ".join(w for w in words)
                proc = subprocess.run(["fish", "-c", f"source {script}; complete -C '{line}'"],
                                      env=self.env, capture_output=True, text=True, timeout=60)
                self.assertEqual((proc.returncode, proc.stderr), (0, ""))
                got = [l.split("\t")[0] for l in proc.stdout.splitlines()]
                self.assertEqual(sorted(got), sorted(expected))
        proc = subprocess.run(["fish", "-c", f"source {script}; complete -C 'tresor decr'"],
                              env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.stdout, "decrypt\tDecrypt an age file\n")

    def test_every_command_completes_what_its_help_lists(self):
        # Walk the command tree through --help alone.
        pending, seen = [[]], 0
        while pending:
            path = pending.pop()
            text = tresor(*path, "--help", check=True).stdout.decode()
            flags, commands, section = set(), [], None
            for line in text.splitlines():
                if re.match(r"^\S.*:$", line):
                    section = line
                    continue
                m = re.match(r"^  (\S+)", line)
                if not m:
                    continue
                if section == "Options:" and m.group(1).startswith("-"):
                    flags.update(m.group(1).split(","))
                elif section == "Subcommands:":
                    commands.append(m.group(1))
            with self.subTest(command=" ".join(path)):
                offered = complete_bash(["tresor", *path, "-"], self.env)
                self.assertEqual(sorted(offered), sorted(flags))
                if commands:
                    self.assertEqual(complete_bash(["tresor", *path, ""], self.env), commands)
            pending.extend(path + [c] for c in commands)
            seen += 1
        self.assertGreater(seen, 90)

    def test_an_unknown_shell_is_a_usage_error(self):
        proc = tresor("completion", "tcsh")
        self.assertEqual((proc.returncode, proc.stderr.decode()),
                         (2, 'tresor: error: no completion for shell "tcsh" (bash, zsh or fish)\n'))


if __name__ == "__main__":
    unittest.main()
