"""Attacks on the server that once crashed or stalled it, replayed against a
real `tresor server` on loopback: nested and oversized JSON bodies, bodies
sent without a token, login floods, pipelining without reading, more
connections than file descriptors, and child tokens of an expired parent.
Each test bounds what it sends and checks the exact answer, and that the
server still serves everyone else afterwards."""
import http.client
import json
import os
import resource
import select
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

from server_test import ROOT, TRESOR, ServerTestCase, start_server, wait_for


def request(port, method, path, body=b"", token=None, timeout=60):
    """One request on a fresh connection: (status, parsed JSON body or text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"X-Vault-Token": token} if token else {}
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(data) if data else None
    except ValueError:
        return response.status, data.decode()


def errors(message):
    return {"errors": [message]}


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class AuditedServerTestCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.audit = os.path.join(cls.tmp.name, "audit.log")
        cls.extra_args = ("--audit-file", cls.audit)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.tmp.cleanup()

    def audit_lines(self):
        with open(self.audit) as f:
            return [json.loads(line) for line in f]


class BodyTest(AuditedServerTestCase):
    DEEP = b"[" * 100000 + b"]" * 100000  # 200 KB

    def test_deeply_nested_bodies_are_refused_everywhere_and_the_server_lives(self):
        self.assertEqual(request(self.port, "PUT", "/v1/secret/data/x", self.DEEP, ROOT),
                         (400, errors("failed to parse JSON input: nesting deeper than 300")))
        # No token: refused before the body is looked at.
        self.assertEqual(request(self.port, "PUT", "/v1/secret/data/x", self.DEEP),
                         (403, errors("permission denied")))
        # Endpoints that answer without a token take small bodies only:
        # logins (once a method is enabled there; else a token is needed).
        self.assertEqual(request(self.port, "PUT", "/v1/auth/userpass/login/u", self.DEEP),
                         (403, errors("permission denied")))
        self.assertEqual(request(self.port, "POST", "/v1/sys/auth/userpass",
                                 b'{"type": "userpass"}', ROOT)[0], 204)
        self.assertEqual(request(self.port, "PUT", "/v1/auth/userpass/login/u", self.DEEP),
                         (413, errors("request body too large")))
        self.assertEqual(request(self.port, "PUT", "/v1/sys/unseal", b"[" * 30000),
                         (400, errors("failed to parse JSON input: nesting deeper than 300")))
        # sys/health takes no body and never parses one.
        self.assertEqual(request(self.port, "PUT", "/v1/sys/health", self.DEEP)[0], 200)
        status, body = request(self.port, "GET", "/v1/sys/health")
        self.assertEqual((status, body["sealed"]), (200, False))

    def test_a_32_mib_body_without_a_token_costs_its_bytes_and_a_short_audit_line(self):
        before = os.path.getsize(self.audit)
        big = b'{"a":[' + b"1," * (16 * 1024 * 1024 - 8) + b"1]}"
        self.assertEqual(request(self.port, "PUT", "/v1/secret/data/big", big),
                         (403, errors("permission denied")))
        # With a token it is parsed, and refused at the first limit.
        self.assertEqual(
            request(self.port, "PUT", "/v1/secret/data/big", big, ROOT),
            (400, errors("failed to parse JSON input: an array with more than 10000 elements")))
        self.assertLess(os.path.getsize(self.audit) - before, 4096)
        lines = [l for l in self.audit_lines() if l["request"]["path"] == "/v1/secret/data/big"]
        self.assertEqual([l["type"] for l in lines], ["request", "response"] * 2)
        refused = lines[0]["request"]
        self.assertEqual(refused["body"]["bytes"], len(big))
        self.assertRegex(refused["body"]["hmac"], r"^hmac-sha256:[0-9a-f]{64}$")
        self.assertNotIn("data", refused)
        self.assertEqual(lines[0]["request"]["remote_address"], "127.0.0.1")
        self.assertEqual(lines[2]["auth"]["display_name"], "root")
        self.assertEqual(lines[2]["request"]["body"], refused["body"])  # same bytes, same MAC
        # Error messages are HMAC'd like every other request-derived string.
        self.assertRegex(lines[3]["response"]["errors"][0], r"^hmac-sha256:[0-9a-f]{64}$")
        # Parsing stopped at the limit: far from the 6.3 GB this once cost.
        self.assertLess(peak_rss_kib(self.proc.pid), 1024 * 1024)  # (ASan included)

    def test_integers_are_kept_exact_or_refused(self):
        token_body = b'{"data":{"big":9007199254740993}}'
        self.assertEqual(request(self.port, "PUT", "/v1/secret/data/n", token_body, ROOT)[0],
                         200)
        status, body = request(self.port, "GET", "/v1/secret/data/n", token=ROOT)
        self.assertEqual((status, body["data"]["data"]["big"]), (200, 9007199254740993))
        self.assertEqual(
            request(self.port, "PUT", "/v1/secret/data/n", b'{"data":{"n":1' + b"0" * 30 + b"}}",
                    ROOT),
            (400, errors("failed to parse JSON input: an integer outside the 64-bit range")))


class BackPressureTest(AuditedServerTestCase):
    def test_a_client_that_pipelines_and_never_reads_is_no_longer_read(self):
        one = b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n"
        sent = 300000  # 12 MB of requests, ~90 MB of replies if all were answered
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.port))
        s.settimeout(5)
        try:
            # The server stops reading once 1 MiB of replies waits, so the
            # sockets' buffers fill and sending stalls: a timeout here is
            # the expected outcome.
            with self.assertRaises(socket.timeout):
                s.sendall(one * sent)
            answered = sum(1 for l in self.audit_lines() if l["type"] == "response")
            # 1 MiB of pending replies plus what the kernel buffers (a few
            # MiB) is some 20,000 health answers; without back-pressure, all.
            self.assertLess(answered, 60000)
            # Everyone else is served meanwhile.
            self.assertEqual(request(self.port, "GET", "/v1/sys/health")[0], 200)
        finally:
            s.close()


class ConnectionLimitTest(unittest.TestCase):
    def test_more_connections_than_descriptors_shed_the_idle_and_never_spin(self):
        limit = 200

        def low_fd_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

        proc = subprocess.Popen([TRESOR, "server", "--dev", "--listen", "127.0.0.1:0",
                                 "--dev-root-token", ROOT],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=low_fd_limit)
        try:
            banner = [proc.stdout.readline() for _ in range(4)]
            port = int(banner[1].rsplit(":", 1)[1])
            idle = []
            for _ in range(2 * limit):
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=10))
            shed = []

            def all_over_the_cap_shed():
                readable, _, _ = select.select(idle, [], [], 0)
                for s in readable:
                    if s.recv(1) == b"":  # closed by the server
                        idle.remove(s)
                        shed.append(s)
                return len(shed) >= 2 * limit - (limit - 64)

            # The descriptor limit leaves room for 200 - 64 connections: all
            # the others were accepted and shed, the longest idle each time.
            wait_for(all_over_the_cap_shed, "shedding")
            self.assertEqual(len(idle), limit - 64)
            # A new client takes the place of the longest idle one, and is
            # served at once.
            status, body = request(port, "GET", "/v1/sys/health", timeout=10)
            self.assertEqual(status, 200)
            idle.extend(shed)
            spent = cpu_seconds(proc.pid)
            time.sleep(1)
            # A worker spinning on EMFILE would burn a core for that second.
            self.assertLess(cpu_seconds(proc.pid) - spent, 0.5)
            for s in idle:
                s.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            proc.stdout.close()
            proc.stderr.close()


class OutOfDescriptorsTest(ServerTestCase):
    def test_accept_failing_with_emfile_does_not_spin_and_service_returns(self):
        # The limit is lowered under the running server, below the
        # connection cap it fitted at start: accept() then fails with EMFILE,
        # and the reserve descriptor lets each waiting connection be taken
        # and closed instead of waking the workers for ever. One request is
        # served first, so that every path a request takes has run once
        # (a sanitizer's first check of a type needs descriptors too).
        self.assertTrue(self.can_connect())
        subprocess.run(["prlimit", f"--pid={self.proc.pid}", "--nofile=96:96"], check=True)
        held = []
        try:
            for _ in range(200):
                s = socket.socket()
                s.settimeout(10)
                s.connect(("127.0.0.1", self.port))
                held.append(s)
            spent = cpu_seconds(self.proc.pid)
            time.sleep(1)
            # A worker spinning on EMFILE would burn a core for that second.
            self.assertLess(cpu_seconds(self.proc.pid) - spent, 0.5)
        finally:
            for s in held:
                s.close()
        # Once the clients are gone, the server serves again.
        wait_for(self.can_connect, "the server to serve again")
        self.assertIsNone(self.proc.poll())

    def can_connect(self):
        try:
            return request(self.port, "GET", "/v1/sys/health", timeout=10)[0] == 200
        except OSError:
            return False


class UserpassServerTest(ServerTestCase):
    """A server of its own with userpass and two users: each login test
    class spends its own address's login budget."""
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for path, body in [("/v1/sys/auth/userpass", {"type": "userpass"}),
                           ("/v1/auth/userpass/users/alice", {"password": "alice-pw"}),
                           ("/v1/auth/userpass/users/bob", {"password": "bob-pw"})]:
            status, _ = request(cls.port, "POST", path, json.dumps(body).encode(), ROOT)
            assert status in (200, 204), status

    def login(self, user, password):
        return request(self.port, "POST", f"/v1/auth/userpass/login/{user}",
                       json.dumps({"password": password}).encode())


