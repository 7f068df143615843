"""Debian's chromium, headless, driven through chromedriver by selenium:
what the UI tests see of a page, with waits on the page's state (never a
fixed sleep)."""
import json
import os
import subprocess

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
AXE = os.path.join(HERE, "node_modules", "axe-core", "axe.min.js")
LIMIT = int(os.environ.get("UI_WAIT", "60"))  # seconds a page may take to reach a state, however slow the machine


def install_axe():
    """axe-core from the npm registry, pinned by package-lock.json."""
    if not os.path.exists(AXE):
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=HERE,
                       check=True, timeout=600)


class Browser:
    def __init__(self):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--window-size=1200,900", "--disable-gpu", "--no-first-run"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.console = []

    def quit(self):
        self.driver.quit()

    def open(self, url):
        """Loads `url` afresh (a new document even if only the hash differs)."""
        self.driver.get("about:blank")
        self.driver.get(url)

    def wait(self, condition, what):
        def attempt(_):
            try:
                return condition()
            except StaleElementReferenceException:
                return False  # the view was redrawn under us: ask again
        return WebDriverWait(self.driver, LIMIT, poll_frequency=0.05).until(
            attempt, message=f"timed out waiting for {what}")

    def find(self, css):
        return self.wait(lambda: self.driver.find_element(By.CSS_SELECTOR, css), css)

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        return self.find(css).text

    def wait_text(self, css, text):
        """Waits until an element matching `css` shows exactly `text`."""
        def shown():
            return any(e.text == text for e in self.all(css))
        try:
            self.wait(shown, f"{css} to read {text!r}")
        except TimeoutException as error:
            raise AssertionError(f"{error.msg}; it reads {self.texts(css)}") from None

    def texts(self, css):
        """The texts of what matches `css` now (possibly none)."""
        return self.wait(lambda: ([e.text for e in self.all(css)],), f"the texts of {css}")[0]

    def heading(self, text):
        self.wait_text("main h1", text)

    def button(self, text, within="main"):
        """The first button in `within` whose text is exactly `text`."""
        def found():
            for e in self.all(f"{within} button"):
                if e.text == text:
                    return e
            return None
        return self.wait(found, f"a button {text!r}")

    def click(self, text, within="main"):
        def clicked():
            for e in self.all(f"{within} button"):
                if e.text == text:
                    e.click()
                    return True
            return False
        self.wait(clicked, f"a button {text!r} to click")

    def link(self, text):
        def found():
            for e in self.all("a"):
                if e.text == text:
                    return e
            return None
        return self.wait(found, f"a link {text!r}")

    def field(self, label, within="main"):
        """The input that the label `label` in `within` names, or None."""
        for e in self.all(f"{within} label[for]"):
            if e.text == label:
                return self.driver.find_element(By.ID, e.get_attribute("for"))
        return None

    def fill(self, label, value, within="main"):
        """Types into the input that the label `label` in `within` names."""
        def typed():
            box = self.field(label, within)
            if box is None:
                return None
            box.clear()
            box.send_keys(value)
            return box
        return self.wait(typed, f"a field labelled {label!r}")

    def alert(self):
        """The text of the first non-empty alert."""
        def shown():
            texts = [e.text for e in self.all("[role=alert]") if e.text]
            return texts[0] if texts else None
        return self.wait(shown, "an alert")

    def status(self, text):
        self.wait_text("[role=status]", text)

    def run(self, script, *args):
        return self.driver.execute_script(script, *args)

    def storage(self):
        return self.run("return [JSON.stringify(localStorage), JSON.stringify(sessionStorage),"
                        " document.cookie]")

    def urls(self):
        """Every URL this page loaded or asked for, and its own."""
        entries = self.run("return performance.getEntries().map(e => e.name)")
        return [self.driver.current_url, *entries]

    def logs(self):
        self.console += self.driver.get_log("browser")
        return self.console

    def axe(self):
        """axe-core's violations on the page as it is: [(rule, [targets])]."""
        with open(AXE) as f:
            self.driver.execute_script(f.read())
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then(r => done(JSON.stringify(r.violations)),"
            " e => done(JSON.stringify([{id: 'axe failed: ' + e, nodes: []}])));")
        return [(v["id"], [n["target"] for n in v["nodes"]]) for v in json.loads(result)]

    def screenshot(self, directory, name):
        os.makedirs(directory, exist_ok=True)
        self.driver.save_screenshot(os.path.join(directory, f"{name}.png"))
