"""Helpers for tests that run the real tresor and age binaries."""
import hashlib
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
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


# What the shell run_with_tty starts prints after the command: its exit status.
_TTY_END = re.compile(rb"\x1e(\d+)\x1e")


def run_with_tty(args, answers, timeout=120, prompt="passphrase", env=None):
    """Runs `args` on a pseudo-terminal, typing answers[i] after the i-th
    prompt that mentions `prompt` (any case). Returns (exit code, terminal
    text).

    The command runs under sh, which prints its exit status after it as a
    marker that ends the read. The parent keeps the terminal's other end
    open: on Linux, a read of a terminal whose last process has gone fails
    (EIO) and can drop output still on its way, as a CI run once saw."""
    master, slave = os.openpty()
    wrapped = ["/bin/sh", "-c", '"$@"; printf "\\036%d\\036" "$?"', "sh", *args]
    pid = os.fork()
    if pid == 0:
        try:
            os.close(master)
            os.login_tty(slave)
            if env is None:
                os.execv(wrapped[0], wrapped)
            else:
                os.execve(wrapped[0], wrapped, env)
        finally:
            os._exit(127)
    text = b""
    answered = 0
    status = None
    deadline = time.monotonic() + timeout
    try:
        while not _TTY_END.search(text):
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                raise AssertionError(f"{args} did not finish in {timeout} s: {text!r}")
            if select.select([master], [], [], 0.1)[0]:
                text += os.read(master, 4096)
                prompts = text.lower().count(prompt.lower().encode())
                while answered < min(prompts, len(answers)):
                    os.write(master, answers[answered].encode() + b"\n")
                    answered += 1
            elif status is not None:
                break  # the shell is gone without its marker (it could not start)
            elif os.waitpid(pid, os.WNOHANG)[0] == pid:
                status = -1
    finally:
        os.close(master)
        os.close(slave)
        if status is None:
            os.waitpid(pid, 0)
    end = _TTY_END.search(text)
    if end is None:
        return 127, text.decode(errors="replace")
    return int(end.group(1)), (text[:end.start()] + text[end.end():]).decode(errors="replace")


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
