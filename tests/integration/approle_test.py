"""AppRole through hvac's own methods, end to end: enable, role, role ID,
secret IDs (generate, custom, list, lookup, destroy), login, use limits,
CIDR bounds, a token that reads exactly what its policy allows."""
import hvac

from server_test import ROOT, ServerTestCase, enable_auth_with_app_policy


class AppRoleTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        enable_auth_with_app_policy(cls.url, "approle")

    def setUp(self):
        self.admin = hvac.Client(url=self.url, token=ROOT)
        self.approle = self.admin.auth.approle
        self.addCleanup(self.admin.adapter.close)

    def login(self, role_id, secret_id):
        client = hvac.Client(url=self.url)
        self.addCleanup(client.adapter.close)
        return client, client.auth.approle.login(role_id, secret_id)

    def test_the_whole_flow(self):
        self.approle.create_or_update_approle("web", token_policies=["app-read"],
                                              token_ttl="1h", token_max_ttl="4h",
                                              secret_id_ttl="10m", secret_id_num_uses=5)
        role = self.approle.read_role("web")["data"]
        self.assertEqual({k: role[k] for k in ("token_policies", "token_ttl", "token_max_ttl",
                                                "secret_id_ttl", "secret_id_num_uses",
                                                "bind_secret_id")},
                         {"token_policies": ["app-read"], "token_ttl": 3600,
                          "token_max_ttl": 14400, "secret_id_ttl": 600,
                          "secret_id_num_uses": 5, "bind_secret_id": True})
        self.assertIn("web", self.approle.list_roles()["data"]["keys"])
        role_id = self.approle.read_role_id("web")["data"]["role_id"]
        self.assertRegex(role_id, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                  r"[0-9a-f]{12}$")
        made = self.approle.generate_secret_id("web", metadata={"host": "web-1"})["data"]
        self.assertEqual((made["secret_id_ttl"], made["secret_id_num_uses"]), (600, 5))
        self.assertEqual(self.approle.list_secret_id_accessors("web")["data"]["keys"],
                         [made["secret_id_accessor"]])
        looked = self.approle.read_secret_id("web", made["secret_id"])["data"]
        self.assertEqual((looked["metadata"], looked["secret_id_accessor"],
                          looked["secret_id_num_uses"]),
                         ({"host": "web-1"}, made["secret_id_accessor"], 5))
        client, auth = self.login(role_id, made["secret_id"])
        self.assertEqual(auth["auth"]["policies"], ["app-read", "default"])
        self.assertEqual(auth["auth"]["metadata"], {"role_name": "web"})
        self.assertEqual(auth["auth"]["lease_duration"], 3600)
        self.assertEqual(client.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "pw-1"})
        with self.assertRaises(hvac.exceptions.Forbidden):
            client.secrets.kv.v2.read_secret_version("other/db")
        self.assertEqual(client.auth.token.lookup_self()["data"]["display_name"], "approle")
        self.assertEqual(self.approle.read_secret_id("web", made["secret_id"])["data"]
                         ["secret_id_num_uses"], 4)
        self.approle.destroy_secret_id("web", made["secret_id"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.login(role_id, made["secret_id"])
        self.assertEqual(caught.exception.errors, ["invalid role or secret ID"])

    def test_a_secret_id_is_spent_after_its_uses(self):
        self.approle.create_or_update_approle("once", token_policies=["app-read"])
        role_id = self.approle.read_role_id("once")["data"]["role_id"]
        made = self.approle.generate_secret_id("once")["data"]
        response = self.admin.adapter.post("/v1/auth/approle/role/once/secret-id",
                                           json={"num_uses": 1})
        single = response["data"]["secret_id"]
        self.login(role_id, single)
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            self.login(role_id, single)
        self.assertEqual(self.approle.list_secret_id_accessors("once")["data"]["keys"],
                         [made["secret_id_accessor"]])
        # The accessor identifies it without the secret ID.
        by_accessor = self.approle.read_secret_id_accessor("once", made["secret_id_accessor"])
        self.assertEqual(by_accessor["data"]["secret_id_num_uses"], 0)
        self.approle.destroy_secret_id_accessor("once", made["secret_id_accessor"])
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.approle.list_secret_id_accessors("once")

    def test_custom_ids_and_cidr_bounds(self):
        self.approle.create_or_update_approle("bound", token_policies=["app-read"],
                                              secret_id_bound_cidrs=["127.0.0.0/8"])
        self.approle.update_role_id("bound", "bound-role-id")
        self.approle.create_custom_secret_id("bound", "custom-secret-1")
        self.login("bound-role-id", "custom-secret-1")
        far = self.approle.generate_secret_id("bound", cidr_list=["10.0.0.0/8"])["data"]
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            self.login("bound-role-id", far["secret_id"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.approle.generate_secret_id("bound", cidr_list=["10.0.0.0/40"])
        self.assertEqual(caught.exception.errors, ['cidr_list: bad CIDR block "10.0.0.0/40"'])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.approle.create_or_update_approle("bound", token_bound_cidrs=["10.0.0.0/8"])
        self.assertEqual(caught.exception.errors, ["token_bound_cidrs is not supported"])
        self.approle.delete_role("bound")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            self.login("bound-role-id", "custom-secret-1")

    def test_login_needs_no_token_and_bad_input_is_named(self):
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.login("", "x")
        self.assertEqual(caught.exception.errors, ["missing role_id"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.login("no-such-role-id", "x")
        self.assertEqual(caught.exception.errors, ["invalid role or secret ID"])
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.approle.generate_secret_id("missing-role")
        self.assertEqual(caught.exception.errors, ['role "missing-role" does not exist'])
        listed = self.admin.adapter.get("/v1/sys/auth")
        self.assertEqual(listed["data"]["approle/"]["type"], "approle")
