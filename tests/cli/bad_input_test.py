"""Hostile and broken input: exact errors, exit codes, nothing half-written."""
import os
import re
import unittest

from tresor_testlib import TempDirTest, run, tresor

EXIT_REFUSED, EXIT_USAGE, EXIT_IO, EXIT_NO_MATCH, EXIT_CORRUPT = 1, 2, 3, 4, 5
CHUNK = 64 * 1024


class BadInput(TempDirTest):
    def setUp(self):
        super().setUp()
        self.key, self.recipient = self.keygen("key.txt")
        self.plain = os.urandom(3 * CHUNK + 100)
        self.enc = tresor("encrypt", "-r", self.recipient, stdin=self.plain, check=True).stdout
        self.header_len = self.enc.index(b"\n---") + 1
        self.header_len = self.enc.index(b"\n", self.header_len) + 1

    def decrypt_fails(self, data, code, message, released=b""):
        """Decrypts `data` to stdout and to -o; checks the exact error, that
        stdout got only `released` (authenticated chunks), and that an existing
        -o target is unchanged and no temporary file is left behind."""
        src = self.write("in.age", data)
        proc = tresor("decrypt", "-i", self.key, src)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {src}: {message}\n")
        self.assertEqual(proc.returncode, code)
        self.assertEqual(proc.stdout, released)
        self.write("out.txt", b"previous contents", 0o640)
        proc = tresor("decrypt", "-i", self.key, "-o", self.path("out.txt"), src)
        self.assertEqual(proc.returncode, code)
        self.assertEqual(self.read("out.txt"), b"previous contents")
        self.assertEqual(os.stat(self.path("out.txt")).st_mode & 0o777, 0o640)
        os.unlink(self.path("out.txt"))
        proc = tresor("decrypt", "-i", self.key, "-o", self.path("new.txt"), src)
        self.assertEqual(proc.returncode, code)
        self.assertEqual(sorted(os.listdir(self.dir)), ["in.age", "key.txt"])

    def test_truncated_in_header(self):
        self.decrypt_fails(self.enc[:40], EXIT_CORRUPT,
                           "header: line 2: file ends inside the header")

    def test_truncated_before_nonce(self):
        self.decrypt_fails(self.enc[:self.header_len + 5], EXIT_CORRUPT,
                           "header: file ends before the payload nonce")

    def test_truncated_inside_first_chunk(self):
        self.decrypt_fails(self.enc[:self.header_len + 16 + 1000], EXIT_CORRUPT,
                           "payload: chunk 0: authentication failed (data truncated or modified)")

    def test_truncated_at_chunk_boundary_releases_only_authenticated_chunks(self):
        cut = self.header_len + 16 + 2 * (CHUNK + 16)
        self.decrypt_fails(self.enc[:cut], EXIT_CORRUPT,
                           "payload: chunk 2: file ends without a final chunk (truncated)",
                           released=self.plain[:2 * CHUNK])

    def test_flipped_bit_in_stanza_body_is_no_match(self):
        data = bytearray(self.enc)
        body_line = data.index(b"\n", data.index(b"-> X25519")) + 1
        # Another letter of the base64 alphabet: the body still parses, but
        # decodes to a different share. (Flipping a bit could leave the alphabet.)
        data[body_line + 3] = ord("A") if data[body_line + 3] != ord("A") else ord("B")
        self.decrypt_fails(bytes(data), EXIT_NO_MATCH,
                           "no match: no identity matched any of the file's 1 recipient "
                           "(wrong key or passphrase?)")

    def test_flipped_bit_in_header_mac(self):
        data = bytearray(self.enc)
        mac = data.index(b"--- ") + 6
        data[mac] = ord("A") if data[mac] != ord("A") else ord("B")
        self.decrypt_fails(bytes(data), EXIT_CORRUPT,
                           "header mac: header MAC does not verify (the header was modified)")

    def test_flipped_bit_in_payload_second_chunk(self):
        data = bytearray(self.enc)
        data[self.header_len + 16 + CHUNK + 16 + 10] ^= 0x80
        self.decrypt_fails(bytes(data), EXIT_CORRUPT,
                           "payload: chunk 1: authentication failed (data truncated or modified)",
                           released=self.plain[:CHUNK])

    def test_trailing_garbage_after_a_short_final_chunk(self):
        # The garbage becomes part of the final chunk, whose tag then fails.
        self.decrypt_fails(self.enc + b"x", EXIT_CORRUPT,
                           "payload: chunk 3: authentication failed (data truncated or modified)",
                           released=self.plain[:3 * CHUNK])

    def test_trailing_garbage_after_a_full_final_chunk(self):
        plain = os.urandom(CHUNK)
        enc = tresor("encrypt", "-r", self.recipient, stdin=plain, check=True).stdout
        self.decrypt_fails(enc + b"x", EXIT_CORRUPT,
                           "payload: chunk 0: trailing data after the final chunk",
                           released=plain)

    def test_non_canonical_base64_share(self):
        data = self.enc.decode("latin-1")
        line = re.search(r"-> X25519 (\S+)\n", data)
        share = line.group(1)
        # The last character carries 2 unused bits; setting one is non-canonical.
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        bad = share[:-1] + alphabet[alphabet.index(share[-1]) ^ 1]
        data = data.replace(share, bad).encode("latin-1")
        self.decrypt_fails(data, EXIT_CORRUPT,
                           "header: X25519 stanza: share is not 32 bytes of canonical base64")

    def test_not_an_age_file(self):
        self.decrypt_fails(b"hello world\n", EXIT_CORRUPT,
                           "header: line 1: not an age file (bad intro line)")

    def test_wrong_identity(self):
        other, _ = self.keygen("key.txt.other")
        os.replace(other, self.key)
        self.decrypt_fails(self.enc, EXIT_NO_MATCH,
                           "no match: no identity matched any of the file's 1 recipient "
                           "(wrong key or passphrase?)")


