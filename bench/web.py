"""Load test of the web app: start-up, cold pages, and 50 clients over warm and cold pages.

    ALLYSCOPE_HOME=... python bench/web.py [--clients 50] [--seconds 60] [--workers 1]

Starts ``allyscope serve`` in a subprocess on a free local port; this process is the
client (a minimal asyncio HTTP/1.1 client: general-purpose clients spend more CPU per
request than the server does, which would measure the client, not the server). Then:

1. start-up: seconds until ``/api/health`` answers, and until it says ``ready`` (the
   background warm-up of what every page needs and the default pages);
2. six concurrent requests for one cold page: how many computations they started (job
   ids), seconds until the page is ready, the server's memory before, at its peak and after;
3. ``--clients`` keep-alive clients for ``--seconds``, each picking pages at random
   (seeded) from a mix of warm pages (computed before) and cold ones (never asked for
   before; the first requests for them are answered 202 while their jobs run, later ones
   200). Errors are answers other than 200 and 202, and failed requests.

Prints throughput, latency p50/p99/max, answers by status, errors and the server's peak
memory (its resident set, sampled every 0.2 s, and the kernel's high-water mark), with
``nproc`` and the load average. Only 127.0.0.1 is contacted; the run stops itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import threading
import time

import httpx

from allyscope.web.testing import free_port

#: pages the server computes at start-up, or that the run computes before the load
WARM = (
    "/api/health",
    "/api/meta",
    "/api/states",
    "/api/layers",
    "/api/state/KOR",
    "/api/group?states=USA,JPN,KOR",
    "/api/forecast?states=USA,JPN,KOR&horizon=5",
    "/api/network?year=2018&layer=defense",
    "/api/alignment-map?state=KOR&year=2021",
    "/",
    "/group?states=USA,JPN,KOR",
    "/state/KOR",
    "/about",
    "/api/group?states=FRA,DEU,GBR",  # the page of step 2
)
#: pages nobody asked for before the load starts
COLD = (
    "/api/state/JPN",
    "/api/state/DEU",
    "/api/state/BRA",
    "/api/dyad/JPN/KOR",
    "/api/dyad/CHN/RUS",
    "/api/group?states=USA,JPN,AUS,IND",
    "/api/group?states=USA,JPN,KOR&from=2000&to=2019",
    "/api/alignment-map?state=USA&year=2019",
    "/api/alignment-map?state=CHN&year=2010",
    "/api/alignment-map?state=JPN&year=2000&measure=kappa",
    "/api/network?year=1955&layer=defense&region=East%20Asia&hub=USA",
    "/api/network?year=2010&layer=exercises&region=East%20Asia&hub=USA",
    "/api/forecast?states=JPN,KOR&horizon=5",
    "/api/forecast?states=USA,GBR&horizon=3",
    "/map?state=IND&year=2015",
    "/network?year=1990",
)
SIX = "/api/group?states=FRA,DEU,GBR"


def machine() -> str:
    load = os.getloadavg()
    return f"nproc {os.cpu_count()}, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"


class Memory:
    """The server's resident memory, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> int:
        return self._field("VmRSS")

    def high_water(self) -> int:
        return self._field("VmHWM")

    def _field(self, name: str) -> int:
        try:
            with open(f"/proc/{self.pid}/status") as fh:
                for line in fh:
                    if line.startswith(name + ":"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> Memory:
        self.peak = self.now()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop.clear()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def start_server(port: int, workers: int, cold_workers: int | None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "allyscope.cli", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    if cold_workers:
        cmd += ["--cold-workers", str(cold_workers)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def until(base: str, proc: subprocess.Popen, ready: bool, timeout: float = 1800.0) -> float:
    """Seconds until /api/health answers (``ready``: and says the warm-up is done)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"the server exited: {err[-2000:]}")
        try:
            r = httpx.get(base + "/api/health", timeout=5)
            if r.status_code == 200 and (not ready or r.json()["ready"]):
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not get ready")


def fetch_until_ready(c: httpx.Client, url: str, timeout: float = 1800.0) -> int:
    """GET ``url`` until it answers 200 (following 202s); the final status."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        r = c.get(url)
        if r.status_code != 202:
            return r.status_code
        time.sleep(float(r.headers.get("retry-after", "1")))
    return 202


def six_cold(base: str, mem: Memory) -> None:
    async def go() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=600) as c:
            return await asyncio.gather(*[c.get(SIX) for _ in range(6)])

    before = mem.now()
    t0 = time.perf_counter()
    with mem:
        answers = asyncio.run(go())
        ids = {r.json()["job"]["id"] for r in answers if r.status_code == 202}
        with httpx.Client(base_url=base, timeout=600) as c:
            status = fetch_until_ready(c, SIX)
        took = time.perf_counter() - t0
    print(
        f"six concurrent cold requests for {SIX}: answers "
        f"{sorted(r.status_code for r in answers)}, {len(ids)} job(s) started, ready "
        f"({status}) after {took:.1f} s; server memory {mb(before)} before, peak "
        f"{mb(mem.peak)}, {mb(mem.now())} after ({machine()})"
    )


async def _get(reader, writer, host: str, url: str) -> int:
    """One HTTP/1.1 keep-alive GET on an open connection; the status code."""
    writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def load(base: str, clients: int, seconds: float, seed: int, cold_share: float) -> dict:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    first_200: dict[str, float] = {}
    stop = time.perf_counter() + seconds
    t_start = time.perf_counter()

    async def one(i: int) -> None:
        nonlocal errors
        rng = random.Random(seed + i)
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < stop:
                url = rng.choice(COLD) if rng.random() < cold_share else rng.choice(WARM)
                s = time.perf_counter()
                try:
                    status = await asyncio.wait_for(_get(reader, writer, host, url), 60)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    status = 0
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                latencies.append(time.perf_counter() - s)
                statuses[status] = statuses.get(status, 0) + 1
                if status not in (200, 202):
                    errors += 1
                if status == 200 and url in COLD and url not in first_200:
                    first_200[url] = time.perf_counter() - t_start
        finally:
            writer.close()

    await asyncio.gather(*(one(i) for i in range(clients)))
    return {
        "latencies": latencies,
        "statuses": statuses,
        "errors": errors,
        "wall": time.perf_counter() - t_start,
        "cold_ready": first_200,
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--cold-workers", type=int, default=None)
    ap.add_argument("--cold-share", type=float, default=0.2, help="share of cold requests")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"{machine()}; uvicorn workers {args.workers}; {args.clients} clients, "
          f"{args.seconds:.0f} s; {len(WARM)} warm and {len(COLD)} cold pages, "
          f"{args.cold_share:.0%} of requests cold")  # fmt: skip
    proc = start_server(port, args.workers, args.cold_workers)
    mem = Memory(proc.pid)
    try:
        print(f"answering after {until(base, proc, ready=False):.1f} s ({machine()})")
        print(f"warm-up done after {until(base, proc, ready=True):.1f} s; server memory "
              f"{mb(mem.now())} ({machine()})")  # fmt: skip
        six_cold(base, mem)
        with httpx.Client(base_url=base, timeout=600) as c:
            for url in WARM:
                fetch_until_ready(c, url)
        with mem:
            res = asyncio.run(load(base, args.clients, args.seconds, args.seed, args.cold_share))
        high = mem.high_water()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    lat = sorted(res["latencies"])
    n = len(lat)
    ms = lambda v: f"{1000 * v:.1f} ms"  # noqa: E731
    print(
        f"load ({machine()}): {n:,} requests in {res['wall']:.1f} s = {n / res['wall']:.0f} req/s"
    )
    print(f"  latency p50 {ms(pct(lat, 0.5))}  p99 {ms(pct(lat, 0.99))}  max {ms(lat[-1])}")
    print(f"  answers {dict(sorted(res['statuses'].items()))}; errors {res['errors']}")
    ready = res["cold_ready"]
    print(f"  cold pages answered 200 during the run: {len(ready)} of {len(COLD)}"
          + (f", the last after {max(ready.values()):.0f} s" if ready else ""))  # fmt: skip
    print(f"  server memory: peak during the load {mb(mem.peak)}; high-water mark of the "
          f"whole run {mb(high)}")  # fmt: skip


if __name__ == "__main__":
    main()
