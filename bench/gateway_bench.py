"""The gateway's cost to the trading path and what it serves. A measurement, never a test: it
prints figures for docs/performance.md and asserts nothing.

1. Tick-to-order latency (bar published -> order accepted, the launcher's end-to-end figure)
   at RATE msg/s with the gateway off, on with no clients, and on with CLIENTS WebSocket
   clients subscribed to every channel and symbol (build/release/bench/ztrade_bench_ws_fanout:
   C++ clients reading as fast as they can), each REPEAT times (each percentile's median over
   the runs is shown, with every run's p99), plus
   the fan-out those clients received and how many the gateway dropped as slow.
2. REST: requests/s and latency percentiles of /v1/bars (limit 100) from memory and from the
   history database, from THREADS keep-alive connections.
3. History: trades/s the writer commits with nothing dropped (build/release/bench/
   ztrade_bench_gateway_history).

    python bench/gateway_bench.py                       # 10k msg/s, 20 s per run, 100 clients
    python bench/gateway_bench.py --rate 1000 --duration 10 --clients 10 --repeat 1
    python bench/gateway_bench.py --conflate-ms 250      # the clients ask for conflation
    python bench/gateway_bench.py --only rest           # latency, rest or history
    python bench/gateway_bench.py --cpus 1              # trading on CPU 1; gateway, clients
                                                        # and this script on the others
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency_bench import E2E, engine_overrides

from ztrade.launcher import run_engine
from ztrade.supervisor import StopRequest

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gateway_overrides(port: int) -> dict:
    return {"ZTRADE__gateway__enabled": "true", "ZTRADE__gateway__port": str(port),
            "ZTRADE__gateway__ops_port": "0", "ZTRADE__gateway__requests_per_s": "1000000",
            "ZTRADE__gateway__max_connections": "1000"}


def wait_for(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/symbols",
                                         headers={"Authorization": f"Bearer {TOKEN}"})
            with urllib.request.urlopen(req, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the gateway on port {port} did not answer")


def latency_run(rate: float, duration: float, deployment: str, gateway: str, clients: int,
                cpus: str = "", others: str = "", fanout_bin: str = "", conflate: str = "") -> dict:
    port = free_port()
    overrides = engine_overrides(rate, duration, cpus)
    if gateway != "off":
        overrides.update(gateway_overrides(port))
        if others:
            overrides["ZTRADE__gateway__cpus"] = f"[{others}]"
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="ztrade-gw-bench-") as d:
        def target() -> None:
            result["summary"] = run_engine(run_dir=d, deployment=deployment, overrides=overrides,
                                           progress=lambda *a: None, timeout_s=duration * 10 + 120)
        t = threading.Thread(target=target)
        t.start()
        fanout = None
        if gateway == "clients":
            wait_for(port)
            pin = ["taskset", "-c", others] if others else []
            out = subprocess.run([*pin, fanout_bin, "127.0.0.1", str(port), TOKEN, str(clients),
                                  str(duration), conflate],
                                 capture_output=True, text=True, timeout=duration + 120)
            fanout = json.loads(out.stdout) if out.returncode == 0 else {"error": out.stderr[-500:]}
        t.join()
    s = result["summary"]
    return {"gateway": gateway, "latency": s["latency"].get(E2E), "orders": s["orders"],
            "fanout": fanout, "duration": duration}


def rest_run(threads: int, seconds: float) -> list[dict]:
    port = free_port()
    stop = StopRequest()
    overrides = {**gateway_overrides(port),
                 "ZTRADE__market_data__venue": "synthetic",
                 "ZTRADE__market_data__synthetic__symbols": '["AAA", "BBB"]',
                 "ZTRADE__market_data__synthetic__rate_per_s": "5000",
                 "ZTRADE__market_data__synthetic__duration_s": "0",
                 "ZTRADE__market_data__bar_interval_s": "0.01"}
    rows = []
    with tempfile.TemporaryDirectory(prefix="ztrade-gw-bench-") as d:
        t = threading.Thread(target=lambda: run_engine(
            run_dir=d, overrides=overrides, progress=lambda *a: None, timeout_s=600, stop=stop))
        t.start()
        wait_for(port)
        time.sleep(3)  # bars accumulate: a full page of 100 in memory and in the database
        for source in ("memory", "history"):
            path = f"/v1/bars/AAA?limit=100&source={source}"
            lat: list[list[float]] = [[] for _ in range(threads)]

            def worker(i: int, end: float, path: str = path,
                       lat: list[list[float]] = lat) -> None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                while time.monotonic() < end:
                    t0 = time.perf_counter()
                    conn.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
                    r = conn.getresponse()
                    r.read()
                    if r.status == 200:
                        lat[i].append(time.perf_counter() - t0)
                conn.close()
            end = time.monotonic() + seconds
            ws = [threading.Thread(target=worker, args=(i, end)) for i in range(threads)]
            for w in ws:
                w.start()
            for w in ws:
                w.join()
            all_lat = sorted(x for per in lat for x in per)
            rows.append({"source": source, "requests": len(all_lat),
                         "per_s": len(all_lat) / seconds,
                         "p50_us": statistics.median(all_lat) * 1e6,
                         "p99_us": all_lat[int(0.99 * (len(all_lat) - 1))] * 1e6})
        stop.request("bench done")
        t.join()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=10000)
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--threads", action="store_true", help="threads deployment (default processes)")
    ap.add_argument("--rest-threads", type=int, default=4)
    ap.add_argument("--rest-seconds", type=float, default=10)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per configuration (the medians are shown)")
    ap.add_argument("--conflate-ms", default="", help="the clients ask for conflation (ms)")
    ap.add_argument("--fanout-bin",
                    default=str(ROOT / "build/release/bench/ztrade_bench_ws_fanout"))
    ap.add_argument("--history-bin",
                    default=str(ROOT / "build/release/bench/ztrade_bench_gateway_history"))
    ap.add_argument("--only", choices=["latency", "rest", "history"])
    ap.add_argument("--cpus", default="", help="the trading components' CPUs (engine.cpus, e.g. "
                    "1); the gateway, its clients and this script then run on the others")
    ap.add_argument("--json", help="also write every result here")
    args = ap.parse_args()
    os.environ["ZTRADE_GATEWAY_TOKEN"] = TOKEN
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M")}
    deployment = "threads" if args.threads else "processes"
    others = ""
    if args.cpus:
        rest = sorted(set(range(os.cpu_count() or 1)) - {int(c) for c in args.cpus.split(",")})
        others = ",".join(map(str, rest))
        os.sched_setaffinity(0, set(rest))

    if args.only in (None, "latency"):
        pinned = f", trading on CPU {args.cpus}, the rest on {others}" if args.cpus else ""
        print(f"### tick to order at {args.rate:,.0f} msg/s, {args.duration:.0f} s, "
              f"{deployment}{pinned}\n")
        print("| gateway | runs | orders | p50 us | p99 us | p99.9 us | fan-out msg/s | "
              "clients dropped as slow |")
        print("|---|---|---|---|---|---|---|---|")
        if not os.access(args.fanout_bin, os.X_OK):
            sys.exit(f"no WebSocket client benchmark at {args.fanout_bin}: build with "
                     "ZTRADE_BUILD_BENCH=ON (scripts/test.sh does) or pass --fanout-bin")
        medians = {}
        for gw in ("off", "on", "clients"):
            runs = [latency_run(args.rate, args.duration, deployment, gw, args.clients, args.cpus,
                                others, args.fanout_bin, args.conflate_ms)
                    for _ in range(args.repeat)]
            results.setdefault("latency", {})[gw] = runs
            ok = [r for r in runs if r["latency"]]
            # Each percentile's median over the runs (a run's p99 varies more than its p50).
            p = {k: statistics.median(r["latency"][k] for r in ok)
                 for k in ("p50_us", "p99_us", "p999_us")} if ok else {}
            medians[gw] = p
            r = runs[0]
            fan = [x["fanout"] for x in runs if x["fanout"] and "messages" in x["fanout"]]
            f = {"messages": statistics.median(x["messages"] for x in fan),
                 "seconds": statistics.median(x["seconds"] for x in fan),
                 "closed": max(x["closed"] for x in fan)} if fan else {}
            label = {"off": "off", "on": "on, no clients",
                     "clients": f"on, {args.clients} clients"}[gw]
            rate = f"{f['messages'] / f['seconds']:,.0f}" if "messages" in f else "-"
            slow = str(f.get("closed", "-"))
            p99s = ", ".join(f"{x['latency']['p99_us']:.0f}" for x in ok)
            print(f"| {label} | {len(runs)} | {r['orders']} | {p.get('p50_us', 0):.1f} | "
                  f"{p.get('p99_us', 0):.1f} (runs: {p99s}) | {p.get('p999_us', 0):.1f} | "
                  f"{rate} | {slow} |", flush=True)
        off = medians["off"]
        for gw in ("on", "clients"):
            p = medians[gw]
            if off and p:
                print(f"\n{gw}: p50 {100 * (p['p50_us'] / off['p50_us'] - 1):+.1f}%, "
                      f"p99 {100 * (p['p99_us'] / off['p99_us'] - 1):+.1f}% against off "
                      "(target: within 5%)", end="")
        print("\n")

    if args.only in (None, "rest"):
        rows = rest_run(args.rest_threads, args.rest_seconds)
        results["rest"] = rows
        print(f"### /v1/bars?limit=100, {args.rest_threads} keep-alive connections, "
              f"{args.rest_seconds:.0f} s each\n")
        print("| source | requests/s | p50 us | p99 us |\n|---|---|---|---|")
        for r in rows:
            print(f"| {r['source']} | {r['per_s']:,.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} |")
        print()

    if args.only in (None, "history"):
        if not os.access(args.history_bin, os.X_OK):
            sys.exit(f"no history benchmark at {args.history_bin}: build with "
                     "ZTRADE_BUILD_BENCH=ON (scripts/test.sh does) or pass --history-bin")
        rows = []
        for rate in ("200000", "0"):
            out = subprocess.run([args.history_bin, "--rate", rate, "--seconds", "10"],
                                 capture_output=True, text=True, check=True)
            rows.append(json.loads(out.stdout))
        results["history"] = rows
        print("### history writer (SQLite WAL), 10 s\n")
        print("| offered | written/s | dropped |\n|---|---|---|")
        for r in rows:
            offered = f"{r['rate']:,.0f}/s" if r["rate"] else "unpaced"
            print(f"| {offered} | {r['written_per_s']:,.0f} | {r['dropped']:,} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
