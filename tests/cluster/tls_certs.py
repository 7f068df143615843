"""Certificates for a TLS etcd, made with the openssl command: a CA, a
certificate for the members (IP 127.0.0.1) and one for clients."""
import os
import subprocess


def _run(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _key_and_request(directory, name, subject):
    key, csr = os.path.join(directory, f"{name}.key"), os.path.join(directory, f"{name}.csr")
    _run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", csr, "-subj", subject)
    return key, csr


def make_ca(directory, name="ca"):
    key, pem = os.path.join(directory, f"{name}.key"), os.path.join(directory, f"{name}.pem")
    _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", pem, "-days", "2", "-subj", f"/CN=tresor test {name}")
    return pem, key


def make_cert(directory, name, ca, usage, san=None):
    """A certificate signed by `ca` (pem, key) for `usage` (serverAuth,
    clientAuth); its pem and key files."""
    key, csr = _key_and_request(directory, name, f"/CN={name}")
    ext = os.path.join(directory, f"{name}.ext")
    with open(ext, "w") as f:
        f.write(f"extendedKeyUsage={usage}\n")
        if san:
            f.write(f"subjectAltName={san}\n")
    pem = os.path.join(directory, f"{name}.pem")
    _run("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial",
         "-out", pem, "-days", "2", "-extfile", ext)
    return pem, key
