#!/usr/bin/env python3
"""Peak memory of the server under a burst of simultaneous sign-ins.

Starts `minga serve` on a scratch SQLite database, sends N wrong sign-ins at
once (random emails, each from its own X-Forwarded-For address so that only
the bound on password checks, not the per-address throttle, holds them back)
and prints the server's resident memory before and at its peak, with the
answers by status:

    cargo build -p minga --bin minga
    python3 bench/login_burst.py target/debug/minga            # 400 at once
    python3 bench/login_burst.py target/debug/minga --checks 8 --burst 400

Each password check needs 19 MiB; the figure to watch is how the peak grows
with --checks, not with --burst.
"""

import argparse
import collections
import http.client
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--burst", type=int, default=400)
    parser.add_argument("--checks", type=int, help="--password-checks (default: the server's, one per core)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="minga-login-burst-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINGA_")}
    env.update(MINGA_DATABASE_URL=f"sqlite://{work}/minga.db", MINGA_BIND=f"127.0.0.1:{port}",
               MINGA_PUBLIC_URL=f"http://127.0.0.1:{port}", MINGA_TRUST_FORWARDED_FOR="true", RUST_LOG="error")
    if args.checks:
        env["MINGA_PASSWORD_CHECKS"] = str(args.checks)
    server = subprocess.Popen([os.path.abspath(args.binary), "serve"], env=env, cwd=work, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)

        def rss_mib() -> int:
            with open(f"/proc/{server.pid}/status") as status:
                line = next(l for l in status if l.startswith("VmRSS"))
            return int(line.split()[1]) // 1024

        base = peak = rss_mib()
        done = threading.Event()

        def watch() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mib())
                time.sleep(0.01)

        statuses: collections.Counter = collections.Counter()
        lock = threading.Lock()
        start = threading.Barrier(args.burst)

        def sign_in(n: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            body = json.dumps({"email": f"nadie{n}@example.org", "password": "not the password"})
            headers = {"Content-Type": "application/json", "X-Forwarded-For": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"}
            start.wait()
            connection.request("POST", "/api/v1/auth/login", body, headers)
            status = connection.getresponse().status
            with lock:
                statuses[status] += 1

        threading.Thread(target=watch, daemon=True).start()
        threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(args.burst)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        done.set()
        print(f"{args.burst} sign-ins at once: RSS {base} MiB before, {peak} MiB at the peak; "
              f"answers {dict(sorted(statuses.items()))} in {elapsed:.1f} s")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
