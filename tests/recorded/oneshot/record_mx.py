"""Records `exim -bt` for a domain routed by MX records, which needs DNS.

Run as root from the repository root, with dnslib importable:
    unshare --net --mount sh -c 'ip link set lo up && python3 tests/recorded/oneshot/record_mx.py'
It answers DNS on 127.0.0.1:53 inside that private namespace (resolv.conf bind-mounted)
and writes bt-mx.root.txt in the format of record.sh.
"""

import subprocess
import tempfile
import threading
from pathlib import Path

from dnslib import MX, QTYPE, RR, A
from dnslib.server import BaseResolver, DNSServer

ZONE = {
    ("mx.test.", "MX"): [MX("mx1.mx.test.", 10), MX("mx2.mx.test.", 20)],
    ("mx1.mx.test.", "A"): [A("192.0.2.10")],
    ("mx2.mx.test.", "A"): [A("192.0.2.20")],
}


class Zone(BaseResolver):
    def resolve(self, request, handler):
        reply = request.reply()
        name, qtype = str(request.q.qname), QTYPE[request.q.qtype]
        for rdata in ZONE.get((name, qtype), []):
            reply.add_answer(RR(name, getattr(QTYPE, qtype), rdata=rdata, ttl=60))
        return reply


def main() -> None:
    out = Path("tests/recorded/oneshot/bt-mx.root.txt")
    conf = Path("tests/configs/routing.conf").resolve()
    with tempfile.TemporaryDirectory() as tmp:
        resolv = Path(tmp) / "resolv.conf"
        resolv.write_text("nameserver 127.0.0.1\n")
        subprocess.run(["mount", "--bind", str(resolv), "/etc/resolv.conf"], check=True)
        server = DNSServer(Zone(), address="127.0.0.1", port=53)
        server.start_thread()
        try:
            args = ["-bt", "someone@mx.test"]
            run = subprocess.run(["/usr/sbin/exim4", "-C", str(conf), *args], capture_output=True, text=True)
        finally:
            server.stop()
    out.write_text(
        f"$ exim -C routing.conf {' '.join(args)}\nexit {run.returncode}\n--- stdout\n{run.stdout}"
        f"--- stderr\n{run.stderr}"
    )


if __name__ == "__main__":
    threading.excepthook = lambda args: None  # the server thread's shutdown noise
    main()
