"""How the server serves the web UI: the headers that keep the page to its
origin, every file as built and the whole under 200 KiB compressed, ETags
and 304s, the first screen's time in Debian's headless chromium, and a
server initialised and unsealed through the UI, key by key."""
import gzip
import json
import os
import re
import shutil
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

from selenium.webdriver.common.keys import Keys

from support import SHOTS, UI_DIR, Server, ServerTestCase, call
from browser import Browser, install_axe


class ServingTest(ServerTestCase):
    def test_headers_keep_the_page_to_its_origin(self):
        with urllib.request.urlopen(f"{self.url}/ui/", timeout=30) as response:
            headers = response.headers
            page = response.read().decode()
        self.assertEqual(headers["Content-Security-Policy"],
                         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                         "connect-src 'self'; base-uri 'none'; form-action 'none'; "
                         "frame-ancestors 'none'")
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(headers["Referrer-Policy"], "no-referrer")
        self.assertEqual(headers["X-Frame-Options"], "DENY")
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(headers["Cache-Control"], "no-cache")
        self.assertNotIn("<script>", page)  # nothing inline: every script is a file
        opener = urllib.request.build_opener(NoRedirect)
        with self.assertRaises(urllib.error.HTTPError) as redirected:
            opener.open(f"{self.url}/", timeout=30)
        self.assertEqual((redirected.exception.code, redirected.exception.headers["Location"]),
                         (307, "/ui/"))
        request = urllib.request.Request(f"{self.url}/ui/", method="POST", data=b"{}")
        with self.assertRaises(urllib.error.HTTPError) as posted:
            urllib.request.urlopen(request, timeout=30)
        self.assertEqual((posted.exception.code, posted.exception.headers["Allow"],
                          json.loads(posted.exception.read())),
                         (405, "GET, HEAD", {"errors": ["the UI's files are only read"]}))
        with self.assertRaises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{self.url}/ui/js/nothing.js", timeout=30)
        self.assertEqual((missing.exception.code, json.loads(missing.exception.read())),
                         (404, {"errors": ["no such file in the UI"]}))

    def test_every_file_is_served_as_built_and_the_whole_ui_is_small(self):
        compressed = 0
        for folder, _, names in os.walk(UI_DIR):
            for name in names:
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, UI_DIR)
                with open(path, "rb") as f:
                    content = f.read()
                with urllib.request.urlopen(f"{self.url}/ui/{relative}", timeout=30) as response:
                    self.assertEqual(response.read(), content, relative)
                compressed += len(gzip.compress(content, 9))
        print(f"\nthe UI: {compressed} bytes gzip-compressed", file=sys.stderr)
        self.assertLess(compressed, 200 * 1024)
        # index.html asks for every module at once (no import waterfall).
        with open(os.path.join(UI_DIR, "index.html")) as f:
            preloaded = set(re.findall(r'<link rel="modulepreload" href="/ui/([^"]+)">', f.read()))
        modules = {os.path.relpath(os.path.join(d, n), UI_DIR)
                   for d, _, names in os.walk(os.path.join(UI_DIR, "js")) for n in names}
        self.assertEqual(preloaded, modules - {"js/app.js"})

    def test_files_are_revalidated_and_unchanged_ones_cost_no_body(self):
        with urllib.request.urlopen(f"{self.url}/ui/js/app.js", timeout=30) as response:
            tag = response.headers["ETag"]
            self.assertEqual(response.headers["Cache-Control"], "no-cache")
            self.assertEqual(response.headers["Content-Type"], "text/javascript; charset=utf-8")
        self.assertRegex(tag, r'^"[0-9a-f]{16}"$')
        request = urllib.request.Request(f"{self.url}/ui/js/app.js", headers={"If-None-Match": tag})
        with self.assertRaises(urllib.error.HTTPError) as same:
            urllib.request.urlopen(request, timeout=30)
        self.assertEqual((same.exception.code, same.exception.headers["ETag"],
                          same.exception.read()), (304, tag, b""))
        request = urllib.request.Request(f"{self.url}/ui/js/app.js",
                                         headers={"If-None-Match": '"0000000000000000"'})
        with urllib.request.urlopen(request, timeout=30) as response:
            self.assertEqual(response.status, 200)
            with open(os.path.join(UI_DIR, "js", "app.js"), "rb") as f:
                self.assertEqual(response.read(), f.read())

    def test_first_screen_time(self):
        """The figure for docs/performance.md: from navigation to the first
        screen drawn and taking input, measured by the browser."""
        b = Browser()
        self.addCleanup(b.quit)
        times = []
        for _ in range(5):
            b.open(f"{self.url}/ui/#/login")
            b.heading("Sign in")
            times.append(b.run("return performance.getEntriesByName('tresor-interactive')[0]"
                               ".startTime"))
        times.sort()
        print(f"\nfirst screen interactive: median {times[2]:.0f} ms (of {times})",
              file=sys.stderr)
        self.assertEqual(len(times), 5)



class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class InitAndUnsealTest(unittest.TestCase):
    """A server with storage on disk: initialised and unsealed in the UI."""

    def test_init_then_unseal_key_by_key(self):
        install_axe()
        directory = tempfile.mkdtemp(prefix="tresor-ui-")
        self.addCleanup(shutil.rmtree, directory)
        server = Server(directory, audit=False).start()
        self.addCleanup(server.stop)
        b = Browser()
        self.addCleanup(b.quit)
        b.open(f"{server.url}/ui/")
        b.heading("Initialize the server")
        b.wait_text("#seal", "Not initialized")
        b.fill("Key shares", "3")
        b.fill("Key threshold", "2")
        b.click("Initialize")
        b.wait_text("main h2", "Keep these now: they are shown once")
        self.assertEqual([e.text for e in b.all("ul.fields .name")],
                         ["Unseal key 1", "Unseal key 2", "Unseal key 3", "Root token"])
        self.assertEqual({e.text for e in b.all("ul.fields code.value")}, {"••••••••"})
        keys = []
        for i in (1, 2):
            b.find(f"button[aria-label='Reveal Unseal key {i}']").click()
            keys.append(b.wait(lambda: b.all("ul.fields code.value")[i - 1].text != "••••••••"
                               and b.all("ul.fields code.value")[i - 1].text, f"key {i}"))
        b.screenshot(SHOTS, "init")
        b.click("I have stored them: unseal")
        b.heading("Unseal")
        b.wait_text("#seal", "Sealed (0 of 2 keys given)")
        self.assertEqual(b.axe(), [])
        box = b.fill("Unseal key", keys[0])
        box.send_keys(Keys.ENTER)
        b.wait_text("#unseal-progress", "1 of 2 keys given.")
        self.assertEqual(box.get_attribute("value"), "")  # nothing echoed back or kept
        self.assertEqual(box.get_attribute("type"), "password")
        b.screenshot(SHOTS, "unseal")
        b.fill("Unseal key", "bm90IGEga2V5").send_keys(Keys.ENTER)
        self.assertTrue(b.alert().startswith("The key was not taken: "), b.alert())
        b.fill("Unseal key", keys[1]).send_keys(Keys.ENTER)
        b.wait_text("main p.notice.info", "The server is unsealed.")
        b.wait_text("#seal", "Unsealed")
        b.heading("Sign in")
        status, answer = call(server.url, "GET", "sys/seal-status", token=None)
        self.assertEqual((answer["sealed"], answer["initialized"]), (False, True))
        for value in keys:
            self.assertNotIn(value, b.driver.page_source)


if __name__ == "__main__":
    unittest.main()
