"""The web UI at /ui/ in Debian's chromium (headless), signed in, against a
real server: secrets (reveal, edit, diff, roll back, delete, undelete,
destroy, metadata, folders, pages, search), policies with their parse
errors, a restricted token, sign-out and dead tokens, access, engines, the
audit view, keyboard use, axe-core's rules, and no secret anywhere it should
not be. Screenshots of each screen go to $TRESOR_BUILD_DIR/ui-screenshots."""
import concurrent.futures
import http.client
import os
import re
import shutil
import tempfile
import unittest

from selenium.webdriver.common.keys import Keys

from support import PASSWORD, NEW_PASSWORD, ROOT, SHOTS, call, start_server
from browser import Browser, install_axe


class UiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        install_axe()
        cls.audit_dir = tempfile.mkdtemp(prefix="tresor-ui-audit-")
        cls.proc, port = start_server("--audit-file", os.path.join(cls.audit_dir, "audit.log"))
        cls.port = port
        cls.url = f"http://127.0.0.1:{port}"
        cls.browser = Browser()

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        cls.proc.terminate()
        cls.proc.wait(timeout=30)
        cls.proc.stdout.close()
        cls.proc.stderr.close()
        shutil.rmtree(cls.audit_dir)

    def setUp(self):
        self.b = self.browser
        self.b.open(f"{self.url}/ui/")
        self.b.run("sessionStorage.clear()")
        self.b.driver.get("about:blank")

    def api(self, method, path, body=None, token=ROOT):
        return call(self.url, method, path, body, token)

    def token(self, policies, ttl="1h", name="ui"):
        status, answer = self.api("POST", "auth/token/create",
                                  {"policies": policies, "ttl": ttl, "display_name": name})
        self.assertEqual(status, 200, answer)
        return answer["auth"]["client_token"]

    def sign_in(self, token):
        self.b.open(f"{self.url}/ui/#/login")
        self.b.heading("Sign in")
        self.b.fill("Token", token).send_keys(Keys.ENTER)
        self.b.heading("Secrets")

    def write(self, path, data):
        status, answer = self.api("POST", f"secret/data/{path}", {"data": data})
        self.assertEqual(status, 200, answer)

    def read(self, path, version=None):
        query = f"?version={version}" if version else ""
        status, answer = self.api("GET", f"secret/data/{path}{query}")
        self.assertEqual(status, 200, answer)
        return answer["data"]

    def assert_hidden(self, *values):
        """None of `values` is in the page's markup, its storage or its URLs."""
        source = self.b.driver.page_source
        for value in values:
            self.assertNotIn(value, source)
            self.assertNotIn(value, " ".join(self.b.storage()))
            for url in self.b.urls():
                self.assertNotIn(value, url)

    def test_a_secret_from_creation_to_destruction(self):
        b = self.b
        self.sign_in(self.token(["root"], name="operator"))
        b.screenshot(SHOTS, "secrets")
        b.link("secret/").click()
        b.heading("secret/")
        b.click("New secret")
        b.fill("Secret name (may hold folders: app/db)", "app/db")
        b.fill("Field 1 name", "user")
        b.fill("Field 1 value", "alice")
        b.click("Add field")
        b.fill("Field 2 name", "password")
        b.fill("Field 2 value", PASSWORD)
        b.click("Save")
        b.heading("app/db")
        self.assertEqual(b.text("main p.notice.info"), "Created app/db.")
        self.assertEqual(self.read("app/db")["data"], {"user": "alice", "password": PASSWORD})
        self.assertEqual([e.text for e in b.all("ul.fields .name")], ["password", "user"])
        self.assertEqual([e.text for e in b.all("ul.fields code.value")], ["••••••••"] * 2)
        self.assert_hidden(PASSWORD, "alice")
        b.screenshot(SHOTS, "secret")

        # Copy puts the value on the clipboard and nothing on the page.
        b.driver.execute_cdp_cmd("Browser.grantPermissions", {
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"], "origin": self.url})
        b.find("button[aria-label='Copy password']").click()
        b.wait_text("ul.fields [role=status]", "Copied")
        self.assertEqual(b.driver.execute_async_script(
            "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('' + e))"), PASSWORD)
        self.assert_hidden(PASSWORD)
        b.find("button[aria-label='Reveal password']").click()
        b.wait_text("ul.fields code.value", PASSWORD)
        self.assertEqual([e.text for e in b.all("ul.fields code.value")], [PASSWORD, "••••••••"])
        b.find("button[aria-label='Hide password']").click()
        b.wait(lambda: PASSWORD not in b.driver.page_source, "the password hidden again")

        b.click("Edit")
        b.wait_text("main h2", "Edit (saved as version 2)")
        self.assertEqual(b.field("Field 1 value").get_attribute("type"),
                         "password")
        self.assertNotIn(PASSWORD, b.driver.page_source)  # a property, not markup
        b.fill("Field 1 value", NEW_PASSWORD)
        b.click("Save")
        b.wait_text("main p.notice.info", "Saved version 2.")
        self.assertEqual(self.read("app/db")["data"], {"user": "alice", "password": NEW_PASSWORD})

        b.click("Compare")
        b.wait(lambda: len(b.all("li.change")) == 2, "the diff")
        self.assertEqual([e.text for e in b.all("li.change .name")], ["password", "user"])
        self.assertEqual([e.text for e in b.all("li.change .kind")], ["changed", "unchanged"])
        self.assert_hidden(PASSWORD, NEW_PASSWORD)
        b.screenshot(SHOTS, "diff")
        b.find("button[aria-label='Reveal the change to password']").click()
        b.wait_text("li.change .value", f"1: {PASSWORD} → 2: {NEW_PASSWORD}")

        b.click("Roll back to 1")
        b.wait_text("main p.notice.info", "Rolled back: version 3 holds version 1's fields.")
        self.assertEqual(self.read("app/db")["data"], {"user": "alice", "password": PASSWORD})
        self.assertEqual(self.read("app/db")["metadata"]["version"], 3)

        b.click("Delete latest version")
        b.click("Press again to delete version 3")
        # The click's request may still be on its way: its time, once stored.
        deleted = b.wait(lambda: self.metadata("app/db")["versions"]["3"]["deletion_time"],
                         "version 3 deleted")
        b.wait_text("main section p.muted", f"Version 3 was deleted at {deleted}.")
        b.click("Undelete 3")
        b.wait_text("main h2", "Version 3")
        self.assertEqual(self.read("app/db")["metadata"]["version"], 3)
        b.click("Destroy 2")
        b.click("Press again to destroy 2 for good")
        b.wait(lambda: any(e.text == "destroyed" for e in b.all("td")), "version 2 destroyed")
        self.assertTrue(self.metadata("app/db")["versions"]["2"]["destroyed"])

        b.fill("Versions kept (0: the mount's setting)", "5")
        b.find("input[name=cas_required]").click()
        b.fill("Custom metadata (one key=value per line)", "owner=team-a")
        b.click("Save metadata")
        b.wait(lambda: self.metadata("app/db")["max_versions"] == 5, "the metadata saved")
        meta = self.metadata("app/db")
        self.assertEqual((meta["cas_required"], meta["custom_metadata"]), (True, {"owner": "team-a"}))

        self.assert_no_leak_in_console(PASSWORD, NEW_PASSWORD)

    def metadata(self, path):
        status, answer = self.api("GET", f"secret/metadata/{path}")
        self.assertEqual(status, 200, answer)
        return answer["data"]

    def assert_no_leak_in_console(self, *values):
        logs = self.b.logs()
        for entry in logs:
            for value in values:
                self.assertNotIn(value, entry["message"])
            # The only errors: refusals the UI asked for and handled.
            if entry["level"] == "SEVERE":
                self.assertIn("Failed to load resource", entry["message"])

    def write_many(self, prefix, count):
        """`count` secrets PREFIX000000..., on four keep-alive connections."""
        def writer(first, last):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                for i in range(first, last):
                    connection.request("POST", f"/v1/secret/data/{prefix}{i:06}",
                                       body='{"data":{"v":"x"}}',
                                       headers={"X-Vault-Token": ROOT})
                    answer = connection.getresponse()
                    answer.read()
                    self.assertEqual(answer.status, 200)
            finally:
                connection.close()
        share = count // 4
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for future in [pool.submit(writer, k * share, count if k == 3 else (k + 1) * share)
                           for k in range(4)]:
                future.result()

    def test_a_folder_of_100000_keys_pages_filter_and_search(self):
        b = self.b
        self.write_many("many/key", 100_000)
        self.write("many/deep/er/needle-1", {"v": "x"})
        self.sign_in(self.token(["root"]))
        b.open(f"{self.url}/ui/#/secrets/secret/many/")
        b.heading("secret/many/")
        b.status("1–100 of 100001")
        self.assertEqual(len(b.all("ul.entries a")), 100)
        self.assertEqual([e.text for e in b.all("ul.entries a")][:2], ["deep/", "key000000"])
        b.click("Next page")
        b.status("101–200 of 100001")
        self.assertEqual(b.all("ul.entries a")[0].text, "key000099")
        b.fill("Filter names in this folder", "key09999")
        b.status("1–10 of 10")
        self.assertEqual([e.text for e in b.all("ul.entries a")][:2], ["key099990", "key099991"])
        b.fill("Search names across secret/", "needle")
        b.click("Search")
        b.wait(lambda: any(e.text == "many/deep/er/needle-1" for e in b.all("ul.entries a")),
               "the search's match")
        b.link("many/deep/er/needle-1").click()
        b.heading("many/deep/er/needle-1")
        crumbs = [e.text for e in b.all("nav.crumbs li")]
        self.assertEqual(crumbs, ["Secrets", "secret/", "many/", "deep/", "er/", "needle-1"])

    def test_a_policy_error_is_shown_at_its_line_and_column(self):
        b = self.b
        self.sign_in(self.token(["root"]))
        b.link("Policies").click()
        b.heading("Policies")
        b.fill("New policy name", "Readers")
        b.click("Write a new policy")
        b.heading("Policy readers")
        broken = 'path "secret/data/*" {\n  capabilities = ["read"\n}\n'
        b.fill("Policy (HCL)", broken)
        b.click("Save")
        self.assertEqual(b.alert(), "Line 3, column 1: failed to parse policy: 3:1: "
                                    "expected ',' or ']'")
        # The caret is put where the error is.
        self.assertEqual(b.run("return document.activeElement.selectionStart"),
                         broken.index("\n}") + 1)
        b.screenshot(SHOTS, "policy-error")
        b.fill("Policy (HCL)", 'path "secret/data/*" {\n  capabilities = ["read"]\n}\n')
        b.click("Save")
        b.wait_text("main [role=alert]", "Saved policy readers.")
        status, answer = self.api("GET", "sys/policies/acl/readers")
        self.assertEqual(answer["data"]["policy"], 'path "secret/data/*" {\n  capabilities = ["read"]\n}\n')
        b.link("Policies").click()
        b.fill("Path", "secret/data/x")
        b.click("Check")
        b.wait_text("#capabilities", "secret/data/x: root")

    def test_a_restricted_token_sees_only_what_it_may_do(self):
        b = self.b
        self.write("team/app", {"key": PASSWORD})
        self.write("other/app", {"key": "x"})
        self.api("PUT", "sys/policies/acl/team-read", {"policy": (
            'path "secret/data/team/*" { capabilities = ["read"] }\n'
            'path "secret/metadata/team/*" { capabilities = ["list", "read"] }\n')})
        self.restricted = self.token(["team-read"], name="reader")
        self.sign_in(self.restricted)
        self.assertEqual([e.text for e in b.all("#nav a")], ["Secrets"])
        self.assertEqual(b.text("#who span"), "token-reader")
        # The mounts its policies reach (sys/internal/ui/mounts), though it
        # may not read sys/mounts; the path field opens one directly.
        b.wait_text("main ul.entries li", "secret/ kv v2 — key/value secret storage")
        self.assertEqual(self.api("GET", "sys/mounts", token=self.restricted)[0], 403)
        b.fill("Open a path (mount/path)", "secret/team/")
        b.click("Open")
        b.heading("secret/team/")
        self.assertEqual([e.text for e in b.all("ul.entries a")], ["app"])
        self.assertEqual([e.text for e in b.all("main button")], ["Search"])  # no New secret
        b.link("app").click()
        b.heading("team/app")
        # Reading only: the fields and their own buttons, nothing that writes.
        self.assertEqual([e.text for e in b.all("main button")], ["Reveal", "Copy"])
        self.assertEqual(b.all("main section[aria-label=Metadata]"), [])
        b.open(f"{self.url}/ui/#/secrets/secret/other/")
        b.heading("secret/other/")
        self.assertEqual(b.text("main p.muted"), "Your token may not list this folder.")
        b.open(f"{self.url}/ui/#/policies")
        b.heading("Not here")
        b.screenshot(SHOTS, "restricted")
        self.assert_hidden(PASSWORD)

    def test_sign_out_revokes_and_a_dead_token_returns_to_sign_in(self):
        b = self.b
        token = self.token(["default"])
        self.sign_in(token)
        b.click("Sign out", within="#who")
        b.heading("Sign in")
        self.assertEqual(b.text("main p.notice.info"), "You signed out; the token is revoked.")
        self.assertEqual(self.api("GET", "auth/token/lookup-self", token=token)[0], 403)
        self.assertEqual(b.storage(), ["{}", "{}", ""])

        token = self.token(["default"])
        self.sign_in(token)
        self.api("POST", "auth/token/revoke", {"token": token})
        b.link("Secrets").click()  # the next call finds the token gone
        b.heading("Sign in")
        self.assertEqual(b.text("main p.notice.info"),
                         "Your token no longer works (expired or revoked). Sign in again.")

        self.sign_in(self.token(["default"], ttl="6s"))  # time to sign in on a slow machine
        b.heading("Sign in")  # the expiry timer, however long the machine takes
        self.assertEqual(b.text("main p.notice.info"), "Your token expired. Sign in again.")

    def test_userpass_sign_in_and_access_screens(self):
        b = self.b
        self.api("POST", "sys/auth/userpass", {"type": "userpass"})
        self.sign_in(self.token(["root"], name="admin"))
        b.link("Access").click()
        b.heading("Access")
        b.fill("Username", "carol")
        b.fill("Password", PASSWORD)
        b.fill("Policies (comma-separated)", "default",
               within="main section[aria-label='Userpass users']")
        b.click("Save user")
        b.wait_text("main p.notice.info", "Saved user carol.")
        b.wait(lambda: any(e.text == "carol" for e in b.all("ul.entries .name")), "carol listed")
        b.screenshot(SHOTS, "access")
        b.click("Create token")
        b.wait(lambda: b.all("button[aria-label='Reveal New token']"), "the new token")
        self.assert_hidden(PASSWORD)
        accessor = b.text("main ul.fields li:nth-child(2) code")
        # Listed with its display name, policies and TTL; revoked from its row.
        b.link("Access").click()
        b.wait(lambda: self.row_cells(accessor), "the new token's row")
        cells = self.row_cells(accessor)
        self.assertEqual(cells[:3], [accessor, "token", "default"])
        # What is left of its hour, as "1h" or "59m 58s", however slow the machine.
        seconds = sum(int(n) * {"h": 3600, "m": 60, "s": 1}[unit]
                      for n, unit in re.findall(r"(\d+)([hms])", cells[3]))
        self.assertRegex(cells[3], r"^(1h|(\d+m)?( ?\d+s)?)$")
        self.assertTrue(0 < seconds <= 3600, cells[3])
        self.row_button(accessor, "Revoke").click()
        self.row_button(accessor, "Press again to revoke").click()
        b.wait_text("main p.notice.info", f"Revoked the token with accessor {accessor}.")
        self.assertEqual(self.api("POST", "auth/token/lookup-accessor", {"accessor": accessor})[0],
                         400)
        b.click("Sign out", within="#who")
        b.heading("Sign in")
        b.find("input[value=userpass]").click()
        b.fill("Username", "carol")
        b.fill("Password", "wrong")
        b.click("Sign in")
        self.assertEqual(b.alert(), "Sign-in failed: invalid username or password")
        b.fill("Password", PASSWORD)
        b.click("Sign in")
        b.heading("Secrets")
        self.assertEqual(b.text("#who span"), "userpass-carol")

    def test_the_audit_view_says_who_did_what(self):
        b = self.b
        alice = self.token(["default"], name="alice")
        self.api("GET", "secret/data/audit-probe", token=alice)  # 403: not hers
        self.api("GET", "auth/token/lookup-self", token=alice)
        _, about = self.api("POST", "auth/token/lookup", {"token": alice})
        accessor = about["data"]["accessor"]
        self.sign_in(self.token(["root"], name="auditor"))
        b.link("Audit").click()
        b.heading("Audit")
        b.wait(lambda: b.text("#audit-chain").startswith("Chain verified"), "the chain's state")
        # From the file's first line, or, once the log outgrows the 8 MiB
        # read (the folder test writes 100,000 secrets), from a later one.
        self.assertRegex(b.text("#audit-chain"), r"^Chain verified: lines (\d+)–\d+ link up from "
                         r"(the first line|line \1 \(older lines: tresor audit verify\)), "
                         r"and hold the server's head\.$")
        b.fill("Caller (display name or accessor)", "token-alice")
        b.click("Filter")
        b.wait(lambda: len(b.all("main tbody tr")) == 2, "alice's two requests")
        rows = [[td.text for td in tr.find_elements("css selector", "td")][1:]
                for tr in b.all("main tbody tr")]
        self.assertEqual(rows, [[f"token-alice\n{accessor}", "read", "auth/token/lookup-self",
                                 "200", "127.0.0.1"],
                                [f"token-alice\n{accessor}", "read", "secret/data/audit-probe",
                                 "403", "127.0.0.1"]])
        b.fill("Caller (display name or accessor)", accessor)
        b.fill("Path starts with", "secret/")
        b.click("Filter")
        b.wait(lambda: len(b.all("main tbody tr")) == 1, "alice's read only")
        b.screenshot(SHOTS, "audit")
        b.fill("Since (UTC, 2026-12-07T15:00:00Z)", "yesterday")
        b.click("Filter")
        self.assertEqual(b.alert(), "since: expected a UTC time like 2026-12-07T15:00:00Z, "
                                    "got \"yesterday\"")

    def test_engines(self):
        b = self.b
        self.sign_in(self.token(["root"]))
        b.link("Engines").click()
        b.heading("Secrets engines")
        b.fill("Path", "team-kv")
        b.click("Enable")
        b.wait(lambda: any(e.text == "team-kv/" for e in b.all("td")), "the new mount")
        status, answer = self.api("GET", "sys/mounts")
        self.assertEqual(answer["data"]["team-kv/"]["options"], {"version": "2"})
        b.screenshot(SHOTS, "engines")
        self.row_button("team-kv/", "Disable").click()
        self.row_button("team-kv/", "Press again to disable team-kv/ and delete what it holds").click()
        b.wait(lambda: not any(e.text == "team-kv/" for e in b.all("td")), "the mount gone")
        self.assertNotIn("team-kv/", self.api("GET", "sys/mounts")[1]["data"])
        # A KV version 1 mount is listed, not browsed.
        self.api("POST", "sys/mounts/legacy-kv", {"type": "kv", "options": {"version": "1"}})
        b.link("Secrets").click()
        b.heading("Secrets")
        b.wait_text("main ul.entries li",
                    "legacy-kv/ kv v1 (read it with tresor read and tresor list)")
        self.assertEqual([a.text for a in b.all("main ul.entries a")], ["secret/"])

    def row_cells(self, first_cell):
        """The texts of the table row whose first cell reads `first_cell` ([] if none)."""
        for row in self.b.all("main tbody tr"):
            cells = [c.text for c in row.find_elements("css selector", "td")]
            if cells and cells[0] == first_cell:
                return cells[:-1]  # without the actions
        return []

    def row_button(self, first_cell, text):
        """The button `text` in the table row whose first cell reads `first_cell`."""
        def found():
            for row in self.b.all("main tbody tr"):
                cells = row.find_elements("css selector", "td")
                if cells and cells[0].text == first_cell:
                    for button in row.find_elements("css selector", "button"):
                        if button.text == text:
                            return button
            return None
        return self.b.wait(found, f"{text!r} in the row of {first_cell}")

    def test_jwt_sign_in(self):
        from jwt_test import ISSUER, Key, claims  # tests/integration's signer
        key = Key("EdDSA", "ui")
        self.api("POST", "sys/auth/jwt", {"type": "jwt"})
        self.api("POST", "auth/jwt/config", {"jwt_validation_pubkeys": [key.pem()],
                                             "bound_issuer": ISSUER})
        self.api("POST", "auth/jwt/role/ci", {"role_type": "jwt", "user_claim": "user_login",
                                              "bound_audiences": ["tresor"],
                                              "token_policies": ["default"]})
        jwt = key.sign(claims())
        b = self.b
        b.open(f"{self.url}/ui/#/login")
        b.find("input[value=jwt]").click()
        b.fill("Role", "ci")
        b.fill("JWT", jwt)
        b.click("Sign in")
        b.heading("Secrets")
        self.assertEqual(b.text("#who span"), "jwt-alice")
        self.assert_hidden(jwt)
        b.click("Sign out", within="#who")
        b.heading("Sign in")
        b.find("input[value=jwt]").click()
        b.fill("Role", "ci")
        b.fill("JWT", key.sign(claims(aud="elsewhere")))
        b.click("Sign in")
        self.assertEqual(b.alert(), "Sign-in failed: error validating claims: aud claim does "
                                    "not match any bound audience")

    def test_approle_sign_in_and_an_auth_method_disabled(self):
        b = self.b
        # Enabled at a path of its own, named in the sign-in form.
        self.api("POST", "sys/auth/machines", {"type": "approle"})
        self.api("POST", "auth/machines/role/deployer", {"token_policies": ["default"]})
        role_id = self.api("GET", "auth/machines/role/deployer/role-id")[1]["data"]["role_id"]
        secret_id = self.api("POST", "auth/machines/role/deployer/secret-id")[1]["data"]["secret_id"]
        b.open(f"{self.url}/ui/#/login")
        b.find("input[value=approle]").click()
        b.fill("Role ID", role_id)
        b.fill("Secret ID", secret_id)
        b.fill("Mount", "machines")
        b.click("Sign in")
        b.heading("Secrets")
        self.assertEqual(b.text("#who span"), "machines")
        self.assert_hidden(secret_id)
        b.click("Sign out", within="#who")
        b.heading("Sign in")
        self.sign_in(self.token(["root"]))
        b.link("Access").click()
        b.heading("Access")
        self.row_button("machines/", "Disable").click()
        self.row_button("machines/", "Press again to disable machines/").click()
        b.wait(lambda: not any(e.text == "machines/" for e in b.all("td")), "machines gone")
        self.assertNotIn("machines/", self.api("GET", "sys/auth")[1]["data"])

    def test_keyboard_only(self):
        b = self.b
        b.open(f"{self.url}/ui/#/login")
        b.heading("Sign in")
        # The token field has the focus; Enter submits.
        active = b.driver.switch_to.active_element
        self.assertEqual(active.get_attribute("name"), "token")
        active.send_keys(self.token(["root"]), Keys.ENTER)
        b.heading("Secrets")
        # Tab from the page's start reaches the sections in order.
        b.open(f"{self.url}/ui/#/secrets")
        b.heading("Secrets")
        reached = []
        for _ in range(8):
            b.driver.switch_to.active_element.send_keys(Keys.TAB)
            reached.append(b.driver.switch_to.active_element.text)
        self.assertEqual(reached[:4], ["Secrets", "Policies", "Access", "Engines"])
        b.driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
        while b.driver.switch_to.active_element.text != "Policies":
            b.driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
        b.driver.switch_to.active_element.send_keys(Keys.ENTER)
        b.heading("Policies")

    def test_accessibility_rules_on_every_screen(self):
        b = self.b
        self.write("a11y/app", {"k": "v"})
        self.write("a11y/app", {"k": "w"})
        screens = {}
        b.open(f"{self.url}/ui/#/login")
        b.heading("Sign in")
        screens["sign-in"] = b.axe()
        b.screenshot(SHOTS, "sign-in")
        self.sign_in(self.token(["root"]))
        for name, route, heading in [("secrets", "secrets", "Secrets"),
                                     ("folder", "secrets/secret/a11y/", "secret/a11y/"),
                                     ("secret", "secrets/secret/a11y/app", "a11y/app"),
                                     ("policies", "policies", "Policies"),
                                     ("policy", "policies/default", "Policy default"),
                                     ("access", "access", "Access"),
                                     ("engines", "engines", "Secrets engines"),
                                     ("audit", "audit", "Audit")]:
            b.open(f"{self.url}/ui/#/{route}")
            b.heading(heading)
            screens[name] = b.axe()
        self.assertEqual({name: v for name, v in screens.items() if v}, {})

if __name__ == "__main__":
    unittest.main()
