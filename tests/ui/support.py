"""What the UI tests share: the server helpers of tests/integration, a call
to the API, where the UI's files and the screenshots are, and the values
the tests look for where they must not be."""
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from persistence_test import Server  # noqa: E402,F401
from server_test import ROOT, ServerTestCase, start_server  # noqa: E402,F401

UI_DIR = os.path.join(HERE, "..", "..", "ui")
SHOTS = os.path.join(os.environ.get("TRESOR_BUILD_DIR", tempfile.gettempdir()), "ui-screenshots")
PASSWORD = "S3cret-pa55-9f2c"  # a secret value, looked for where it must not be
NEW_PASSWORD = "N3w-pa55-41d7"


def call(url, method, path, body=None, token=ROOT):
    request = urllib.request.Request(f"{url}/v1/{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    if token:
        request.add_header("X-Vault-Token", token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