class LoginTest(UserpassServerTest):
    def test_five_failures_lock_the_user_out_and_no_one_else(self):
        for _ in range(5):
            self.assertEqual(self.login("alice", "wrong"),
                             (400, errors("invalid username or password")))
        self.assertEqual(self.login("alice", "alice-pw"),
                         (429, errors("too many failed logins for this user; try again later")))
        status, body = self.login("bob", "bob-pw")
        self.assertEqual(status, 200)
        self.assertTrue(body["auth"]["client_token"].startswith("tr."))
        # A name that is no user locks the same way: a lockout tells nothing.
        for _ in range(5):
            self.assertEqual(self.login("nobody", "x")[0], 400)
        self.assertEqual(self.login("nobody", "x")[0], 429)


class LoginFloodTest(UserpassServerTest):
    def test_a_login_flood_is_refused_in_part_and_does_not_stall_reads(self):
        request(self.port, "POST", "/v1/secret/data/during", b'{"data":{"v":"1"}}', ROOT)
        results = []
        done = []

        def attempt(i):
            results.append(self.login(f"flood{i}", "guess"))
            done.append(time.monotonic())

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(64)]
        for t in threads:
            t.start()
        status, body = request(self.port, "GET", "/v1/secret/data/during", token=ROOT)
        read_at = time.monotonic()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual((status, body["data"]["data"]), (200, {"v": "1"}))
        # The read was answered before the logins had all been answered:
        # password checks run on their own pool, not on the request threads.
        self.assertLess(read_at, max(done))
        allowed = {(400, json.dumps(errors("invalid username or password"))),
                   (429, json.dumps(errors("too many logins in progress; try again later"))),
                   (429, json.dumps(errors(
                       "too many login attempts from this address; try again later")))}
        self.assertEqual(len(results), 64)
        for status, body in results:
            self.assertIn((status, json.dumps(body)), allowed)
        self.assertGreater(sum(1 for s, _ in results if s == 429), 0)


