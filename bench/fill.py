"""Writes N records as fast as keep-alive HTTP allows: 4 processes of 8
threads, each with its own connection. For bench/server_scale.sh.
Usage: fill.py tresor URL TOKEN N | fill.py etcd URL N"""
import base64
import http.client
import json
import multiprocessing
import sys
import threading
import urllib.parse

BODY = json.dumps({"data": {"value": "x" * 170}})
BODY_B64 = base64.b64encode(BODY.encode()).decode()


def request_for(kind, token, i):
    """Method path, body and headers of write number i."""
    path = f"s/{i % 1000}/{i}"
    if kind == "tresor":
        return f"/v1/secret/data/{path}", BODY, {"X-Vault-Token": token}
    key = base64.b64encode(path.encode()).decode()
    return "/v3/kv/put", json.dumps({"key": key, "value": BODY_B64}), {}


def shares(first, count, parts):
    """(first, count) of each of `parts` consecutive runs covering them all."""
    size = count // parts
    return [(first + p * size, size if p < parts - 1 else count - p * size) for p in range(parts)]


def worker(kind, url, token, first, count):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    for i in range(first, first + count):
        path, body, headers = request_for(kind, token, i)
        conn.request("POST", path, body, headers)
        reply = conn.getresponse()
        reply.read()
        if reply.status != 200:
            raise SystemExit(f"write {i}: {reply.status}")


def process(kind, url, token, first, count):
    threads = [threading.Thread(target=worker, args=(kind, url, token, f, n))
               for f, n in shares(first, count, 8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main():
    kind, url = sys.argv[1], sys.argv[2]
    token = sys.argv[3] if kind == "tresor" else ""
    procs = [multiprocessing.Process(target=process, args=(kind, url, token, f, n))
             for f, n in shares(0, int(sys.argv[-1]), 4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a writer failed ({p.exitcode})")


if __name__ == "__main__":
    main()
