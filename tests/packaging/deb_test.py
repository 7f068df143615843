"""The Debian package, as an operator meets it: `cpack -G DEB` from the
build, lintian, `dpkg -i`, the installed command, man pages, completions,
library and Python package, the server started with the unit's own command
line and the packaged settings, and `dpkg -r` / `--purge` keeping the data.

It installs into the system, so it needs root (CI runs as root) and a
machine where tresor is not installed; ctest runs it alone."""
import configparser
import hashlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

import hvac

BUILD = os.environ["TRESOR_BUILD_DIR"]
TRESOR = os.environ["TRESOR_BIN"]
UNIT = "/lib/systemd/system/tresor-server.service"
CONFIG = "/etc/tresor/server.toml"
DATA = "/var/lib/tresor"
LOGS = "/var/log/tresor"
# What lintian may say about the package: nothing at error level, and this
# one warning (the library is in /usr/lib, not the multiarch directory).
LINTIAN_EXPECTED = [
    "W: tresor: pkg-config-unavailable-for-cross-compilation [usr/lib/pkgconfig/tresor.pc]",
]


def run(*args, check=True, **kw):
    proc = subprocess.run(list(args), capture_output=True, text=True, timeout=600, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
    return proc


def installed():
    proc = run("dpkg-query", "-W", "-f=${Status}", "tresor", check=False)
    return "installed" in proc.stdout and "not-installed" not in proc.stdout


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unit_setting(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNIT)
    return parser["Service"][name]


class DebTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            if os.environ.get("CI"):
                raise AssertionError("the package test installs into the system: CI runs it as root")
            raise unittest.SkipTest("installs into the system: run as root")
        for left in (DATA, LOGS, "/etc/tresor"):
            if os.path.exists(left) or installed():
                raise AssertionError(f"{left} or the tresor package is already on this machine; "
                                     "the test installs and removes its own")
        cls.out = tempfile.mkdtemp(prefix="tresor-deb-")
        version = run(TRESOR, "--version").stdout.split()[1]
        cls.version = version
        run("cpack", "-G", "DEB", "-B", cls.out, cwd=BUILD)
        cls.deb = os.path.join(cls.out, f"tresor_{version}_amd64.deb")

    @classmethod
    def tearDownClass(cls):
        if os.geteuid() != 0:
            return
        if installed():
            run("dpkg", "--purge", "tresor", check=False)
        for left in (DATA, LOGS):
            shutil.rmtree(left, ignore_errors=True)
        run("deluser", "--system", "tresor", check=False)
        run("delgroup", "--system", "tresor", check=False)
        shutil.rmtree(cls.out, ignore_errors=True)

    def test_package_install_use_and_removal(self):
        self.check_package_file()
        self.check_install()
        self.check_installed_command_docs_and_libraries()
        self.check_units()
        self.check_server_from_the_unit()
        self.check_bad_settings_stop_the_unit_with_one_line()
        self.check_removal_keeps_data()

    def check_package_file(self):
        self.assertTrue(os.path.exists(self.deb), os.listdir(self.out))
        info = run("dpkg-deb", "-f", self.deb, "Package", "Version", "Architecture").stdout
        self.assertEqual(info, f"Package: tresor\nVersion: {self.version}\nArchitecture: amd64\n")
        depends = run("dpkg-deb", "-f", self.deb, "Depends").stdout
        # libsqlite3 and libsodium are linked into the command; the C library
        # and the Python module take libsodium shared.
        for needed in ("adduser", "libssl3", "python3 (>= 3.11)", "libsodium23"):
            self.assertIn(needed, depends)
        listing = run("dpkg-deb", "-c", self.deb).stdout
        files = {line.split()[5].lstrip(".") for line in listing.splitlines()}
        for path in ("/usr/bin/tresor", "/usr/bin/age-plugin-tresor", "/usr/include/tresor.h",
                     "/usr/lib/libtresor.so.1", "/usr/lib/pkgconfig/tresor.pc",
                     "/usr/lib/tresor/tresor-etcd.so",
                     "/usr/lib/python3/dist-packages/tresor/__init__.py",
                     "/usr/share/man/man1/tresor.1.gz", "/usr/share/man/man1/tresor-server.1.gz",
                     "/usr/share/man/man5/tresor-server.toml.5.gz",
                     "/usr/share/man/man1/age-plugin-tresor.1.gz",
                     "/usr/share/bash-completion/completions/tresor",
                     "/usr/share/zsh/vendor-completions/_tresor",
                     "/usr/share/fish/vendor_completions.d/tresor.fish",
                     UNIT, "/usr/lib/systemd/user/tresor-agent.service", CONFIG,
                     "/usr/share/doc/tresor/copyright", "/usr/share/doc/tresor/changelog.gz"):
            self.assertIn(path, files)
        self.assertFalse([f for f in files if f.startswith("/var/")], "data is made, not shipped")
        lintian = run("lintian", "--fail-on", "error", self.deb, check=False)
        lines = [l for l in lintian.stdout.splitlines() if l[:2] in ("E:", "W:")]
        self.assertEqual((lintian.returncode, lines), (0, LINTIAN_EXPECTED), lintian.stderr)

    def check_install(self):
        proc = run("dpkg", "-i", self.deb)
        self.assertIn(f"Setting up tresor ({self.version})", proc.stdout)
        user = run("getent", "passwd", "tresor").stdout.split(":")
        self.assertEqual((user[5], user[6].strip()), (DATA, "/usr/sbin/nologin"))
        uid = int(user[2])
        self.assertLess(uid, 1000, "a system user")
        for path, mode, owner in ((DATA, 0o700, "tresor"), (LOGS, 0o750, "tresor"),
                                  (CONFIG, 0o640, "root")):
            st = os.stat(path)
            self.assertEqual((oct(st.st_mode & 0o7777), st.st_uid == uid), (oct(mode), owner == "tresor"),
                             path)
        self.assertEqual(run("stat", "-c", "%U:%G", CONFIG).stdout, "root:tresor\n")

    def check_installed_command_docs_and_libraries(self):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.out, "LANG": "C.UTF-8"}
        self.assertEqual(run("/usr/bin/tresor", "--version", env=env).stdout,
                         run(TRESOR, "--version").stdout)
        self.assertEqual(run("man", "-w", "tresor", env=env).stdout, "/usr/share/man/man1/tresor.1.gz\n")
        self.assertEqual(run("man", "-w", "5", "tresor-server.toml", env=env).stdout,
                         "/usr/share/man/man5/tresor-server.toml.5.gz\n")
        # fish and zsh find the packaged completions by themselves; bash's
        # is sourced as bash-completion's loader would.
        fish = run("fish", "-c", "complete -C 'tresor decr'", env=env)
        self.assertEqual(fish.stdout, "decrypt\tDecrypt an age file\n")
        bash = run("bash", "-c", "source /usr/share/bash-completion/completions/tresor; "
                   "COMP_WORDS=(tresor kv g); COMP_CWORD=2; _tresor; echo ${COMPREPLY[@]}", env=env)
        self.assertEqual(bash.stdout, "get\n")
        zsh = run("zsh", "-c", "autoload -U compinit && compinit -u; print ${_comps[tresor]}",
                  env=env)
        self.assertEqual(zsh.stdout, "_tresor\n")
        python = run("/usr/bin/python3", "-c", "import tresor; print(tresor.__file__)", env=env,
                     cwd="/")
        self.assertEqual(python.stdout, "/usr/lib/python3/dist-packages/tresor/__init__.py\n")
        program = os.path.join(self.out, "version.c")
        with open(program, "w") as f:
            f.write('#include <stdio.h>\n#include <tresor.h>\n'
                    'int main(void) { puts(tresor_version()); return 0; }\n')
        flags = run("pkg-config", "--cflags", "--libs", "tresor", env=env).stdout.split()
        run("cc", program, "-o", os.path.join(self.out, "version"), *flags, env=env)
        self.assertEqual(run(os.path.join(self.out, "version"), env=env).stdout,
                         f"{self.version}\n")

    def check_units(self):
        proc = run("systemd-analyze", "verify", UNIT, check=False)
        self.assertEqual((proc.returncode, proc.stdout + proc.stderr), (0, ""))
        runtime = os.path.join(self.out, "runtime")
        os.mkdir(runtime, 0o700)
        proc = run("systemd-analyze", "verify", "--user",
                   "/usr/lib/systemd/user/tresor-agent.service", check=False,
                   env=dict(os.environ, XDG_RUNTIME_DIR=runtime))
        self.assertEqual((proc.returncode, proc.stdout + proc.stderr), (0, ""))
        self.assertEqual(unit_setting("User"), "tresor")
        for setting, value in (("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"),
                               ("MemoryDenyWriteExecute", "yes"), ("LimitCORE", "0"),
                               ("PrivateTmp", "yes"), ("StateDirectory", "tresor")):
            self.assertEqual(unit_setting(setting), value, setting)

    def unit_command(self, *extra):
        """The unit's ExecStart, run as its user and group (systemd itself
        is not running in CI's container); setpriv execs it, so signals
        reach the server itself."""
        return ["setpriv", f"--reuid={unit_setting('User')}", f"--regid={unit_setting('Group')}",
                "--init-groups", "--",
                *shlex.split(unit_setting("ExecStart")), *extra]

    def check_server_from_the_unit(self):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(self.unit_command("--listen", f"127.0.0.1:{port}"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while True:
                self.assertIsNone(proc.poll(), "the server exited")
                try:
                    urllib.request.urlopen(url + "/v1/sys/health", timeout=10)
                    break
                except urllib.error.HTTPError:
                    break  # answering: sealed and uninitialised is not 200
                except OSError:
                    self.assertLess(time.monotonic(), deadline, "the server never listened")
                    time.sleep(0.1)
            client = hvac.Client(url=url)
            made = client.sys.initialize(secret_shares=1, secret_threshold=1)
            client.sys.submit_unseal_keys(made["keys"])
            client.token = made["root_token"]
            client.secrets.kv.v2.create_or_update_secret("db", secret={"password": "s3cret"})
            read = client.secrets.kv.v2.read_secret_version("db")
            self.assertEqual(read["data"]["data"], {"password": "s3cret"})
        finally:
            proc.terminate()
            out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn(f"tresor server: listening on {url}\nstorage: {DATA}/tresor.db\n", out)
        st = os.stat(os.path.join(DATA, "tresor.db"))
        self.assertEqual((oct(st.st_mode & 0o777), run("stat", "-c", "%U", DATA).stdout),
                         (oct(0o600), "tresor\n"))
        audit = [json.loads(line) for line in open(os.path.join(LOGS, "audit.log"))]
        self.assertTrue(audit)
        self.assertNotIn("s3cret", open(os.path.join(LOGS, "audit.log")).read())

    def check_bad_settings_stop_the_unit_with_one_line(self):
        os.chmod(CONFIG, 0o664)
        proc = run(*self.unit_command("--check"), check=False)
        self.assertEqual((proc.returncode, proc.stderr),
                         (1, f"tresor: error: {CONFIG}: the server's settings file is writable by "
                             "group or others (mode 0664); chmod go-w it\n"))
        os.chmod(CONFIG, 0o640)
        self.assertEqual(run(*self.unit_command("--check")).stdout, f"{CONFIG}: ok\n")
        # A data directory left by something else: refused, the directory untouched.
        owner = os.stat(DATA)
        os.chown(DATA, 0, 0)
        proc = run(*self.unit_command("--listen", f"127.0.0.1:{free_port()}"), check=False)
        os.chown(DATA, owner.st_uid, owner.st_gid)
        self.assertEqual((proc.returncode, proc.stderr),
                         (1, f"tresor: error: {DATA}: owned by uid 0, not by you (another user "
                             "may have made it first); refusing to use it\n"))
        os.rename(CONFIG, CONFIG + ".away")
        proc = run(*self.unit_command(), check=False)
        os.rename(CONFIG + ".away", CONFIG)
        self.assertEqual((proc.returncode, proc.stderr),
                         (3, f"tresor: error: {CONFIG}: cannot open: No such file or directory\n"))

    def check_removal_keeps_data(self):
        database = os.path.join(DATA, "tresor.db")
        before = digest(database)
        with open(CONFIG, "a") as f:
            f.write("# changed by the operator\n")
        changed = digest(CONFIG)
        run("dpkg", "-r", "tresor")
        self.assertFalse(os.path.exists("/usr/bin/tresor"))
        self.assertEqual(digest(database), before)
        self.assertEqual(digest(CONFIG), changed, "a removed package's conffile stays")
        # Installed again: the operator's settings and the data are theirs.
        run("dpkg", "-i", self.deb)
        self.assertEqual((digest(database), digest(CONFIG)), (before, changed))
        self.assertEqual(oct(os.stat(DATA).st_mode & 0o777), oct(0o700))
        proc = run("dpkg", "--purge", "tresor")
        self.assertIn("tresor: /var/lib/tresor and /var/log/tresor are kept; remove them by hand",
                      proc.stderr)
        self.assertFalse(os.path.exists(CONFIG))
        self.assertEqual(digest(database), before)


if __name__ == "__main__":
    unittest.main()
