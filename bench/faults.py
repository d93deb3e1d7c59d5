"""Fault suite: hostile requests against a running server, `kill -9` during warehouse
builds, concurrent builds with readers. Prints what it did and every failure; exits 1 if
anything failed.

    ALLYSCOPE_HOME=... python bench/faults.py [--only fuzz|kill|concurrent] [--fuzz-jobs 120]

Needs a data home with the fetched files and a built warehouse (`allyscope data fetch`,
`allyscope data build`). It never changes that home: the build experiments run in a
scratch home next to it (the fetched files linked, the warehouse copied).

fuzz
    ``allyscope serve`` in a subprocess whose working directory is a scratch folder holding
    bait files (``pyproject.toml``, ``secret.yaml``); an audit hook in the server records
    every file it opens under that folder. Every GET route of the app (pages and API) gets
    hostile values in each parameter, ``POST /api/scenario`` hostile bodies, and raw HTTP
    requests with oversized and malformed bodies. Checked: no 5xx (also for the jobs the
    answers started: each 202's job is followed until it ends), no hostile value reflected
    unescaped in HTML, no bait file opened.
kill
    ``allyscope data build --force`` killed with SIGKILL at several moments (shares of the
    time an uninterrupted build takes); after each the warehouse must be byte-for-byte the
    old one (or, if the build had finished, its new one), and the next ``allyscope data
    build`` must remove the leftovers, answer "up to date" and leave the file unchanged.
concurrent
    two ``data build --force`` at once while four processes read the warehouse in a loop;
    both builds must succeed one after the other, the readers never fail, no leftovers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

FAILURES: list[str] = []


def fail(what: str) -> None:
    FAILURES.append(what)
    print(f"  FAIL {what}", flush=True)


def machine() -> str:
    load = os.getloadavg()
    return f"nproc {os.cpu_count()}, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"


def sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cli(*args: str, home: Path, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ALLYSCOPE_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "allyscope.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        **kw,
    )


def scratch_home(home: Path, root: Path) -> Path:
    """A data home sharing ``home``'s fetched files, with a copy of its warehouse."""
    scratch = root / "home"
    scratch.mkdir()
    (scratch / "raw").symlink_to((home / "raw").resolve(), target_is_directory=True)
    shutil.copy2(home / "warehouse.duckdb", scratch / "warehouse.duckdb")
    return scratch


def leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir() if ".building" in p.name)


# -- kill -9 during builds ---------------------------------------------------------------------


