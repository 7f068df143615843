"""Writes a sops YAML file of N encrypted keys for bench/import_compare.sh,
as sops 3.9 writes them: one data key wrapped with the `age` binary for
RECIPIENT, AES-256-GCM values with 32-byte IVs and the key path as
associated data, and the SHA-512 MAC encrypted under lastmodified.
Usage: sops_fixture.py N RECIPIENT OUT"""
import base64
import hashlib
import os
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

count, recipient, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
key = os.urandom(32)
aead = AESGCM(key)


def enc(plain, kind, aad):
    iv = os.urandom(32)
    sealed = aead.encrypt(iv, plain.encode(), aad.encode())
    b64 = lambda b: base64.b64encode(b).decode()
    return f"ENC[AES256_GCM,data:{b64(sealed[:-16])},iv:{b64(iv)},tag:{b64(sealed[-16:])},type:{kind}]"


lines, leaves = [], []
for i in range(count):
    value = f"secret-value-{i:06d}-" + "x" * 24
    leaves.append(value)
    lines.append(f"key_{i:06d}: {enc(value, 'str', f'key_{i:06d}:')}")
wrapped = subprocess.run(["age", "-a", "-r", recipient], input=key, capture_output=True,
                         check=True).stdout.decode()
when = "2026-12-07T00:00:00Z"
mac = hashlib.sha512("".join(leaves).encode()).hexdigest().upper()
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
    f.write(f"sops:\n    age:\n        - recipient: {recipient}\n          enc: |\n")
    for line in wrapped.splitlines():
        f.write(f"            {line}\n")
    f.write(f"    lastmodified: \"{when}\"\n    mac: {enc(mac, 'str', when)}\n"
            "    unencrypted_suffix: _unencrypted\n    version: 3.9.0\n")
