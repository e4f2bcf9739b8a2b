"""Fuzzes Minga's HTTP API with schemathesis, from the server's own OpenAPI
document, once per kind of caller (anonymous, observer, delegate,
secretariat), with every check schemathesis has.

Started by `scripts/fuzz-api`, which provides the virtualenv and the binary:

    python fuzz_api.py --binary target/debug/minga --schemathesis .../schemathesis

It starts `minga serve` on a fresh SQLite database in a temporary directory,
makes the accounts and a small charter (a document, articles, a proposal, a
comment, a flag, a ballot) so the fuzzer reaches real objects rather than
only 404s, and runs schemathesis with the configuration in
`schemathesis.toml` beside this file. It exits non-zero if any run reports a
failure (a 5xx, an answer that breaks the document, an accepted invalid
request...), and prints the number of cases each role ran.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Signing out (of this session, or everywhere) ends the token the run uses.
SIGNING_OUT = ["/api/v1/auth/logout-all", "/api/v1/auth/logout"]
PASSWORD = "una contraseña larga de prueba"
CHARTER = """# Estatuto

## Disposiciones generales

### Naturaleza

El Foro es un espacio permanente de diálogo.

### Fines

Promover los derechos de las personas en movilidad humana.
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Api:
    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.token = token

    def call(self, method: str, path: str, body=None, content_type="application/json"):
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            raise SystemExit(f"set-up failed: {method} {path}: {error.code} {error.read().decode()}") from error
        return json.loads(text) if text else None


def accept(base: str, url: str, name: str) -> Api:
    token = url.rstrip("/").rsplit("/", 1)[-1]
    session = Api(base).call("POST", f"/api/v1/invitations/{token}/accept",
                             {"display_name": name, "password": PASSWORD})
    return Api(base, session["token"])


