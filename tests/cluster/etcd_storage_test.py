"""The etcd storage against a real 3-member etcd cluster: the whole storage
conformance suite (tests/store/conformance_test.cc), transactions sent
together, and the failover tests (a frozen member), run by store_etcd_test with the cluster's endpoints."""
import os
import subprocess
import unittest

from etcd_cluster import EtcdCluster

BUILD = os.environ.get("TRESOR_BUILD_DIR", "build")


class EtcdStorageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = EtcdCluster(3).start()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()

    def run_suite(self, gtest_filter):
        env = dict(os.environ,
                   TRESOR_ETCD_ENDPOINTS=",".join(self.cluster.endpoints),
                   TRESOR_ETCD_PIDS=",".join(str(p.pid) for p in self.cluster.procs))
        out = subprocess.run([os.path.join(BUILD, "tests", "store_etcd_test"),
                              f"--gtest_filter={gtest_filter}"],
                             env=env, capture_output=True, text=True, timeout=900)
        self.assertEqual(out.returncode, 0, out.stdout[-6000:] + out.stderr[-2000:])
        self.assertIn("[  PASSED  ]", out.stdout)
        self.assertNotIn("SKIPPED", out.stdout)
        return out.stdout

    def test_conformance(self):
        out = self.run_suite("Backends/*")
        self.assertIn("tests from 1 test suite ran", out)

    def test_batches(self):
        out = self.run_suite("EtcdBatch.*")
        self.assertIn("[  PASSED  ] 2 tests.", out)

    def test_failover_and_bad_configuration(self):
        self.run_suite("EtcdFailover.*:EtcdOpen.*")
        # Every member is back and answering.
        self.cluster.wait_healthy(range(3))


if __name__ == "__main__":
    unittest.main()