class TokenExpiryTest(ServerTestCase):
    def test_a_child_is_refused_once_its_parent_expired_and_the_sweep_removes_both(self):
        policy = 'path "auth/token/create" { capabilities = ["update"] }'
        self.assertEqual(request(self.port, "PUT", "/v1/sys/policy/maker",
                                 json.dumps({"policy": policy}).encode(), ROOT)[0], 204)

        def create(token, ttl):
            status, body = request(self.port, "POST", "/v1/auth/token/create",
                                   json.dumps({"ttl": ttl,
                                               "policies": ["default", "maker"]}).encode(),
                                   token)
            self.assertEqual(status, 200, body)
            return body["auth"]["client_token"]

        def lookup(token):
            return request(self.port, "GET", "/v1/auth/token/lookup-self", token=token)[0]

        def tokens_gauge():
            try:
                _, body = request(self.port, "GET", "/v1/sys/metrics", token=ROOT)
            except ConnectionRefusedError:
                # Seen once under ASan in CI, with the server alive at the end:
                # say what was listening, for the next time.
                listening = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True)
                raise AssertionError(
                    f"port {self.port} refused; server pid {self.proc.pid} "
                    f"{'running' if self.proc.poll() is None else 'exited'}:\n"
                    f"{listening.stdout}")
            return next(g["Value"] for g in body["Gauges"] if g["Name"] == "tresor_tokens")

        before = tokens_gauge()
        parent = create(ROOT, "10s")
        child = create(parent, "1h")
        grandchild = create(child, "1h")
        self.assertEqual(tokens_gauge(), before + 3)
        self.assertEqual(lookup(grandchild), 200)
        # No lookup of the parent: the background sweep revokes its tree.
        wait_for(lambda: tokens_gauge() == before, "the sweep", limit=60)
        self.assertEqual((lookup(child), lookup(grandchild), lookup(parent)), (403, 403, 403))


class DevRootTokenTest(unittest.TestCase):
    def serve(self, args, env=None):
        proc = subprocess.Popen([TRESOR, "server", "--dev", "--listen", "127.0.0.1:0", *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        banner = [proc.stdout.readline() for _ in range(4)]
        port = int(banner[1].rsplit(":", 1)[1])
        with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
            cmdline = f.read()
        return proc, port, banner[3], cmdline

    def stop(self, proc):
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()

    def test_the_token_comes_from_a_file_or_the_environment_and_never_shows_in_ps(self):
        with tempfile.TemporaryDirectory() as tmp:
            token_file = os.path.join(tmp, "root-token")
            with open(token_file, "w") as f:
                f.write("from-a-file-token\n")
            env = dict(os.environ, VAULT_DEV_ROOT_TOKEN_ID="from-the-environment")
            env.pop("TRESOR_DEV_ROOT_TOKEN", None)
            for args, env, token in (
                    (["--dev-root-token", "typed-token"], None, "typed-token"),
                    (["--dev-root-token=typed-token"], None, "typed-token"),
                    (["--dev-root-token-file", token_file], None, "from-a-file-token"),
                    ([], env, "from-the-environment")):
                with self.subTest(args=args):
                    proc, port, line, cmdline = self.serve(args, env)
                    try:
                        self.assertEqual(line, f"root token: {token}\n")
                        self.assertNotIn(token.encode(), cmdline)
                        status, body = request(port, "GET", "/v1/auth/token/lookup-self",
                                               token=token)
                        self.assertEqual((status, body["data"]["policies"]), (200, ["root"]))
                    finally:
                        self.stop(proc)


if __name__ == "__main__":
    unittest.main()
