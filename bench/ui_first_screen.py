"""The web UI's first screen in Debian's headless chromium: the median time
from navigation to the screen drawn and taking input (the page's own
'tresor-interactive' mark), over LOADS fresh loads of each URL given.
Prints one line per URL: the URL, the median and the fastest, in ms."""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ui"))
from browser import Browser  # noqa: E402

loads = int(os.environ.get("LOADS", "20"))
browser = Browser()
try:
    for url in sys.argv[1:]:
        times = []
        for _ in range(loads + 1):
            browser.open(url)
            browser.heading("Sign in")
            times.append(browser.run(
                "return performance.getEntriesByName('tresor-interactive')[0].startTime"))
        times = times[1:]  # the first load warms the browser's own caches
        print(f"{url} {statistics.median(times):.1f} {min(times):.1f}")
finally:
    browser.quit()