class BadArmor(TempDirTest):
    def setUp(self):
        super().setUp()
        self.key, recipient = self.keygen("key.txt")
        self.armored = tresor("encrypt", "-a", "-r", recipient, stdin=b"armored data",
                              check=True).stdout

    def check(self, data, message):
        src = self.write("in.age", data)
        proc = tresor("decrypt", "-i", self.key, src)
        self.assertEqual(proc.stderr.decode(), f"tresor: error: {src}: {message}\n")
        self.assertEqual(proc.returncode, EXIT_CORRUPT)
        self.assertEqual(proc.stdout, b"")

    def test_missing_end_line(self):
        lines = self.armored.count(b"\n")
        self.check(self.armored.replace(b"-----END AGE ENCRYPTED FILE-----\n", b""),
                   f"armor: line {lines}: missing end line")

    def test_invalid_character(self):
        lines = self.armored.split(b"\n")
        lines[1] = b"*" + lines[1][1:]
        self.check(b"\n".join(lines), "armor: line 2: invalid character")

    def test_garbage_after_end(self):
        lines = self.armored.count(b"\n")
        self.check(self.armored + b"junk\n", f"armor: line {lines}: data after the end line")


class Passphrases(TempDirTest):
    def test_wrong_passphrase(self):
        good = self.write("good", "right\n", 0o600)
        bad = self.write("bad", "wrong\n", 0o600)
        enc = self.write("p.age", tresor("encrypt", "-p", "--work-factor", "10",
                                         "--passphrase-file", good, stdin=b"x",
                                         check=True).stdout)
        proc = tresor("decrypt", "--passphrase-file", bad, enc)
        self.assertEqual(proc.returncode, EXIT_NO_MATCH)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {enc}: no match: no identity matched any of the "
                         "file's 1 recipient (wrong key or passphrase?)\n")
        self.assertEqual(proc.stdout, b"")

    def test_work_factor_above_cap_is_refused_before_any_work(self):
        pw = self.write("pw", "pw\n", 0o600)
        enc = tresor("encrypt", "-p", "--work-factor", "10", "--passphrase-file", pw,
                     stdin=b"x", check=True).stdout
        enc = self.write("p.age", re.sub(rb"(-> scrypt \S+) 10\n", rb"\1 23\n", enc))
        proc = tresor("decrypt", "--passphrase-file", pw, enc)
        self.assertEqual(proc.returncode, EXIT_CORRUPT)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {enc}: header: scrypt stanza: work factor 23 "
                         "exceeds the limit of 22\n")

    def test_group_readable_passphrase_file_is_refused(self):
        pw = self.write("pw", "pw\n", 0o640)
        proc = tresor("encrypt", "-p", "--passphrase-file", pw, stdin=b"x")
        self.assertEqual(proc.returncode, EXIT_REFUSED)
        self.assertEqual(proc.stderr.decode(),
                         f"tresor: error: {pw}: passphrase file is accessible by group or "
                         "others (mode 0640); chmod 600 it\n")
        self.assertEqual(proc.stdout, b"")

    def test_no_terminal_and_no_passphrase_file(self):
        proc = run(["setsid", "-w", os.environ.get("TRESOR_BIN", "tresor"), "encrypt", "-p"],
                   stdin=b"x")
        self.assertEqual(proc.returncode, EXIT_REFUSED)
        self.assertEqual(proc.stderr.decode(),
                         "tresor: error: a passphrase is needed but there is no terminal to "
                         "ask on; use --passphrase-file FILE\n")


if __name__ == "__main__":
    unittest.main()
