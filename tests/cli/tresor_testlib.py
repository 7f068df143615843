"""Helpers for tests that run the real tresor and age binaries."""
import hashlib
import os
import re
import pty
import shutil
import subprocess
import tempfile
import unittest

TRESOR = os.environ.get("TRESOR_BIN", "tresor")


def placed(path, message):
    """An error about `path` as tresor words it: FILE:LINE:COL: for a
    message that starts with a location (the GNU form), else FILE: ."""
    return f"{path}:{message}" if re.match(r"\d+:", message) else f"{path}: {message}"


def run(args, stdin=b"", check=False, env=None):
    """Runs a command with stdin bytes; returns CompletedProcess (bytes)."""
    proc = subprocess.run(args, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}): {proc.stderr.decode()}")
    return proc


def tresor(*args, stdin=b"", check=False):
    return run([TRESOR, *args], stdin=stdin, check=check)


def run_with_tty(args, answers, timeout=120, prompt="passphrase", env=None):
    """Runs `args` on a pseudo-terminal, typing answers[i] after the i-th
    prompt that mentions `prompt` (any case). Returns (exit code, terminal
    text)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            if env is None:
                os.execvp(args[0], args)
            else:
                os.execvpe(args[0], args, env)
        finally:
            os._exit(127)
    text = b""
    answered = 0
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        text += chunk
        prompts = text.lower().count(prompt.lower().encode())
        while answered < min(prompts, len(answers)):
            os.write(fd, answers[answered].encode() + b"\n")
            answered += 1
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), text.decode(errors="replace")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class TempDirTest(unittest.TestCase):
    """Each test gets a private temporary directory, removed afterwards."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tresor-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data, mode=0o644):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        os.chmod(p, mode)
        return p

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def keygen(self, name):
        """An identity from age-keygen; returns (path, recipient)."""
        p = self.path(name)
        run(["age-keygen", "-o", p], check=True)
        recipient = run(["age-keygen", "-y", p], check=True).stdout.decode().strip()
        return p, recipient
