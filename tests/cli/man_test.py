"""The man pages: built from man/*.ronn, rendered by man(1) without
warnings, and every example in them run, its output checked line by line."""
import os
import re
import socket
import subprocess
import time
import unittest

from tresor_testlib import TRESOR, TempDirTest

SOURCE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILT = os.path.join(os.environ.get("TRESOR_BUILD_DIR", os.path.join(SOURCE, "build")), "man")
PAGES = sorted(f[:-len(".ronn")] for f in os.listdir(os.path.join(SOURCE, "man"))
               if f.endswith(".ronn"))


def examples(page):
    """(command, expected output lines) for each `$ ` line of EXAMPLES."""
    with open(os.path.join(SOURCE, "man", page + ".ronn")) as f:
        text = f.read()
    section = text.split("\n## EXAMPLES\n", 1)[1].split("\n## ", 1)[0]
    steps = []
    for line in section.splitlines():
        if not line.startswith("    "):
            continue
        line = line[4:]
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


# Pages whose examples talk to a server: they get a dev server of their own,
# with TRESOR_ADDR and TRESOR_TOKEN set.
SERVER_PAGES = {"tresor-kv.1", "tresor-operator.1"}


class ManTest(TempDirTest):
    def dev_server(self, work, env):
        """Starts `tresor server --dev` on a free port; waits until it
        answers (or exits)."""
        token = os.path.join(work, "root-token")
        with open(token, "w") as f:
            f.write("man-root\n")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = open(os.path.join(work, "server.log"), "w")
        self.addCleanup(log.close)
        server = subprocess.Popen([TRESOR, "server", "--dev", "--listen", f"127.0.0.1:{port}",
                                   "--dev-root-token-file", token], stdout=log, stderr=log)
        self.addCleanup(server.wait, 60)
        self.addCleanup(server.terminate)
        address = {"TRESOR_ADDR": f"http://127.0.0.1:{port}", "TRESOR_TOKEN": "man-root"}
        deadline = time.monotonic() + 120
        while subprocess.run([TRESOR, "status"], env=dict(env, **address),
                             capture_output=True, timeout=60).returncode != 0:
            self.assertIsNone(server.poll(), "the dev server exited")
            self.assertLess(time.monotonic(), deadline, "the dev server never answered")
            time.sleep(0.05)
        return address

    def test_every_page_is_built_and_renders_cleanly(self):
        self.assertEqual(PAGES, ["age-plugin-tresor.1", "tresor-agent.1", "tresor-import.1",
                                 "tresor-kv.1", "tresor-operator.1", "tresor-rules.5",
                                 "tresor-run.1", "tresor-seal.1", "tresor-server.1",
                                 "tresor-server.toml.5", "tresor.1"])
        for page in PAGES:
            with self.subTest(page=page):
                built = os.path.join(BUILT, page)
                self.assertTrue(os.path.exists(built), built)
                proc = subprocess.run(["man", "--warnings", "-l", built], capture_output=True,
                                      text=True, timeout=60,
                                      env=dict(os.environ, MANWIDTH="80", MAN_KEEP_STDERR="1"))
                self.assertEqual((proc.returncode, proc.stderr), (0, ""))
                name = page.rsplit(".", 1)[0]
                self.assertRegex(proc.stdout, rf"\n       {re.escape(name)}\s+-\s+\S")

    def test_the_examples_do_what_they_say(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRESOR_")}
        env.update(PATH=os.path.dirname(TRESOR) + os.pathsep + env["PATH"],
                   TRESOR_AGENT_SOCK=self.path("no-agent/agent.sock"))
        for page in PAGES:
            work = self.path(page)
            os.mkdir(work)
            env["TRESOR_KEYRING_DIR"] = os.path.join(work, "keys")
            env["TRESOR_AGENT_SOCK"] = os.path.join(work, "agent", "agent.sock")
            # An agent an example started and a failure left running goes too.
            self.addCleanup(subprocess.run, [TRESOR, "agent", "stop"], env=dict(env),
                            capture_output=True, timeout=60)
            if page in SERVER_PAGES:
                env.update(self.dev_server(work, env))
            for command, expected in examples(page):
                with self.subTest(page=page, command=command):
                    proc = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=work,
                                          env=env, capture_output=True, text=True, timeout=60)
                    self.assertEqual(proc.returncode, 0, proc.stderr)
                    self.assertEqual(proc.stdout.splitlines(), expected)


if __name__ == "__main__":
    unittest.main()
