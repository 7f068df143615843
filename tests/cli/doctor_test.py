"""tresor doctor: each check's state, detail and fix, against a real agent,
keyring, dev server and git repository."""
import json
import os
import subprocess
import unittest

from tresor_testlib import TRESOR, TempDirTest, run

ROOT = "doctor-root-token"


class DoctorTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.run_dir = self.path("run")
        os.mkdir(self.run_dir, 0o700)
        self.repo = self.path("repo")
        os.mkdir(self.repo)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TRESOR_", "VAULT_", "GIT_"))}
        self.env.update(XDG_RUNTIME_DIR=self.run_dir, TRESOR_KEYRING_DIR=self.path("keys"),
                        HOME=self.dir, TRESOR_ADDR="http://127.0.0.1:9",
                        PATH=os.path.dirname(TRESOR) + os.pathsep + os.environ["PATH"])
        self.addCleanup(run, [TRESOR, "agent", "stop"], env=self.env)

    def doctor(self, *args, env=None):
        proc = subprocess.run([TRESOR, "doctor", "--json", *args], cwd=self.repo,
                              env=env or self.env, capture_output=True, text=True, timeout=120)
        return proc.returncode, {c["check"]: (c["state"], c["detail"], c["fix"])
                                 for c in json.loads(proc.stdout)}

    def test_a_new_machine_is_told_what_to_set_up(self):
        code, checks = self.doctor()
        self.assertEqual(code, 1)  # the configured server does not answer
        sock = os.path.join(self.run_dir, "tresor", "agent.sock")
        self.assertEqual(checks["agent"], (
            "warn", f"not running (no socket at {sock})",
            "tresor agent start (or: systemctl --user enable --now tresor-agent)"))
        self.assertEqual(checks["keyring"], ("warn", f"no keyring at {self.path('keys')}",
                                             "tresor key new NAME"))
        state, detail, fix = checks["server"]
        self.assertEqual((state, fix), ("fail", "start the server, or set TRESOR_ADDR to where "
                                        "it listens"))
        self.assertIn("127.0.0.1:9", detail)
        self.assertEqual(checks["git"], ("skip", "not in a git repository", ""))

    def test_everything_set_up_is_ok_and_loose_modes_fail(self):
        run([TRESOR, "key", "new", "ops"], env=self.env, check=True)
        run([TRESOR, "agent", "start"], env=self.env, check=True)
        run([TRESOR, "agent", "add", "--key", "ops"], env=self.env, check=True)
        subprocess.run(["git", "init", "-q", self.repo], check=True, env=self.env)
        subprocess.run([TRESOR, "git-setup", "*.env"], cwd=self.repo, env=self.env,
                       check=True, timeout=60)
        server = subprocess.Popen([TRESOR, "server", "--dev", "--listen", "127.0.0.1:0",
                                   "--dev-root-token", ROOT], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, env=self.env)
        self.addCleanup(server.wait, 30)
        self.addCleanup(server.terminate)
        self.addCleanup(server.stdout.close)
        banner = [server.stdout.readline() for _ in range(2)]
        address = banner[1].split()[-1]  # "listening on http://127.0.0.1:PORT"
        env = dict(self.env, TRESOR_ADDR=address, TRESOR_TOKEN=ROOT)
        code, checks = self.doctor(env=env)
        self.assertEqual(code, 0, checks)
        sock = os.path.join(self.run_dir, "tresor", "agent.sock")
        self.assertEqual(checks["agent"], ("ok", f"running at {sock}, 1 key", ""))
        self.assertEqual(checks["keyring"],
                         ("ok", f"1 key in {self.path('keys')}, default ops", ""))
        self.assertEqual(checks["server"], ("ok", f"{address}: unsealed", ""))
        self.assertEqual(checks["token"], ("ok", "root, policies root", ""))
        self.assertEqual(checks["git"],
                         ("ok", f"{self.repo}: sealed files diff and merge through tresor", ""))
        # A token the server does not know, and a keyring others can read.
        os.chmod(self.path("keys"), 0o755)
        code, checks = self.doctor(env=dict(env, TRESOR_TOKEN="not-a-token"))
        self.assertEqual(code, 1)
        self.assertEqual(checks["keyring"], ("fail", f"{self.path('keys')}: mode 0755, open to "
                                             "group or others", f"chmod 700 {self.path('keys')}"))
        self.assertEqual(checks["token"][0], "fail")
        self.assertEqual(checks["token"][2], "tresor login")
        # The text form: one line per check, and the fix under it.
        proc = subprocess.run([TRESOR, "doctor"], cwd=self.repo, env=env, capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(proc.returncode, 1)
        self.assertIn(f"fail  keyring  {self.path('keys')}: mode 0755, open to group or "
                      f"others\n               fix: chmod 700 {self.path('keys')}\n", proc.stdout)
        self.assertEqual(proc.stderr, "tresor: error: doctor: a check failed (see fix: above)\n")


if __name__ == "__main__":
    unittest.main()
