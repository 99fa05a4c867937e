"""A time-stamping authority on the loopback address for tests: OpenSSL's `ts -reply` behind a
small http.server, with a certificate authority and a TSA certificate made for the test."""

import datetime
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
CONFIG = """\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(subject, issuer, key, signer, *, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        usage = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
        builder = builder.add_extension(usage, critical=True)
    return builder.sign(signer, hashes.SHA256())


def _pem(item) -> bytes:
    if isinstance(item, x509.Certificate):
        return item.public_bytes(serialization.Encoding.PEM)
    return item.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class LocalAuthority:
    """Start with `start()`; `url` and `ca_file` are what TIMESTAMP_URL and TIMESTAMP_CA_FILE
    take. `requests` counts the tokens it signed."""

    def __init__(self, folder: Path):
        self.folder = folder
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca = _certificate("Test Root CA", "Test Root CA", ca_key, ca_key, ca=True)
        tsa = _certificate("Test TSA", "Test Root CA", tsa_key, ca_key, ca=False)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ca.pem").write_bytes(_pem(ca))
        (folder / "tsa.pem").write_bytes(_pem(tsa))
        (folder / "tsa.key").write_bytes(_pem(tsa_key))
        (folder / "serial").write_text("01\n")
        (folder / "ts.cnf").write_text(CONFIG.format(dir=folder))
        self.ca_file = folder / "ca.pem"
        self.requests = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"

    def _handler(self):
        authority = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                query = self.rfile.read(int(self.headers["Content-Length"]))
                reply = authority.sign(query)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        return Handler

    def sign(self, query: bytes) -> bytes:
        with self._lock:
            self.requests += 1
            (self.folder / "query.tsq").write_bytes(query)
            subprocess.run(  # noqa: S603 (fixed arguments)
                [
                    OPENSSL, "ts", "-reply", "-config", str(self.folder / "ts.cnf"),
                    "-queryfile", str(self.folder / "query.tsq"),
                    "-out", str(self.folder / "reply.tsr"),
                ],
                check=True,
                capture_output=True,
            )  # fmt: skip
            return (self.folder / "reply.tsr").read_bytes()

    def start(self) -> "LocalAuthority":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