def bench_kill(home: Path, points: list[float]) -> None:
    print(f"\n== kill -9 during `data build --force` ({machine()})", flush=True)
    with tempfile.TemporaryDirectory(prefix="allyscope-faults-") as tmp:
        scratch = scratch_home(home, Path(tmp))
        wh = scratch / "warehouse.duckdb"
        up = cli("data", "build", home=scratch)  # the copy may predate this code: make it
        if up.returncode != 0:  # current (a build), so that later builds are no-ops
            fail(f"first build failed: {up.stderr.strip()[-300:]}")
            return
        digest = sha(wh)
        env = {**os.environ, "ALLYSCOPE_HOME": str(scratch)}
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "allyscope.cli", "data", "build", "--force"],
            env=env,
            capture_output=True,
        )
        full_s = time.perf_counter() - t0
        print(f"  an uninterrupted forced build takes {full_s:.1f} s here")
        digest = sha(wh)  # the forced build wrote the same content anew
        for share in points:
            at = share * full_s
            proc = subprocess.Popen(
                [sys.executable, "-m", "allyscope.cli", "data", "build", "--force"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(at)
            still_running = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            left = leftovers(scratch)
            if not still_running:  # it finished first: its new file is the warehouse now
                digest = sha(wh) if proc.returncode == 0 else digest
            intact = sha(wh) == digest
            after = cli("data", "build", home=scratch)
            cleaned = leftovers(scratch) == []
            said = "up to date" in after.stdout
            removed = after.stderr.count("left by a build that did not finish")
            print(
                f"  killed after {at:5.1f} s ({share:.0%}; build "
                f"{'running' if still_running else 'done'}):"
                f" leftovers {len(left)} {left}; old warehouse intact: {intact}; next build "
                f"exit {after.returncode}, removed {removed}, up to date: {said}, "
                f"clean: {cleaned}, unchanged: {sha(wh) == digest}",
                flush=True,
            )
            if not intact:
                fail(f"kill at {at} s changed the warehouse")
            if after.returncode != 0 or not cleaned or not said or removed != len(left):
                fail(f"the build after a kill at {at} s: {after.stdout} {after.stderr}")
            if sha(wh) != digest:
                fail(f"the no-op build after a kill at {at} s rewrote the warehouse")


# -- concurrent builds and readers ------------------------------------------------------------

READER = """
import sys, time
from allyscope.store import open_warehouse
end = time.monotonic() + float(sys.argv[1])
n = errors = 0
while time.monotonic() < end:
    try:
        wh = open_warehouse()
        n += wh.sql('SELECT count(*) AS n FROM cow_majors')['n'][0] > 0
    except Exception as exc:  # counted and shown: a reader must never fail
        errors += 1
        print(type(exc).__name__, exc, file=sys.stderr)
print(n, errors)
"""


def bench_concurrent(home: Path, readers: int = 4) -> None:
    print(f"\n== two builds at once, {readers} readers ({machine()})", flush=True)
    with tempfile.TemporaryDirectory(prefix="allyscope-faults-") as tmp:
        scratch = scratch_home(home, Path(tmp))
        env = {**os.environ, "ALLYSCOPE_HOME": str(scratch), "COLUMNS": "200"}
        t0 = time.perf_counter()
        builds = [
            subprocess.Popen(
                [sys.executable, "-m", "allyscope.cli", "data", "build", "--force"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        reads = [
            subprocess.Popen(
                [sys.executable, "-c", READER, "60"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(readers)
        ]
        outs = [b.communicate() for b in builds]
        build_s = time.perf_counter() - t0
        waited = sum("waiting for it" in err for _, err in outs)
        ok = [b.returncode == 0 for b in builds]
        print(f"  builds exit {[b.returncode for b in builds]}, {waited} waited for the other; "
              f"both done in {build_s:.1f} s")  # fmt: skip
        if not all(ok) or waited != 1:
            fail(f"concurrent builds: {[o[1][-300:] for o in outs]}")
        total = errors = 0
        for r in reads:
            out, err = r.communicate()
            n, e = (int(x) for x in out.split()[-2:])
            total += n
            errors += e
            if e:
                print(f"  reader errors: {err.strip()[-300:]}")
        print(f"  readers: {total:,} queries, {errors} errors; leftovers {leftovers(scratch)}")
        if errors or leftovers(scratch):
            fail("readers failed or leftovers remained during concurrent builds")


# -- hostile requests ---------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "nan",
    "null",
    "%00",
    "\x00",
    "'; DROP TABLE cow_states; --",
    "../../etc/passwd",
    "pyproject.toml",
    "secret.yaml",
    "./secret.yaml",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "${jndi:ldap://x}",
    "USA," * 50,
    "ÅÄÖ",
    "日本",
    "a" * 500,
    "leader_change:KOR",
    "preset:leadership-change",
]
GOOD = {
    "code": "JPN",
    "a": "USA",
    "b": "JPN",
    "states": "USA,JPN",
    "state": "KOR",
    "scenario": "leader_change:JPN",
    "job_id": "0123456789abcdef",
}
HOOK = """
import os, sys
BAIT = os.path.realpath(os.getcwd())
LOG = sys.argv[1]
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if path.startswith(BAIT) and path != os.path.realpath(LOG):
            with open(LOG, "a") as fh:
                fh.write(path + "\\n")
sys.addaudithook(hook)
from allyscope.cli import main
main(sys.argv[2:])
"""


def routes() -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Every GET route of the app: path and (name, query name, in path) per parameter."""
    from fastapi.routing import APIRoute

    from allyscope.web import create_app

    def walk(rs: Any, prefix: str = "") -> Any:
        for r in rs:
            if isinstance(r, APIRoute):
                if "GET" in r.methods:
                    ps = [*r.dependant.path_params, *r.dependant.query_params]
                    yield (
                        prefix + r.path,
                        [(p.name, p.field_info.alias or p.name, "{" + p.name + "}" in r.path)
                         for p in ps],
                    )  # fmt: skip
            elif hasattr(r, "original_router"):
                yield from walk(r.original_router.routes, prefix + r.include_context.prefix)

    return list(walk(create_app(warm=False).routes))


def bench_fuzz(home: Path, max_jobs: int) -> None:
    from urllib.parse import quote

    from allyscope.web.testing import free_port

    print(f"\n== hostile requests against `allyscope serve` ({machine()})", flush=True)
    with tempfile.TemporaryDirectory(prefix="allyscope-bait-") as bait:
        bait_dir = Path(bait)
        (bait_dir / "pyproject.toml").write_text("[build-system]\nsecret = 1\n")
        (bait_dir / "secret.yaml").write_text("name: secret\nchanges: []\n")
        log = bait_dir / "opened.log"
        port = free_port()
        env = {**os.environ, "ALLYSCOPE_HOME": str(home)}
        server = subprocess.Popen(
            [sys.executable, "-c", HOOK, str(log), "serve", "--port", str(port),
             "--log-level", "error"],
            cwd=bait_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_up(base, server)
            _fuzz(base, port, quote, max_jobs)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        opened = log.read_text().splitlines() if log.exists() else []
        print(f"  bait files opened by the server: {len(opened)} {sorted(set(opened))[:5]}")
        if opened:
            fail(f"the server opened files named by requests: {sorted(set(opened))}")


def _wait_up(base: str, server: subprocess.Popen) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < 120:
        if server.poll() is not None:
            err = server.stderr.read().decode() if server.stderr else ""
            raise SystemExit(f"the server exited: {err[-1500:]}")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def _fuzz(base: str, port: int, quote: Any, max_jobs: int) -> None:
    statuses: dict[int, int] = {}
    jobs: dict[str, str] = {}
    n = 0
    t0 = time.perf_counter()
    with httpx.Client(base_url=base, timeout=120) as c:
        for path, params in routes():
            for target, _, _ in params:
                for value in HOSTILE:
                    url, query = path, {}
                    for name, qname, in_path in params:
                        v = value if name == target else GOOD.get(name)
                        if in_path:
                            url = url.replace("{" + name + "}", quote(v or "x", safe=""))
                        elif v is not None:
                            query[qname] = v
                    r = c.get(url, params=query)
                    n += 1
                    _judge(r, value, statuses, jobs)
        for body in _bodies():
            r = c.post("/api/scenario", json=body)
            n += 1
            _judge(r, json.dumps(body), statuses, jobs)
        print(
            f"  {n:,} requests in {time.perf_counter() - t0:.1f} s; statuses {dict(sorted(statuses.items()))}"
        )
        _raw_checks(port)
        _follow_jobs(c, jobs, max_jobs)


def _bodies() -> list[Any]:
    bodies: list[Any] = [None, [], "text", {"states": "USA,JPN", "scenario": "exercises:stop"}]
    for value in HOSTILE:
        bodies.append({"states": ["USA", "JPN"], "scenario": value})
        bodies.append({"states": [value, "JPN"], "scenario": "exercises:stop"})
    bodies.append({"states": ["USA", "JPN"], "scenario": "exercises:stop", "horizon": 10**30})
    return bodies


def _judge(r: httpx.Response, value: str, statuses: dict[int, int], jobs: dict[str, str]) -> None:
    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
    if r.status_code >= 500:
        fail(f"{r.status_code} for {r.request.method} {r.url}: {r.text[:200]}")
    ctype = r.headers.get("content-type", "")
    if ctype.startswith("text/html") and any(ch in value for ch in '<>"') and value in r.text:
        fail(f"{r.url} reflects {value!r} unescaped")
    if "Traceback" in r.text:
        fail(f"{r.url} shows a traceback")
    if r.status_code == 202 and "location" in r.headers:
        jobs.setdefault(r.headers["location"], str(r.url))


def _raw_checks(port: int) -> None:
    import socket

    def raw(data: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(data)  # Connection: close: the server ends the connection
            out = b""
            try:
                while chunk := s.recv(65536):
                    out += chunk
            except ConnectionResetError:  # it answered and closed before reading the rest
                pass
            return out

    big = b"x" * 4096
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(big), big) for _ in range(8)) + b"0\r\n\r\n"
    cases = {
        "chunked 32 KiB body": (
            b"POST /api/scenario HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + chunked, b" 413 "),
        "Content-Length 10 MB": (
            b"POST /api/scenario HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10000000\r\n\r\n{",
            b" 413 "),
        "5 kB query string": (
            b"GET /api/group?states=USA,JPN&x=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b" 414 "),
        "encoded path traversal": (
            b"GET /static/app/%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n"
            b"Connection: close\r\n\r\n", b" 404 "),
        "path traversal": (b"GET /static/app/../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                           b" 404 "),
    }  # fmt: skip
    for name, (req, want) in cases.items():
        out = raw(req)
        head = out.split(b"\r\n\r\n")[0]
        first = head.split(b"\r\n")[0]
        ok = want in first and b"\r\nserver:" not in head.lower()
        print(f"  {name}: {first.decode(errors='replace')}")
        if not ok or b"root:" in out:
            fail(f"{name}: {head[:200]!r}")


def _follow_jobs(c: httpx.Client, jobs: dict[str, str], max_jobs: int) -> None:
    """Wait for the jobs the hostile requests started; any that failed with an internal
    error would have been a 5xx."""
    items = list(jobs.items())[:max_jobs]
    t0 = time.perf_counter()
    ended: dict[str, int] = {}
    for poll, url in items:
        while True:
            r = c.get(poll)
            if r.status_code != 200:
                fail(f"{poll}: {r.status_code}")
                break
            st = r.json()
            if st["status"] in ("done", "failed"):
                ended[st["status"]] = ended.get(st["status"], 0) + 1
                if st["status"] == "failed" and st["error"] == "internal error":
                    fail(f"the job behind {url} failed with an internal error")
                break
            time.sleep(1)
    print(f"  followed {len(items)} of {len(jobs)} jobs started by 202 answers to their end "
          f"in {time.perf_counter() - t0:.0f} s: {ended}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("fuzz", "kill", "concurrent"))
    ap.add_argument("--fuzz-jobs", type=int, default=120, help="jobs to follow to their end")
    ap.add_argument(
        "--kill-at",
        default="0.02,0.1,0.25,0.5,0.75,0.9,0.98",
        help="moments of the kills, as shares of an uninterrupted build's time",
    )
    args = ap.parse_args()
    from allyscope import config

    home = config.home()
    if not (home / "warehouse.duckdb").is_file():
        sys.exit(f"no warehouse in {home}: run `allyscope data fetch` and `data build` first")
    print(f"data home {home}; {machine()}")
    if args.only in (None, "fuzz"):
        bench_fuzz(home, args.fuzz_jobs)
    if args.only in (None, "kill"):
        bench_kill(home, [float(x) for x in args.kill_at.split(",")])
    if args.only in (None, "concurrent"):
        bench_concurrent(home)
    print(f"\n{len(FAILURES)} failures; {machine()}")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