def wait_ready(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"minga exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"minga did not become ready:\n{log.read_text()}")


def seed(binary: str, env: dict, base: str, work: Path) -> tuple[dict, dict]:
    """The accounts of each role, and the ids of real objects to aim at."""
    invite = subprocess.run([binary, "invite", "--email", "sec@foro.ec", "--organization", "Secretaría técnica"],
                            env=env, cwd=work, capture_output=True, text=True, check=True)
    url = next(line for line in invite.stdout.splitlines() if line.startswith("http"))
    secretariat = accept(base, url, "Secretaría")

    member = secretariat.call("POST", "/api/v1/organizations",
                              {"name": "Fundación Uno", "short_name": "FU", "kind": "member"})
    watcher = secretariat.call("POST", "/api/v1/organizations",
                               {"name": "Defensoría", "short_name": "DP", "kind": "observer"})
    accounts = {"secretariat": secretariat}
    people = {}
    for role, org, email in [("delegate", member, "delegada@fu.ec"), ("observer", watcher, "obs@dp.ec")]:
        invitation = secretariat.call("POST", "/api/v1/invitations",
                                      {"email": email, "organization_id": org["id"], "role": role})
        accounts[role] = accept(base, invitation["url"], role.capitalize())
        people[role] = accounts[role].call("GET", "/api/v1/me")["id"]

    delegate = accounts["delegate"]
    document = secretariat.call("POST", "/api/v1/documents", {"title": "Estatuto del Foro"})
    imported = secretariat.call("POST", f"/api/v1/documents/{document['id']}/import", CHARTER, "text/markdown")
    sections = imported.get("sections") or secretariat.call("GET", f"/api/v1/documents/{document['id']}")["sections"]
    article = next(section for section in sections if section["kind"] == "article")
    proposal = delegate.call("POST", f"/api/v1/documents/{document['id']}/proposals",
                             {"kind": "amend", "section_id": article["id"], "title": "Naturaleza",
                              "body": "El Foro es un espacio permanente y plural de diálogo."})
    comment = delegate.call("POST", f"/api/v1/proposals/{proposal['id']}/comments", {"body": "¿Plural en qué sentido?"})
    secretariat.call("POST", f"/api/v1/comments/{comment['id']}/flag", {"reason": "Revisar el tono"})
    flags = secretariat.call("GET", "/api/v1/moderation/flags")
    ballot = secretariat.call("POST", f"/api/v1/proposals/{proposal['id']}/ballot",
                              {"majority": "simple", "quorum": 0.5})
    session = secretariat.call("POST", "/api/v1/sessions",
                               {"title": "Asamblea constitutiva", "starts_at": "2026-12-12T15:00:00Z",
                                "place": "Puembo", "modality": "hybrid", "agenda": [{"title": "Apertura"}]})
    secretariat.call("PATCH", f"/api/v1/sessions/{session['id']}", {"status": "open"})
    ids = {
        "session": session["id"],
        "document": document["id"], "section": article["id"], "proposal": proposal["id"],
        "comment": comment["id"], "ballot": ballot["id"], "organization": member["id"],
        "user": people["observer"], "flag": flags[0]["id"] if flags else comment["id"],
    }
    tokens = {role: api.token for role, api in accounts.items()}
    return tokens, ids


def write_configs(ids: dict, work: Path) -> dict[str, Path]:
    """schemathesis.toml per pass: `positive` with the seeded ids filled in
    (`${MINGA_FUZZ_*}`), `negative` without them."""
    text = (HERE / "schemathesis.toml").read_text()
    for name, value in ids.items():
        text = text.replace("${MINGA_FUZZ_" + name.upper() + "}", value)
    left = re.findall(r"\$\{MINGA_FUZZ_[A-Z_]+\}", text)
    if left:
        raise SystemExit(f"schemathesis.toml names ids the seed does not make: {left}")
    configs = {"positive": work / "positive.toml", "negative": work / "negative.toml"}
    configs["positive"].write_text(text)
    # Without the ids, some [[operations]] entries are left with filters only,
    # which schemathesis refuses: those are dropped.
    head, *operations = text.split("\n[[operations]]\n")
    kept = []
    for block in operations:
        block = re.sub(r"(?m)^parameters = .*\n?", "", block)
        if any(line and not line.startswith(("#", "include-")) for line in block.splitlines()):
            kept.append(block)
    configs["negative"].write_text(head + "".join("\n[[operations]]\n" + block for block in kept))
    return configs


def still_signed_in(base: str, token: str) -> bool:
    request = urllib.request.Request(base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def run_role(schemathesis: str, config: Path, base: str, role: str, token: str | None, args,
             only: list[str] | None = None) -> tuple[int, int]:
    mode = config.stem
    command = [schemathesis, "--config-file", str(config), "run", f"{base}/api/v1/openapi.json",
               "--checks", "all", "--mode", mode, "--max-examples", str(args.max_examples), "--seed", str(args.seed),
               "--workers", "1", "--no-color"]
    if mode == "negative":
        # The stateful phase follows links schemathesis infers from responses;
        # a nullable id in one (a version's proposal_id, null for an import)
        # becomes the path segment "None", which it then reports as a
        # schema-valid request our 422 rejected. The negative pass proves
        # what invalid input gets; chains of valid calls are the positive
        # pass's job.
        command += ["--phases", "examples,coverage,fuzzing"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    # Signing out revokes the token the rest of the run uses: it
    # gets a run of its own, last.
    for path in SIGNING_OUT:
        command += ["--include-path", path] if only else ["--exclude-path", path]
    label = f"{role}, {mode}{', ' + ', '.join(only) if only else ''}"
    print(f"\n==> schemathesis as {label}", flush=True)
    started = time.monotonic()
    completed = subprocess.run(command, capture_output=True, text=True, timeout=args.role_timeout)
    output = completed.stdout + completed.stderr
    (config.parent / f"schemathesis-{role}-{mode}{'-sign-out' if only else ''}.txt").write_text(output)
    shown = output if completed.returncode != 0 else output[output.find("SUMMARY") - 40:]
    # Generated bodies can be megabytes long: long lines are cut.
    print("\n".join(line[:400] for line in shown.splitlines()), flush=True)
    generated = re.search(r"(\d+) generated", output)
    cases = int(generated.group(1)) if generated else 0
    if token and not only and not still_signed_in(base, token):
        print(f"==> {label}: the session stopped working during the run; its results prove little")
        return 1, cases
    print(f"==> {label}: {cases} cases, exit {completed.returncode}, {time.monotonic() - started:.0f} s", flush=True)
    return completed.returncode, cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--schemathesis", required=True)
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("MINGA_FUZZ_EXAMPLES", "25")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("MINGA_FUZZ_SEED", "20261129")))
    parser.add_argument("--role-timeout", type=int, default=900)
    parser.add_argument("--roles", default="anonymous,observer,delegate,secretariat")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="minga-fuzz-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINGA_")}
    env.update({
        "MINGA_DATABASE_URL": f"sqlite://{work}/minga.db",
        "MINGA_BIND": f"127.0.0.1:{port}",
        "MINGA_PUBLIC_URL": base,
        "MINGA_WRITES_PER_MINUTE": "1000000",
        "RUST_LOG": "warn",
    })
    log = work / "server.log"
    with log.open("w") as sink:
        server = subprocess.Popen([args.binary, "serve"], env=env, cwd=work, stdout=sink, stderr=subprocess.STDOUT)
    failed, total = [], 0
    try:
        wait_ready(base, server, log)
        tokens, ids = seed(args.binary, env, base, work)
        configs = write_configs(ids, work)
        for role in args.roles.split(","):
            for mode in ("negative", "positive"):
                status, cases = run_role(args.schemathesis, configs[mode], base, role, tokens.get(role), args)
                total += cases
                if status != 0 or cases == 0:
                    failed.append(f"{role} ({mode})")
            if server.poll() is not None:
                failed.append("server exited")
                break
        if "secretariat" in tokens and server.poll() is None:
            status, cases = run_role(args.schemathesis, configs["positive"], base, "secretariat",
                                     tokens["secretariat"], args, only=SIGNING_OUT)
            total += cases
            if status != 0 or cases == 0:
                failed.append("secretariat (signing out)")
        panics = [line for line in log.read_text(errors="replace").splitlines() if "panicked" in line]
        if panics:
            print("\n".join(panics[:20]))
            failed.append("server panicked")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"\n==> API fuzzing: {total} cases over {len(args.roles.split(','))} roles; "
          f"{'FAILED: ' + ', '.join(failed) if failed else 'no failures'}")
    if not failed:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"==> server log and config kept in {work}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
