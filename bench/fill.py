"""Writes N records as fast as keep-alive HTTP allows: P processes of 8
threads, each with its own connection. For bench/server_scale.sh.
Usage: fill.py tresor URL TOKEN N | fill.py etcd URL N"""
import base64
import http.client
import json
import multiprocessing
import sys
import threading
import urllib.parse

VALUE = "x" * 170


def worker(kind, url, token, first, count):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    body_tresor = json.dumps({"data": {"value": VALUE}})
    value_b64 = base64.b64encode(body_tresor.encode()).decode()
    for i in range(first, first + count):
        if kind == "tresor":
            conn.request("POST", f"/v1/secret/data/s/{i % 1000}/{i}", body_tresor,
                         {"X-Vault-Token": token})
        else:
            key = base64.b64encode(f"s/{i % 1000}/{i}".encode()).decode()
            conn.request("POST", "/v3/kv/put", json.dumps({"key": key, "value": value_b64}))
        reply = conn.getresponse()
        reply.read()
        if reply.status != 200:
            raise SystemExit(f"write {i}: {reply.status}")


def process(kind, url, token, first, count, threads=8):
    share = count // threads
    ts = [threading.Thread(target=worker, args=(kind, url, token, first + t * share,
                                                share if t < threads - 1 else count - t * share))
          for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def main():
    kind, url = sys.argv[1], sys.argv[2]
    token = sys.argv[3] if kind == "tresor" else ""
    n = int(sys.argv[-1])
    procs = 4
    share = n // procs
    ps = [multiprocessing.Process(target=process, args=(kind, url, token, p * share,
                                                        share if p < procs - 1 else n - p * share))
          for p in range(procs)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a writer failed ({p.exitcode})")


if __name__ == "__main__":
    main()
