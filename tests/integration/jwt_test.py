"""JWT auth through hvac's own methods, end to end, with tokens this test
signs: PEM keys and a JWKS URL (served here, its keys rotated), RS256,
ES256 and EdDSA, bound audiences, subject and claims (exact and glob),
leeways, claim mappings, and every refusal with its exact message."""
import base64
import datetime
import http.server
import ipaddress
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time

import hvac
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography import x509
from cryptography.x509.oid import NameOID

from server_test import ROOT, TRESOR, ServerTestCase, enable_auth_with_app_policy

ISSUER = "https://ci.example.com"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_int(n, size=None):
    size = size or (n.bit_length() + 7) // 8
    return b64url(n.to_bytes(size, "big"))


class Key:
    """A signing key of one algorithm, its public PEM and JWK."""

    def __init__(self, alg, kid):
        self.alg, self.kid = alg, kid
        if alg == "RS256":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif alg == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
        else:
            self.private = ed25519.Ed25519PrivateKey.generate()
        self.public = self.private.public_key()

    def pem(self):
        return self.public.public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def jwk(self):
        if self.alg == "RS256":
            n = self.public.public_numbers()
            return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                    "n": b64url_int(n.n), "e": b64url_int(n.e)}
        if self.alg == "ES256":
            n = self.public.public_numbers()
            return {"kty": "EC", "crv": "P-256", "kid": self.kid,
                    "x": b64url_int(n.x, 32), "y": b64url_int(n.y, 32)}
        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "kid": self.kid, "x": b64url(raw)}

    def sign(self, claims, header=None):
        head = {"alg": self.alg, "typ": "JWT", "kid": self.kid, **(header or {})}
        signing_input = (b64url(json.dumps(head).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        if self.alg == "RS256":
            sig = self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif self.alg == "ES256":
            r, s = decode_dss_signature(self.private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        else:
            sig = self.private.sign(signing_input)
        return signing_input.decode() + "." + b64url(sig)


def claims(**overrides):
    now = int(time.time())
    out = {"iss": ISSUER, "sub": "project_path:group/app:ref:main", "aud": "tresor",
           "iat": now, "nbf": now, "exp": now + 300, "project_path": "group/app",
           "ref": "main", "user_login": "alice"}
    out.update(overrides)
    return {k: v for k, v in out.items() if v is not None}


def tls_files(directory):
    """A CA and a certificate it signed for 127.0.0.1, as PEM files; returns
    (ca_pem_text, cert_file, key_file)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    def make(subject, issuer, key, signer, ca):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(hours=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
        return builder.sign(signer, hashes.SHA256())
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = make(ca_name, ca_name, ca_key, ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]), ca_name, key,
                ca_key, False)
    cert_file, key_file = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_file, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return ca.public_bytes(serialization.Encoding.PEM).decode(), cert_file, key_file


class JwksServer:
    """Serves a JWKS document on a loopback port (over TLS with `tls`, a
    (cert_file, key_file) pair) and counts its fetches."""

    def __init__(self, keys, tls=None):
        self.document = {"keys": [k.jwk() for k in keys]}
        self.fetches = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches += 1
                body = json.dumps(outer.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class JwtTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rsa = Key("RS256", "rsa-1")
        enable_auth_with_app_policy(cls.url, "jwt")

    def setUp(self):
        self.admin = hvac.Client(url=self.url, token=ROOT)
        self.jwt = self.admin.auth.jwt
        self.addCleanup(self.admin.adapter.close)
        self.jwt.configure(jwt_validation_pubkeys=[self.rsa.pem()], bound_issuer=ISSUER)
        self.jwt.create_role("deploy", user_claim="user_login", allowed_redirect_uris=[],
                             bound_audiences=["tresor"],
                             bound_claims={"project_path": "group/app", "ref": ["main", "v1"]},
                             claim_mappings={"project_path": "project"},
                             token_policies=["app-read"], token_ttl="1h")

    def login(self, token, role="deploy"):
        client = hvac.Client(url=self.url)
        self.addCleanup(client.adapter.close)
        return client, client.auth.jwt.jwt_login(role, token)

    def refused(self, token, role="deploy"):
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.login(token, role)
        return caught.exception.errors

    def test_the_whole_flow(self):
        role = self.jwt.read_role("deploy")["data"]
        self.assertEqual({k: role[k] for k in ("role_type", "user_claim", "bound_audiences",
                                                "bound_claims", "bound_claims_type",
                                                "claim_mappings", "token_policies", "token_ttl",
                                                "clock_skew_leeway", "expiration_leeway",
                                                "not_before_leeway")},
                         {"role_type": "jwt", "user_claim": "user_login",
                          "bound_audiences": ["tresor"],
                          "bound_claims": {"project_path": "group/app", "ref": ["main", "v1"]},
                          "bound_claims_type": "string", "claim_mappings": {"project_path":
                                                                            "project"},
                          "token_policies": ["app-read"], "token_ttl": 3600,
                          "clock_skew_leeway": 60, "expiration_leeway": 150,
                          "not_before_leeway": 150})
        self.assertIn("deploy", self.jwt.list_roles()["data"]["keys"])
        config = self.jwt.read_config()["data"]
        self.assertEqual((config["bound_issuer"], config["jwt_validation_pubkeys"],
                          config["jwks_url"]), (ISSUER, [self.rsa.pem()], ""))
        client, auth = self.login(self.rsa.sign(claims()))
        self.assertEqual(auth["auth"]["policies"], ["app-read", "default"])
        self.assertEqual(auth["auth"]["metadata"], {"role": "deploy", "project": "group/app"})
        self.assertEqual(auth["auth"]["lease_duration"], 3600)
        self.assertEqual(client.secrets.kv.v2.read_secret_version("app/db")["data"]["data"],
                         {"password": "pw-1"})
        with self.assertRaises(hvac.exceptions.Forbidden):
            client.secrets.kv.v2.read_secret_version("other/db")
        self.assertEqual(client.auth.token.lookup_self()["data"]["display_name"], "jwt-alice")
        # A list of audiences, one of them bound; the other value of a bound claim.
        self.login(self.rsa.sign(claims(aud=["other", "tresor"], ref="v1")))

    def test_tokens_that_are_refused_say_why(self):
        now = int(time.time())
        other = Key("RS256", "rsa-1")
        cases = [
            (other.sign(claims()), "error validating token: the signature does not verify "
                                   "with any configured key"),
            (self.rsa.sign(claims(exp=now - 1000)),
             "error validating claims: the token has expired"),
            (self.rsa.sign(claims(exp=None)), "error validating claims: the token has no exp "
                                              "claim (tokens that never expire are refused)"),
            (self.rsa.sign(claims(nbf=now + 1000)),
             "error validating claims: the token is not valid yet (nbf)"),
            (self.rsa.sign(claims(iat=now + 1000)),
             "error validating claims: the token was issued in the future"),
            (self.rsa.sign(claims(aud="someone-else")),
             "error validating claims: aud claim does not match any bound audience"),
            (self.rsa.sign(claims(iss="https://evil.example")),
             "error validating claims: iss claim does not match the bound issuer"),
            (self.rsa.sign(claims(ref="feature")),
             "claim \"ref\" does not match any associated bound claim values"),
            (self.rsa.sign(claims(project_path=None)), "claim \"project_path\" is missing"),
            (self.rsa.sign(claims(user_login=None)), "claim \"user_login\" not found in token"),
            (self.rsa.sign(claims(), {"alg": "HS256"}),
             "error validating token: the signing algorithm is not supported"),
            ("a.b", "malformed JWT: not three parts separated by '.'"),
            ("e30.e30.", "malformed JWT: no \"alg\" in the header"),
        ]
        for token, message in cases:
            with self.subTest(message):
                self.assertEqual(self.refused(token), [message])
        unsigned = b64url(b'{"alg":"none"}') + "." + b64url(json.dumps(claims()).encode()) + "."
        self.assertEqual(self.refused(unsigned),
                         ["error validating token: the signing algorithm is not supported"])
        self.assertEqual(self.refused(self.rsa.sign(claims()), role="nobody"),
                         ["role \"nobody\" could not be found"])
        # Within the leeways: expired 100 s ago (150 + 60 allowed).
        self.login(self.rsa.sign(claims(exp=now - 100)))

    def test_a_role_without_audiences_refuses_tokens_that_have_one(self):
        self.jwt.create_role("by-subject", user_claim="sub", allowed_redirect_uris=[],
                             bound_subject="project_path:group/app:ref:main")
        self.assertEqual(self.refused(self.rsa.sign(claims()), role="by-subject"),
                         ["error validating claims: audience claim found in JWT but no "
                          "audiences bound to the role"])
        _, auth = self.login(self.rsa.sign(claims(aud=None)), role="by-subject")
        self.assertEqual(auth["auth"]["metadata"], {"role": "by-subject"})
        self.assertEqual(self.refused(self.rsa.sign(claims(aud=None, sub="x")), role="by-subject"),
                         ["error validating claims: sub claim does not match bound subject"])

    def test_glob_bound_claims(self):
        self.jwt.create_role("releases", user_claim="sub", allowed_redirect_uris=[],
                             bound_audiences=["tresor"], bound_claims_type="glob",
                             bound_claims={"ref": "release/*", "/nested/env": "prod-*"})
        self.login(self.rsa.sign(claims(ref="release/1.2", nested={"env": "prod-eu"})),
                   role="releases")
        self.assertEqual(self.refused(self.rsa.sign(claims(ref="main", nested={"env": "prod-eu"})),
                                      role="releases"),
                         ["claim \"ref\" does not match any associated bound claim values"])
        self.assertEqual(self.refused(self.rsa.sign(claims(ref="release/1", nested={"env": "dev"})),
                                      role="releases"),
                         ["claim \"/nested/env\" does not match any associated bound claim "
                          "values"])

    def test_jwks_keys_of_every_algorithm_and_their_rotation(self):
        es, ed = Key("ES256", "ec-1"), Key("EdDSA", "ed-1")
        jwks = JwksServer([self.rsa, es])
        self.addCleanup(jwks.close)
        self.jwt.configure(jwks_url=jwks.url, bound_issuer=ISSUER)
        self.assertEqual(jwks.fetches, 1)
        for key in (self.rsa, es):
            with self.subTest(key.alg):
                self.login(key.sign(claims()))
        # The provider rotates in an Ed25519 key: a token that names it
        # makes the server fetch the document once more.
        jwks.document["keys"].append(ed.jwk())
        self.login(ed.sign(claims()))
        self.assertEqual(jwks.fetches, 2)
        # An unknown key soon after does not make it fetch again.
        stranger = Key("ES256", "ec-unknown")
        self.assertEqual(self.refused(stranger.sign(claims())),
                         ["error validating token: the signature does not verify with any "
                          "configured key"])
        self.assertEqual(jwks.fetches, 2)
        # A token whose kid names one key but whose signature is another's.
        forged = es.sign(claims(), {"kid": "rsa-1"})
        self.assertEqual(self.refused(forged),
                         ["error validating token: the signature does not verify with any "
                          "configured key"])

    def test_a_jwks_url_over_tls_with_its_own_ca(self):
        directory = tempfile.mkdtemp(prefix="tresor-jwks-tls-")
        self.addCleanup(shutil.rmtree, directory, True)
        ca_pem, cert_file, key_file = tls_files(directory)
        jwks = JwksServer([self.rsa], tls=(cert_file, key_file))
        self.addCleanup(jwks.close)
        response = requests.post(f"{self.url}/v1/auth/jwt/config",
                                 json={"jwks_url": jwks.url, "bound_issuer": ISSUER},
                                 headers={"X-Vault-Token": ROOT}, timeout=30)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"],
                         [f"fetching jwks_url: {jwks.url.split('/.well-known')[0]}: "
                          "certificate not trusted: unable to get local issuer certificate"])
        self.assertEqual(jwks.fetches, 0)
        self.jwt.configure(jwks_url=jwks.url, jwks_ca_pem=ca_pem, bound_issuer=ISSUER)
        self.assertEqual((jwks.fetches, self.jwt.read_config()["data"]["jwks_ca_pem"]),
                         (1, ca_pem))
        self.login(self.rsa.sign(claims()))

    def test_settings_tresor_does_not_implement_are_refused(self):
        def status_and_errors(path, body):
            response = requests.post(f"{self.url}/v1/{path}", json=body,
                                     headers={"X-Vault-Token": ROOT}, timeout=30)
            return response.status_code, response.json().get("errors")

        one_of = ["exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' "
                  "must be set"]
        cases = [
            ("auth/jwt/config", {"jwt_validation_pubkeys": [self.rsa.pem()],
                                 "jwks_url": "http://127.0.0.1:1/"}, one_of),
            ("auth/jwt/config", {}, one_of),
            ("auth/jwt/config", {"oidc_discovery_url": "https://accounts.example"},
             ["oidc_discovery_url is not supported (tresor's JWT auth checks JWTs, with keys "
              "from jwt_validation_pubkeys or a jwks_url)"]),
            ("auth/jwt/config", {"jwt_validation_pubkeys": [self.rsa.pem()],
                                 "jwks_ca_pem": "x"}, ["jwks_ca_pem is for a jwks_url"]),
            ("auth/jwt/config", {"jwt_validation_pubkeys": ["not a key"]},
             ["jwt_validation_pubkeys[0]: not a PEM public key (no BEGIN PUBLIC KEY and END "
              "PUBLIC KEY lines)"]),
            ("auth/jwt/config", {"jwt_validation_pubkeys": [self.rsa.pem()],
                                 "jwt_supported_algs": ["HS256"]},
             ["jwt_supported_algs: \"HS256\" is not supported (RS256, ES256, EdDSA)"]),
            ("auth/jwt/role/open", {"user_claim": "sub"},
             ["must have at least one bound constraint when creating/updating a role "
              "(bound_audiences, bound_subject or bound_claims)"]),
            ("auth/jwt/role/web", {"role_type": "oidc", "user_claim": "sub"},
             ["role_type \"oidc\" is not supported: only \"jwt\" (OIDC logins through a "
              "browser are not)"]),
            ("auth/jwt/role/x", {"user_claim": "sub", "bound_subject": "s",
                                 "groups_claim": "groups"},
             ["groups_claim is not supported (tresor has no identity groups or aliases)"]),
            ("auth/jwt/role/x", {"user_claim": "sub", "bound_subject": "s",
                                 "token_period": "1h"}, ["token_period is not supported"]),
            ("auth/jwt/role/x", {"bound_subject": "s"},
             ["a user claim must be defined on the role"]),
        ]
        for path, body, errors in cases:
            with self.subTest(path=path, body=list(body)):
                self.assertEqual(status_and_errors(path, body), (400, errors))
        # The config that was there is still there.
        self.assertEqual(self.jwt.read_config()["data"]["jwt_validation_pubkeys"],
                         [self.rsa.pem()])

    def test_the_cli_logs_in_with_a_jwt(self):
        home = tempfile.mkdtemp(prefix="tresor-jwt-")
        self.addCleanup(shutil.rmtree, home, True)
        env = {"PATH": os.environ["PATH"], "HOME": home, "TRESOR_ADDR": self.url}

        def tresor(*args, stdin=""):
            return subprocess.run([TRESOR, *args], input=stdin, capture_output=True, text=True,
                                  env=env, timeout=60)

        out = tresor("login", "--method", "jwt", "--role", "deploy",
                     stdin=self.rsa.sign(claims()) + "\n")
        self.assertEqual((out.returncode, out.stderr),
                         (0, "tresor: logged in as role deploy (policies app-read,default); "
                             f"token saved in {home}/.tresor-token\n"))
        self.assertEqual(tresor("kv", "get", "--field", "password", "app/db").stdout, "pw-1\n")
        token_file = os.path.join(home, "ci-token")
        with open(token_file, "w") as f:
            f.write(self.rsa.sign(claims(exp=int(time.time()) - 1000)) + "\n")
        out = tresor("login", "--method", "jwt", "--role", "deploy", "--jwt-file", token_file)
        self.assertEqual((out.returncode, out.stderr),
                         (2, "tresor: error: auth/jwt/login: 400: error validating claims: the "
                             "token has expired\n"))
        out = tresor("login", "--method", "jwt", "--role", "deploy", stdin="")
        self.assertEqual((out.returncode, out.stderr), (2, "tresor: error: no JWT on stdin\n"))
