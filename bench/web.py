"""Load test of the JSON API: 50 concurrent clients for 60 s on 127.0.0.1.

    ALLYSCOPE_HOME=... python bench/web.py [--clients 50] [--seconds 60] [--workers 1]

Starts ``allyscope serve`` in a subprocess on a free local port, requests every URL of the
mix until each worker has answered it (the warm-up: first answers compute the payloads and
fill each worker's in-memory cache), then runs ``--clients`` concurrent keep-alive clients
(a minimal asyncio HTTP/1.1 client) that pick URLs from the mix at random (seeded) for ``--seconds``.
Prints p50/p90/p99/max latency, throughput, errors (non-200 answers and failed requests)
and ``nproc``. Only 127.0.0.1 is contacted; the run is bounded in time and stops itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time

import httpx

from allyscope.web.testing import free_port

MIX = (
    "/api/health",
    "/api/meta",
    "/api/states",
    "/api/layers",
    "/api/state/KOR",
    "/api/state/JPN",
    "/api/state/USA",
    "/api/state/CHN",
    "/api/state/DEU",
    "/api/group?states=USA,JPN,KOR",
    "/api/group?states=USA,JPN,KOR&from=2000&to=2019",
    "/api/group?states=USA,JPN,AUS,IND",
    "/api/dyad/JPN/KOR",
    "/api/dyad/USA/JPN",
    "/api/dyad/CHN/RUS",
    "/api/alignment-map?state=KOR&year=2019",
    "/api/alignment-map?state=USA&year=2019",
    "/api/alignment-map?state=CHN&year=2010",
    "/api/alignment-map?state=JPN&year=2000&measure=kappa",
    "/api/network?year=2018&layer=defense",
    "/api/network?year=1955&layer=defense&region=East%20Asia&hub=USA",
    "/api/network?year=2010&layer=exercises&region=East%20Asia&hub=USA",
    "/api/network?year=2015&layer=un_affinity_top",
    "/api/forecast?states=JPN,KOR&horizon=5",
    "/api/forecast?states=USA,JPN,KOR&horizon=5",
)


def start_server(port: int, workers: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "allyscope.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 300.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"the server exited: {err[-2000:]}")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not start")


def warm_up(base: str, workers: int) -> float:
    """Ask for every URL until it comes back fast several times in a row (each worker
    computes a payload once; requests land on workers at random)."""
    t0 = time.perf_counter()
    with httpx.Client(base_url=base, timeout=600) as c:
        for url in MIX:
            fast = 0
            tries = 0
            while fast < 4 * workers and tries < 40:
                s = time.perf_counter()
                r = c.get(url)
                r.raise_for_status()
                fast = fast + 1 if time.perf_counter() - s < 0.05 else 0
                tries += 1
    return time.perf_counter() - t0


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, url: str
) -> int:
    """One HTTP/1.1 keep-alive GET on an open connection; returns the status code."""
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


async def load(base: str, clients: int, seconds: float, seed: int) -> dict:
    """``clients`` keep-alive connections, each sending requests back to back.

    A minimal HTTP/1.1 client on asyncio streams: general-purpose clients spend more CPU
    per request than the server does, which would measure the client, not the server."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def one(i: int) -> None:
        nonlocal errors
        rng = random.Random(seed + i)
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < stop:
                url = rng.choice(MIX)
                s = time.perf_counter()
                try:
                    ok = await asyncio.wait_for(_get(reader, writer, host, url), 30) == 200
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    ok = False
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                latencies.append(time.perf_counter() - s)
                if not ok:
                    errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(clients)))
    wall = time.perf_counter() - t0
    return {"latencies": latencies, "errors": errors, "wall": wall}


def pct(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(
        f"nproc {os.cpu_count()}; uvicorn workers {args.workers}; {args.clients} clients; "
        f"{args.seconds:.0f} s; {len(MIX)} URLs in the mix"
    )
    proc = start_server(port, args.workers)
    try:
        t0 = time.perf_counter()
        wait_ready(base, proc)
        print(f"server ready in {time.perf_counter() - t0:.1f} s")
        print(f"warm-up (payloads computed and cached) {warm_up(base, args.workers):.1f} s")
        res = asyncio.run(load(base, args.clients, args.seconds, args.seed))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    lat = sorted(res["latencies"])
    n = len(lat)
    ms = lambda v: f"{1000 * v:.1f} ms"  # noqa: E731
    print(f"requests {n:,} in {res['wall']:.1f} s: {n / res['wall']:.0f} req/s")
    print(
        f"latency p50 {ms(pct(lat, 0.5))}  p90 {ms(pct(lat, 0.9))}  p99 {ms(pct(lat, 0.99))}  "
        f"max {ms(lat[-1] if lat else float('nan'))}"
    )
    print(f"errors {res['errors']}")


if __name__ == "__main__":
    main()
