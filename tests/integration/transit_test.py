"""The transit secrets engine with hvac's own methods and raw HTTP: keys of
both AEAD types, round trips, rotation with old ciphertexts opening down to
min_decryption_version, rewrap, deletion only when allowed, batches with
per-item errors, derived keys and their context, data keys, HMACs, and a
policy that lets a service encrypt and decrypt without seeing or creating
keys. Errors are Vault's messages."""
import base64
import hashlib
import os
import subprocess
import unittest

import hvac
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from server_test import ROOT, TRESOR, ServerTestCase


def b64(text):
    return base64.b64encode(text.encode()).decode()


def unb64(text):
    return base64.b64decode(text).decode()


class TransitTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        client = hvac.Client(url=cls.url, token=ROOT)
        client.sys.enable_secrets_engine("transit")
        client.adapter.close()

    def setUp(self):
        self.client = hvac.Client(url=self.url, token=ROOT)
        self.addCleanup(self.client.adapter.close)
        self.transit = self.client.secrets.transit

    def post(self, path, body, token=ROOT):
        return requests.post(f"{self.url}/v1/{path}", json=body,
                             headers={"X-Vault-Token": token}, timeout=30)

    def error_of(self, path, body, token=ROOT):
        got = self.post(path, body, token)
        return got.status_code, got.json()["errors"]

    def test_both_key_types_round_trip_and_describe_themselves(self):
        for name, key_type in (("gcm", "aes256-gcm96"), ("chacha", "chacha20-poly1305")):
            self.transit.create_key(name, key_type=key_type)
            key = self.transit.read_key(name)["data"]
            self.assertEqual((key["name"], key["type"], key["latest_version"],
                              key["min_decryption_version"], key["deletion_allowed"],
                              list(key["keys"])), (name, key_type, 1, 1, False, ["1"]))
            made = self.transit.encrypt_data(name, plaintext=b64("the launch codes"))["data"]
            self.assertRegex(made["ciphertext"], r"^vault:v1:[A-Za-z0-9+/]+=*$")
            self.assertEqual(made["key_version"], 1)
            # nonce 12 + "the launch codes" 16 + tag 16
            self.assertEqual(len(base64.b64decode(made["ciphertext"][9:])), 44)
            opened = self.transit.decrypt_data(name, ciphertext=made["ciphertext"])["data"]
            self.assertEqual(unb64(opened["plaintext"]), "the launch codes")
            # The other key does not open it.
            other = "chacha" if name == "gcm" else "gcm"
            if name == "chacha":
                self.assertEqual(self.error_of(f"transit/decrypt/{other}",
                                               {"ciphertext": made["ciphertext"]}),
                                 (400, ["cipher: message authentication failed"]))
        keys = self.transit.list_keys()["data"]["keys"]
        self.assertEqual([k for k in keys if k in ("chacha", "gcm")], ["chacha", "gcm"])
        self.assertEqual(self.error_of("transit/keys/signer", {"type": "ecdsa-p384"}),
                         (400, ['key type "ecdsa-p384" is not supported by tresor '
                                '(aes256-gcm96, chacha20-poly1305, ed25519 and ecdsa-p256 are)']))
        self.assertEqual(self.error_of("transit/keys/odd", {"type": "rot13"}),
                         (400, ['unknown key type "rot13"']))

    def test_rotation_keeps_old_ciphertexts_down_to_min_decryption_version(self):
        self.transit.create_key("rot")
        v1 = self.transit.encrypt_data("rot", plaintext=b64("one"))["data"]["ciphertext"]
        rotated = self.transit.rotate_key("rot")
        self.assertEqual(rotated["data"]["latest_version"], 2)
        v2 = self.transit.encrypt_data("rot", plaintext=b64("two"))["data"]["ciphertext"]
        self.assertTrue(v2.startswith("vault:v2:"))
        self.assertEqual(unb64(self.transit.decrypt_data("rot", v1)["data"]["plaintext"]), "one")
        # Encrypting with an older version, when asked, and rewrapping.
        old = self.transit.encrypt_data("rot", plaintext=b64("x"), key_version=1)["data"]
        self.assertEqual(old["key_version"], 1)
        rewrapped = self.transit.rewrap_data("rot", ciphertext=v1)["data"]
        self.assertTrue(rewrapped["ciphertext"].startswith("vault:v2:"))
        self.transit.rotate_key("rot")
        self.transit.update_key_configuration("rot", min_decryption_version=2)
        self.assertEqual(self.error_of("transit/decrypt/rot", {"ciphertext": v1}),
                         (400, ["invalid ciphertext: version is disallowed by policy (too old)"]))
        self.assertEqual(unb64(self.transit.decrypt_data("rot", v2)["data"]["plaintext"]), "two")
        self.assertEqual(
            unb64(self.transit.decrypt_data("rot", rewrapped["ciphertext"])["data"]["plaintext"]),
            "one")
        self.assertEqual(self.error_of("transit/keys/rot/config", {"min_decryption_version": 4}),
                         (400, ["cannot set min decryption version to a value greater than "
                                "latest version"]))
        self.transit.update_key_configuration("rot", min_encryption_version=3)
        self.assertEqual(
            self.error_of("transit/encrypt/rot", {"plaintext": b64("x"), "key_version": 2}),
            (400, ["requested version for encryption is less than the minimum encryption key "
                   "version"]))
        key = self.transit.read_key("rot")["data"]
        self.assertEqual((key["latest_version"], key["min_decryption_version"],
                          key["min_encryption_version"], sorted(key["keys"])),
                         (3, 2, 3, ["1", "2", "3"]))
        self.assertEqual(self.error_of("transit/decrypt/rot", {"ciphertext": "vault:v9:AAAA"}),
                         (400, ["invalid ciphertext: version is too new"]))
        self.assertEqual(self.error_of("transit/decrypt/rot", {"ciphertext": "v1:AAAA"}),
                         (400, ["invalid ciphertext: no prefix"]))
        self.assertEqual(self.error_of("transit/decrypt/rot", {"ciphertext": "vault:vx:AAAA"}),
                         (400, ["invalid ciphertext: could not parse version"]))
        self.assertEqual(self.error_of("transit/decrypt/rot", {"ciphertext": "vault:v3:!!"}),
                         (400, ["invalid ciphertext: could not decode base64"]))
        self.assertEqual(self.error_of("transit/decrypt/nokey", {"ciphertext": v2}),
                         (400, ["encryption key not found"]))

    def test_a_key_is_deleted_only_when_allowed(self):
        self.transit.create_key("doomed")
        again = self.post("transit/keys/doomed", {"type": "chacha20-poly1305"})
        self.assertEqual((again.status_code, again.json()["data"]["type"]),
                         (200, "aes256-gcm96"))  # creating again changes nothing
        got = requests.delete(f"{self.url}/v1/transit/keys/doomed",
                              headers={"X-Vault-Token": ROOT}, timeout=30)
        self.assertEqual((got.status_code, got.json()["errors"]),
                         (400, ["deletion is not allowed for this key"]))
        self.transit.update_key_configuration("doomed", deletion_allowed=True)
        self.transit.delete_key("doomed")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.transit.read_key("doomed")

    def test_batches_answer_every_item(self):
        self.transit.create_key("batch")
        made = self.transit.encrypt_data("batch", plaintext=None, batch_input=[
            {"plaintext": b64("a"), "reference": "first"},
            {"plaintext": "not base64!", "reference": "second"},
            {"plaintext": b64("c")}])["data"]["batch_results"]
        self.assertEqual(made[0]["reference"], "first")
        self.assertEqual(made[1], {"error": "failed to base64-decode plaintext",
                                   "reference": "second"})
        opened = self.transit.decrypt_data("batch", ciphertext=None, batch_input=[
            {"ciphertext": made[0]["ciphertext"]}, {"ciphertext": made[2]["ciphertext"]}])
        self.assertEqual([unb64(r["plaintext"]) for r in opened["data"]["batch_results"]],
                         ["a", "c"])
        failed = self.post("transit/decrypt/batch", {"batch_input": [{"ciphertext": "nope"}]})
        self.assertEqual(failed.status_code, 400)  # every item failed
        self.assertEqual(failed.json()["data"]["batch_results"],
                         [{"error": "invalid ciphertext: no prefix"}])

    def test_a_derived_key_needs_its_context(self):
        self.transit.create_key("tenants", derived=True)
        one = self.transit.encrypt_data("tenants", plaintext=b64("t1 data"),
                                        context=b64("tenant-1"))["data"]["ciphertext"]
        self.assertEqual(unb64(self.transit.decrypt_data(
            "tenants", one, context=b64("tenant-1"))["data"]["plaintext"]), "t1 data")
        self.assertEqual(self.error_of("transit/decrypt/tenants",
                                       {"ciphertext": one, "context": b64("tenant-2")}),
                         (400, ["cipher: message authentication failed"]))
        status, errors = self.error_of("transit/encrypt/tenants", {"plaintext": b64("x")})
        self.assertEqual(status, 400)
        self.assertTrue(errors[0].startswith("missing 'context' for key derivation"), errors)

    def test_data_keys_hmac_and_verify(self):
        self.transit.create_key("dk")
        plain = self.transit.generate_data_key("dk", key_type="plaintext", bits=256)["data"]
        self.assertEqual(len(base64.b64decode(plain["plaintext"])), 32)
        opened = self.transit.decrypt_data("dk", plain["ciphertext"])["data"]["plaintext"]
        self.assertEqual(opened, plain["plaintext"])
        wrapped = self.transit.generate_data_key("dk", key_type="wrapped", bits=512)["data"]
        self.assertNotIn("plaintext", wrapped)
        self.assertEqual(len(base64.b64decode(
            self.transit.decrypt_data("dk", wrapped["ciphertext"])["data"]["plaintext"])), 64)
        for algorithm, size in (("sha2-256", 32), ("sha2-512", 64)):
            mac = self.transit.generate_hmac("dk", hash_input=b64("message"),
                                             algorithm=algorithm)["data"]["hmac"]
            self.assertTrue(mac.startswith("vault:v1:"))
            self.assertEqual(len(base64.b64decode(mac[9:])), size)
            ok = self.transit.verify_signed_data("dk", hash_input=b64("message"), hmac=mac,
                                                 hash_algorithm=algorithm)
            self.assertIs(ok["data"]["valid"], True)
            bad = self.transit.verify_signed_data("dk", hash_input=b64("massage"), hmac=mac,
                                                  hash_algorithm=algorithm)
            self.assertIs(bad["data"]["valid"], False)
        random = self.post("transit/random/16", {}).json()["data"]["random_bytes"]
        self.assertEqual(len(base64.b64decode(random)), 16)

    def test_ed25519_keys_sign_and_verify_across_rotations(self):
        self.transit.create_key("signer", key_type="ed25519")
        key = self.transit.read_key("signer")["data"]
        self.assertEqual((key["type"], key["supports_signing"], key["supports_encryption"]),
                         ("ed25519", True, False))
        message = b64("release 1.2.3")
        v1 = self.transit.sign_data("signer", hash_input=message)["data"]
        self.assertRegex(v1["signature"], r"^vault:v1:[A-Za-z0-9+/]+=*$")
        self.assertEqual(v1["key_version"], 1)
        # The public key the server shows checks the signature outside it.
        public = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(key["keys"]["1"]["public_key"]))
        public.verify(base64.b64decode(v1["signature"][9:]), b"release 1.2.3")
        self.transit.rotate_key("signer")
        v2 = self.transit.sign_data("signer", hash_input=message)["data"]
        self.assertEqual(v2["key_version"], 2)
        for signature in (v1["signature"], v2["signature"]):
            self.assertIs(self.transit.verify_signed_data(
                "signer", hash_input=message, signature=signature)["data"]["valid"], True)
        self.assertIs(self.transit.verify_signed_data(
            "signer", hash_input=b64("release 6.6.6"),
            signature=v2["signature"])["data"]["valid"], False)
        self.transit.update_key_configuration("signer", min_decryption_version=2)
        self.assertEqual(self.error_of("transit/verify/signer",
                                       {"input": message, "signature": v1["signature"]}),
                         (400, ["invalid signature: version is disallowed by policy (too old)"]))
        self.assertEqual(self.error_of("transit/encrypt/signer", {"plaintext": message}),
                         (400, ["key type ed25519 does not support encryption"]))
        self.assertEqual(self.error_of("transit/sign/gcm-only", {"input": message}),
                         (400, ["encryption key not found"]))
        self.transit.create_key("gcm-only")
        self.assertEqual(self.error_of("transit/sign/gcm-only", {"input": message}),
                         (400, ["key type aes256-gcm96 does not support signing"]))
        self.assertEqual(self.error_of("transit/keys/derived-signer",
                                       {"type": "ed25519", "derived": True}),
                         (400, ["key derivation is not supported for ed25519 keys by tresor"]))

    def test_trim_deletes_the_versions_below_min_available(self):
        self.transit.create_key("trimmed")
        sealed = {}
        for version in (1, 2, 3, 4):
            if version > 1:
                self.transit.rotate_key("trimmed")
            sealed[version] = self.transit.encrypt_data("trimmed", plaintext=b64("v"))[
                "data"]["ciphertext"]
        self.assertEqual(self.error_of("transit/keys/trimmed/trim", {"min_available_version": 3}),
                         (400, ["minimum available version should not be greater than the "
                                "minimum decryption version"]))
        self.transit.update_key_configuration("trimmed", min_decryption_version=3)
        key = self.transit.trim_key("trimmed", min_version=3)["data"]
        self.assertEqual((sorted(key["keys"]), key["min_available_version"]), (["3", "4"], 3))
        self.assertEqual(self.transit.read_key("trimmed")["data"]["min_available_version"], 3)
        self.assertEqual(unb64(self.transit.decrypt_data(
            "trimmed", ciphertext=sealed[3])["data"]["plaintext"]), "v")
        self.assertEqual(self.error_of("transit/decrypt/trimmed", {"ciphertext": sealed[1]}),
                         (400, ["invalid ciphertext: version is disallowed by policy (too old)"]))
        for body, message in [
                ({"min_available_version": 2}, "minimum available version cannot be decremented"),
                ({}, "missing min_available_version"),
                ({"min_available_version": 0}, "minimum available version should be positive")]:
            self.assertEqual(self.error_of("transit/keys/trimmed/trim", body), (400, [message]))
        self.assertEqual(self.error_of("transit/keys/trimmed/config",
                                       {"min_decryption_version": 2}),
                         (400, ["cannot set min decryption version below the min available "
                                "version"]))
        self.assertEqual(self.error_of("transit/keys/absent/trim", {"min_available_version": 1}),
                         (400, ["invalid key"]))

    def test_ecdsa_p256_keys_sign_digests_that_openssl_checks(self):
        self.transit.create_key("p256", key_type="ecdsa-p256")
        key = self.transit.read_key("p256")["data"]
        self.assertEqual((key["type"], key["supports_signing"], key["supports_encryption"],
                          key["keys"]["1"]["name"]), ("ecdsa-p256", True, False, "P-256"))
        public = serialization.load_pem_public_key(key["keys"]["1"]["public_key"].encode())
        self.assertEqual(public.curve.name, "secp256r1")
        message = b64("release 1.2.3")
        # The default hash is SHA-256; /sha2-512 in the path or hash_algorithm
        # picks SHA-512; prehashed signs the input as the digest.
        for path, body, hashed in [
                ("transit/sign/p256", {"input": message}, hashes.SHA256()),
                ("transit/sign/p256/sha2-512", {"input": message}, hashes.SHA512()),
                ("transit/sign/p256", {"input": message, "hash_algorithm": "sha2-512"},
                 hashes.SHA512())]:
            signature = self.post(path, body).json()["data"]["signature"]
            self.assertTrue(signature.startswith("vault:v1:"), signature)
            public.verify(base64.b64decode(signature[9:]), b"release 1.2.3", ec.ECDSA(hashed))
            verify_path = path.replace("/sign/", "/verify/")
            self.assertIs(self.post(verify_path, {**body, "signature": signature}).json()
                          ["data"]["valid"], True)
        digest = hashlib.sha256(b"prehashed").digest()
        signed = self.post("transit/sign/p256",
                           {"input": base64.b64encode(digest).decode(), "prehashed": True})
        signature = signed.json()["data"]["signature"]
        public.verify(base64.b64decode(signature[9:]), digest,
                      ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        # Rotation: the old version's signatures still check.
        v1 = self.transit.sign_data("p256", hash_input=message)["data"]["signature"]
        self.transit.rotate_key("p256")
        v2 = self.transit.sign_data("p256", hash_input=message)["data"]
        self.assertEqual(v2["key_version"], 2)
        for signature in (v1, v2["signature"]):
            self.assertIs(self.transit.verify_signed_data(
                "p256", hash_input=message, signature=signature)["data"]["valid"], True)
        self.assertIs(self.transit.verify_signed_data(
            "p256", hash_input=b64("release 6.6.6"), signature=v1)["data"]["valid"], False)
        self.assertEqual(self.error_of("transit/sign/p256", {"input": message,
                                                             "marshaling_algorithm": "jws"}),
                         (400, ['marshaling_algorithm "jws" is not supported by tresor '
                                '(asn1 is)']))
        self.assertEqual(self.error_of("transit/sign/p256/sha3-256", {"input": message}),
                         (400, ['unsupported hash algorithm "sha3-256" (sha2-256 and sha2-512 '
                                'are)']))
        self.assertEqual(self.error_of("transit/encrypt/p256", {"plaintext": message}),
                         (400, ["key type ecdsa-p256 does not support encryption"]))
        self.assertEqual(self.error_of("transit/keys/derived-p256",
                                       {"type": "ecdsa-p256", "derived": True}),
                         (400, ["key derivation is not supported for ecdsa-p256 keys by tresor"]))

    def test_a_service_token_encrypts_and_decrypts_but_cannot_read_or_create_keys(self):
        self.transit.create_key("svc")
        self.client.sys.create_or_update_policy("transit-svc", """
path "transit/encrypt/svc" { capabilities = ["update"] }
path "transit/decrypt/svc" { capabilities = ["update"] }
path "transit/encrypt/other" { capabilities = ["update"] }
""")
        token = self.client.auth.token.create(policies=["transit-svc"])["auth"]["client_token"]
        service = hvac.Client(url=self.url, token=token)
        self.addCleanup(service.adapter.close)
        made = service.secrets.transit.encrypt_data("svc", plaintext=b64("hi"))["data"]
        self.assertEqual(unb64(service.secrets.transit.decrypt_data(
            "svc", made["ciphertext"])["data"]["plaintext"]), "hi")
        with self.assertRaises(hvac.exceptions.Forbidden):
            service.secrets.transit.read_key("svc")
        with self.assertRaises(hvac.exceptions.Forbidden):
            service.secrets.transit.rotate_key("svc")
        # An absent key would be created by encrypt: that needs create.
        self.assertEqual(self.error_of("transit/encrypt/other", {"plaintext": b64("x")}, token),
                         (403, ["permission denied"]))
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.transit.read_key("other")
        # Root may: encrypt creates the key (Vault's upsert).
        self.transit.encrypt_data("other", plaintext=b64("x"))
        self.assertEqual(self.transit.read_key("other")["data"]["type"], "aes256-gcm96")

    def test_the_mount_is_listed_and_goes_with_its_keys(self):
        self.client.sys.enable_secrets_engine("transit", path="t2")
        mounts = self.client.sys.list_mounted_secrets_engines()["data"]
        self.assertEqual((mounts["t2/"]["type"], mounts["t2/"]["options"]), ("transit", None))
        self.post("t2/keys/k", {})
        self.client.sys.disable_secrets_engine("t2")
        self.client.sys.enable_secrets_engine("transit", path="t2")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            self.client.secrets.transit.read_key("k", mount_point="t2")


    def tresor(self, *args, stdin=b""):
        env = dict(os.environ, TRESOR_ADDR=self.url, TRESOR_TOKEN=ROOT)
        return subprocess.run([TRESOR, "transit", *args], input=stdin, capture_output=True,
                              env=env, timeout=60)

    def test_the_cli_encrypts_from_stdin_and_decrypts_to_stdout(self):
        made = self.tresor("create", "cli", "--type", "chacha20-poly1305")
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assertIn(b"type=chacha20-poly1305\n", made.stdout)
        secret = b"line one\n\x00binary\xff"
        encrypted = self.tresor("encrypt", "cli", stdin=secret)
        self.assertEqual(encrypted.returncode, 0, encrypted.stderr)
        ciphertext = encrypted.stdout.decode()
        self.assertRegex(ciphertext, r"^vault:v1:[A-Za-z0-9+/=]+\n$")
        self.assertEqual(self.tresor("decrypt", "cli", stdin=encrypted.stdout).stdout, secret)
        self.assertEqual(self.tresor("decrypt", "cli", ciphertext.strip()).stdout, secret)
        rotated = self.tresor("rotate", "cli")
        self.assertEqual(rotated.stdout, b"transit key cli: now at version 2\n")
        self.assertIn(b"cli\n", self.tresor("list").stdout)
        bad = self.tresor("decrypt", "cli", "vault:v1:AAAA")
        self.assertEqual((bad.returncode, bad.stderr),
                         (2, b"tresor: error: transit/decrypt/cli: 400: "
                             b"cipher: message authentication failed\n"))
        refused = self.tresor("delete", "cli")  # stdin is not a terminal
        self.assertEqual((refused.returncode, refused.stderr),
                         (2, b"tresor: error: transit delete cli: confirm with --yes "
                             b"(stdin is not a terminal)\n"))
        self.assertEqual(self.tresor("delete", "cli", "--yes").stdout,
                         b"transit key cli: deleted\n")
        gone = self.tresor("decrypt", "cli", ciphertext.strip())
        self.assertEqual(gone.stderr, b"tresor: error: transit/decrypt/cli: 400: "
                                      b"encryption key not found\n")

    def test_the_cli_signs_stdin_and_verifies_it(self):
        self.assertEqual(self.tresor("create", "cli-signer", "--type", "ed25519").returncode, 0)
        artifact = b"\x7fELF pretend binary\x00\xff"
        signed = self.tresor("sign", "cli-signer", stdin=artifact)
        self.assertEqual(signed.returncode, 0, signed.stderr)
        signature = signed.stdout.decode().strip()
        self.assertRegex(signature, r"^vault:v1:[A-Za-z0-9+/]+=*$")
        ok = self.tresor("verify", "cli-signer", signature, stdin=artifact)
        self.assertEqual((ok.returncode, ok.stdout, ok.stderr), (0, b"valid\n", b""))
        bad = self.tresor("verify", "cli-signer", signature, stdin=artifact + b"!")
        self.assertEqual((bad.returncode, bad.stdout, bad.stderr),
                         (5, b"", b"tresor: error: the signature does not verify: the input or "
                                  b"the signature was changed, or another key made it\n"))


if __name__ == "__main__":
    unittest.main()
