"""The tresor agent, end to end: a real agent process on a real socket, keys
added through a pseudo-terminal, clients with no terminal (as cron runs them),
another uid, recorded traffic, a killed agent, and hostile messages."""
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

from tresor_testlib import TRESOR, TempDirTest, run, run_with_tty

PASSPHRASE = "correct horse battery"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_payload(text):
    """The bytes a bech32 string carries (checksum dropped)."""
    data = text.lower().rsplit("1", 1)[1][:-6]
    acc, bits, out = 0, 0, bytearray()
    for ch in data:
        acc = (acc << 5) | BECH32.index(ch)
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)


def frame(kind, *fields):
    body = kind + b"".join(struct.pack(">I", len(f)) + f for f in fields)
    return struct.pack(">I", len(body)) + body


def read_frame(sock):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError("closed")
            data += chunk
        return data
    body = exactly(struct.unpack(">I", exactly(4))[0])
    fields, at = [], 1
    while at < len(body):
        n = struct.unpack(">I", body[at:at + 4])[0]
        fields.append(body[at + 4:at + 4 + n])
        at += 4 + n
    return body[:1], fields


class AgentTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.run_dir = self.path("run")
        os.mkdir(self.run_dir, 0o700)
        self.socket = os.path.join(self.run_dir, "tresor", "agent.sock")
        self.env = dict(os.environ)
        self.env.pop("TRESOR_AGENT_SOCK", None)
        self.env.pop("TRESOR_IDENTITY_FILE", None)
        self.env.update(XDG_RUNTIME_DIR=self.run_dir, TRESOR_KEYRING_DIR=self.path("keys"))
        # A passphrase-protected identity, a file and a sealed file for it.
        self.write("pw", PASSPHRASE + "\n", 0o600)
        self.key = self.path("key.age")
        self.tresor("keygen", "--passphrase", "--passphrase-file", self.path("pw"), "-o", self.key)
        self.recipient = self.tresor("keygen", "-y", "--passphrase-file", self.path("pw"),
                                     self.key).stdout.decode().strip()
        self.write("plain.txt", "the payload\n")
        self.tresor("encrypt", "-r", self.recipient, "-o", self.path("file.age"),
                    self.path("plain.txt"))
        self.write("app.env", "DB_PASSWORD=s3cret-value\nMODE=prod\n")
        self.tresor("seal", "-r", self.recipient, "--in-place", self.path("app.env"))
        self.addCleanup(self.stop_agent)

    def tresor(self, *args, env=None, check=True):
        proc = run([TRESOR, *args], env=env or self.env)
        if check and proc.returncode != 0:
            raise AssertionError(f"{args}: {proc.returncode}: {proc.stderr.decode()}")
        return proc

    def stop_agent(self):
        run([TRESOR, "agent", "stop"], env=self.env)

    def start_agent(self, clock=None):
        """Starts the agent; with `clock` (unix seconds) its time is frozen
        there until set_clock moves it."""
        env = None
        if clock is not None:
            self.set_clock(clock)
            env = dict(self.env, TRESOR_AGENT_TEST_CLOCK=self.path("clock"))
        proc = self.tresor("agent", "start", env=env)
        self.assertRegex(proc.stderr.decode(),
                         r"^tresor: agent started \(pid \d+\), socket " + self.socket + "\n$")

    def set_clock(self, at):
        with open(self.path("clock") + ".new", "w") as f:
            f.write(f"{at}\n")
        os.replace(self.path("clock") + ".new", self.path("clock"))

    def add_through_terminal(self, *extra):
        env_args = ["env", "-u", "TRESOR_AGENT_SOCK", f"XDG_RUNTIME_DIR={self.run_dir}",
                    f"TRESOR_KEYRING_DIR={self.path('keys')}"]
        code, text = run_with_tty([*env_args, TRESOR, "agent", "add", *extra, self.key],
                                  [PASSPHRASE])
        self.assertEqual(code, 0, text)
        self.assertIn(f'Enter passphrase for identity file "{self.key}"', text)
        self.assertIn(f"tresor: added {self.key} ({self.recipient}) to the agent", text)

    def cron_child(self, *args):
        """As cron runs a job: no terminal, no stdin."""
        return subprocess.run([TRESOR, *args], stdin=subprocess.DEVNULL, capture_output=True,
                              env=self.env, start_new_session=True, timeout=60)

    def assert_child_decrypts(self):
        proc = self.cron_child("decrypt", self.path("file.age"))
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, b"the payload\n", b""))
        proc = self.cron_child("get", self.path("app.env"), "DB_PASSWORD")
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, b"s3cret-value\n", b""))

    def assert_child_locked(self):
        proc = self.cron_child("decrypt", self.path("file.age"))
        self.assertEqual(proc.returncode, 4)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {self.path('file.age')}: no match: no identity matched "
                         "any of the file's 1 recipient (wrong key or passphrase?); the agent is "
                         "locked (tresor agent unlock)\n")
        proc = self.cron_child("get", self.path("app.env"), "DB_PASSWORD")
        self.assertEqual(proc.returncode, 4)
        self.assertIn("the agent is locked (tresor agent unlock)", proc.stderr.decode())
        self.assertEqual(proc.stdout, b"")

    def test_cron_child_decrypts_through_the_agent_until_lock(self):
        self.start_agent()
        st = os.stat(self.socket)
        self.assertEqual(oct(st.st_mode & 0o777), "0o600")
        self.assertEqual(oct(os.stat(os.path.dirname(self.socket)).st_mode & 0o777), "0o700")
        self.add_through_terminal()
        self.assert_child_decrypts()
        listed = json.loads(self.tresor("agent", "list", "--json").stdout)
        self.assertEqual(listed, [{"name": self.key, "recipient": self.recipient,
                                   "state": "unlocked", "protected": True, "expires": 0,
                                   "idle_seconds": 0}])
        self.assertEqual(self.tresor("agent", "lock").stderr, b"tresor: agent locked\n")
        self.assert_child_locked()
        proc = self.tresor("agent", "unlock", "--passphrase-file", self.path("pw"))
        self.assertEqual(proc.stderr, b"tresor: 1 identity unlocked\n")
        self.assert_child_decrypts()

    def test_ttl_expiry_locks_the_key(self):
        now = int(time.time())
        self.start_agent(clock=now)
        self.add_through_terminal("--ttl", "2s")
        self.assertRegex(self.tresor("agent", "list").stdout.decode(),
                         rf"^{re.escape(self.key)}  {self.recipient}  unlocked, expires in [012]s\n$")
        rows = json.loads(self.tresor("keys", "--json").stdout)
        self.assertEqual([(r["source"], r["where"], r["recipient"]) for r in rows],
                         [("agent", self.key, self.recipient)])
        self.assertRegex(rows[0]["state"], r"^unlocked, expires in [012]s$")
        self.assert_child_decrypts()
        self.set_clock(now + 2)
        self.assert_child_locked()
        status = json.loads(self.tresor("agent", "status", "--json").stdout)
        self.assertEqual((status["identities"], status["locked"]), (1, 1))

    def test_idle_expiry(self):
        now = int(time.time())
        self.start_agent(clock=now)
        self.tresor("agent", "add", "--idle", "2s", "--passphrase-file", self.path("pw"), self.key)
        self.set_clock(now + 1)
        self.assert_child_decrypts()  # a use restarts the idle time
        self.set_clock(now + 2)
        self.assert_child_decrypts()
        self.set_clock(now + 4)
        self.assert_child_locked()

    def test_stalled_clients_cannot_lock_the_others_out(self):
        self.start_agent()
        stalled = []
        for _ in range(80):  # more than the agent's 64 places
            c = socket.socket(socket.AF_UNIX)
            c.connect(self.socket)
            c.sendall(struct.pack(">I", 100) + b"u")
            stalled.append(c)
            self.addCleanup(c.close)
        status = json.loads(self.tresor("agent", "status", "--json").stdout)
        self.assertEqual(status["identities"], 0)

    def test_a_squatted_socket_directory_is_refused_with_what_to_do(self):
        squatted = self.path("squatted")
        os.mkdir(squatted, 0o700)
        if os.geteuid() == 0:
            os.chown(squatted, 65534, 65534)
            owner = "uid 65534, not by you (another user may have made it first)"
            message = f"tresor: error: agent: {squatted}: owned by {owner}; refusing to use it"
        else:
            os.chmod(squatted, 0o755)
            message = (f"tresor: error: agent: {squatted}: mode 0755, must be 0700 (chmod 700 "
                       f"{squatted})")
        env = dict(self.env, TRESOR_AGENT_SOCK=os.path.join(squatted, "agent.sock"))
        proc = self.tresor("agent", "start", env=env, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertTrue(proc.stderr.decode().startswith(message), proc.stderr)
        self.assertTrue(proc.stderr.decode().endswith(
            "; set XDG_RUNTIME_DIR to a private directory of yours, or TRESOR_AGENT_SOCK to a "
            "socket path in one\n"), proc.stderr)
        self.assertEqual(os.listdir(squatted), [])

    def test_another_uid_is_refused(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to run a client as another uid (setpriv)")
        self.start_agent()
        # Open the directory and socket to everyone, as a careless admin
        # might: the agent's own SO_PEERCRED check must still refuse.
        os.chmod(self.dir, 0o755)
        os.chmod(self.run_dir, 0o711)
        os.chmod(os.path.dirname(self.socket), 0o711)
        os.chmod(self.socket, 0o666)
        client = ("import socket, struct, sys\n"
                  "s = socket.socket(socket.AF_UNIX)\n"
                  f"s.connect({self.socket!r})\n"
                  "sys.stdout.buffer.write(s.recv(4096))\n")
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               "/usr/bin/python3", "-c", client], capture_output=True, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        message = b"refused: uid 65534 is not the agent's owner"
        self.assertEqual(proc.stdout, frame(b"E", b"2", message))
        # The tresor client of that uid does not even connect to a socket
        # owned by someone else.
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               TRESOR, "agent", "status"], capture_output=True, timeout=30,
                              env={"TRESOR_AGENT_SOCK": self.socket, "PATH": "/usr/bin:/bin"})
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {self.socket} belongs to uid 0; not using it\n")

    def test_agent_is_not_dumpable_or_readable_by_its_own_user(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to run the agent as an ordinary uid (setpriv)")
        home = tempfile.mkdtemp(prefix="tresor-agent-nobody-")
        self.addCleanup(shutil.rmtree, home, True)
        os.chown(home, 65534, 65534)
        os.chmod(home, 0o700)
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        env = {"PATH": "/usr/bin:/bin", "TRESOR_AGENT_SOCK": f"{home}/agent.sock"}
        agent = subprocess.Popen([*nobody, TRESOR, "agent", "run"], env=env,
                                 stderr=subprocess.PIPE)
        self.addCleanup(agent.stderr.close)
        self.addCleanup(agent.wait)
        self.addCleanup(agent.send_signal, signal.SIGTERM)
        agent.stderr.readline()  # "... tresor agent: listening on ..."
        # Not dumpable: the kernel gives its /proc files to root (this is the
        # check that fails without PR_SET_DUMPABLE; Yama may deny the two
        # below on its own)...
        self.assertEqual(os.stat(f"/proc/{agent.pid}/environ").st_uid, 0)
        # ...so another process of the same uid can neither read its memory
        # nor attach to it.
        probe = ("import ctypes, sys\n"
                 "try:\n"
                 f"    open('/proc/{agent.pid}/mem', 'rb')\n"
                 "    print('opened')\n"
                 "except PermissionError:\n"
                 "    print('mem: denied')\n"
                 "libc = ctypes.CDLL(None, use_errno=True)\n"
                 f"r = libc.ptrace(16, {agent.pid}, None, None)\n"  # PTRACE_ATTACH
                 "print('attach:', r, ctypes.get_errno())\n")
        proc = subprocess.run([*nobody, "/usr/bin/python3", "-c", probe], capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(proc.stdout, "mem: denied\nattach: -1 1\n", proc.stderr)  # EPERM

    def test_identity_never_crosses_the_socket(self):
        self.start_agent()
        proxy_path = self.path("proxy.sock")
        recorded = bytearray()
        server = socket.socket(socket.AF_UNIX)
        server.bind(proxy_path)
        server.listen(8)
        self.addCleanup(server.close)

        def pump(src, dst):
            while True:
                try:
                    data, fds, _, _ = socket.recv_fds(src, 65536, 4)
                except OSError:
                    break
                if not data:
                    break
                recorded.extend(data)
                socket.send_fds(dst, [data], fds) if fds else dst.sendall(data)
                for fd in fds:
                    os.close(fd)
            dst.shutdown(socket.SHUT_WR)

        def serve():
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                upstream = socket.socket(socket.AF_UNIX)
                upstream.connect(self.socket)
                threading.Thread(target=pump, args=(conn, upstream), daemon=True).start()
                threading.Thread(target=pump, args=(upstream, conn), daemon=True).start()

        threading.Thread(target=serve, daemon=True).start()
        env = dict(self.env, TRESOR_AGENT_SOCK=proxy_path)
        self.tresor("agent", "add", "--passphrase-file", self.path("pw"), self.key, env=env)
        proc = subprocess.run([TRESOR, "decrypt", self.path("file.age")], env=env,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(proc.stdout, b"the payload\n")
        proc = subprocess.run([TRESOR, "get", self.path("app.env"), "DB_PASSWORD"], env=env,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(proc.stdout, b"s3cret-value\n")
        # The identity, decrypted here only for the search.
        identity = run([TRESOR, "decrypt", "--passphrase-file", self.path("pw"), self.key],
                       check=True).stdout.decode()
        secret = [l for l in identity.splitlines() if l.startswith("AGE-SECRET-KEY-1")][0]
        traffic = bytes(recorded)
        # The recording saw the stanzas (the file's X25519 share).
        with open(self.path("file.age"), "rb") as f:
            share = f.read().split(b"\n")[1].split(b" ")[2]
        self.assertIn(share, traffic)
        for needle in (secret.encode(), secret.lower().encode(), bech32_payload(secret)):
            self.assertNotIn(needle, traffic)
        self.assertNotIn(b"AGE-SECRET-KEY", traffic.upper())

    def test_killed_agent_falls_back_and_restart_replaces_stale_socket(self):
        # The same key, unprotected, in the keyring: the next source.
        plain = run([TRESOR, "decrypt", "--passphrase-file", self.path("pw"), self.key],
                    check=True).stdout
        self.write("plain.key", plain, 0o600)
        self.tresor("key", "import", "fallback", self.path("plain.key"))
        self.start_agent()
        self.tresor("agent", "add", "--passphrase-file", self.path("pw"), self.key)
        pid = json.loads(self.tresor("agent", "status", "--json").stdout)["pid"]
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            if not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z":
                break
            time.sleep(0.05)
        self.assertTrue(os.path.exists(self.socket))  # stale
        proc = self.cron_child("decrypt", self.path("file.age"))
        self.assertEqual(proc.stdout, b"the payload\n")
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: agent: no agent listening at {self.socket} (a stale socket); "
                         "trying the next key source\n")
        self.start_agent()  # replaces the stale socket
        self.assertEqual(self.tresor("agent", "status").stdout.decode(),
                         f"agent running (pid {self.agent_pid()}) at {self.socket}: "
                         "0 identities, 0 locked\n")
        self.stop_agent()
        self.assertFalse(os.path.exists(self.socket))
        # A symlink planted where the socket goes is refused and left alone.
        target = self.path("elsewhere")
        os.symlink(target, self.socket)
        proc = self.tresor("agent", "start", check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: agent: {self.socket} is a symlink; refusing to replace "
                         "it (remove it yourself if it is yours)\n")
        self.assertEqual(os.readlink(self.socket), target)
        self.assertFalse(os.path.exists(target))
        # Clients do not follow it either.
        proc = self.cron_child("decrypt", self.path("file.age"))
        self.assertEqual(proc.stdout, b"the payload\n")
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: agent: {self.socket} is not a socket (a symlink); not using "
                         "it; trying the next key source\n")

    def agent_pid(self):
        return json.loads(self.tresor("agent", "status", "--json").stdout)["pid"]

    def test_malformed_messages_get_errors_and_the_agent_keeps_serving(self):
        self.start_agent()
        conn = socket.socket(socket.AF_UNIX)
        conn.connect(self.socket)
        conn.settimeout(10)
        cases = [
            (frame(b"z"), b"malformed agent message: unknown request kind 122"),
            (frame(b"s", b"extra"), b"malformed agent message: request 's' needs 0 fields, got 1"),
            (struct.pack(">I", 6) + b"s\x00\x00\x01\x00x",
             b"malformed agent message: field at byte 1 runs past the end"),
            (struct.pack(">I", 3) + b"s\x00\x00",
             b"malformed agent message: truncated field length at byte 1"),
            (frame(b"u", b"X25519", b"a  b", b"body"),
             b"malformed agent message: stanza 1: bad argument"),
            (frame(b"u", b"X25519"), b"malformed agent message: unwrap needs 3 fields per stanza"),
            (frame(b"r", b"/nowhere"), b"agent: /nowhere: not in the agent"[7:]),
            (frame(b"a", b"n", b"", b"0", b"0"),
             b"add needs the identity file's descriptor"),
        ]
        for request, message in cases:
            conn.sendall(request)
            kind, fields = read_frame(conn)
            self.assertEqual((kind, fields[-1:]), (b"E", [message]), request)
        # The same connection still works.
        conn.sendall(frame(b"s"))
        kind, fields = read_frame(conn)
        self.assertEqual(kind, b"O")
        # Oversized: an error, then the connection is closed.
        conn.sendall(struct.pack(">I", (1 << 20) + 1))
        kind, fields = read_frame(conn)
        self.assertEqual((kind, fields[1]),
                         (b"E", b"malformed agent message: a body of 1048577 bytes is over the "
                                b"limit of 1048576"))
        self.assertEqual(conn.recv(10), b"")
        conn.close()
        # A pipe as the identity file's descriptor would block the agent's
        # one thread on a read that never ends: refused at once.
        read_end, write_end = os.pipe()
        self.addCleanup(os.close, write_end)
        conn = socket.socket(socket.AF_UNIX)
        conn.connect(self.socket)
        conn.settimeout(10)
        self.addCleanup(conn.close)
        socket.send_fds(conn, [frame(b"a", b"n", b"", b"0", b"0")], [read_end])
        os.close(read_end)
        kind, fields = read_frame(conn)
        self.assertEqual((kind, fields[-1:]),
                         (b"E", [b"add needs the descriptor of a regular file (not a pipe, "
                                 b"socket or device)"]))
        conn.sendall(frame(b"s"))
        self.assertEqual(read_frame(conn)[0], b"O")
        # A client that sends half a message and stalls holds no one up.
        stalled = socket.socket(socket.AF_UNIX)
        stalled.connect(self.socket)
        stalled.sendall(struct.pack(">I", 100) + b"u")
        self.addCleanup(stalled.close)
        self.tresor("agent", "add", "--passphrase-file", self.path("pw"), self.key)
        self.assert_child_decrypts()


if __name__ == "__main__":
    unittest.main()
