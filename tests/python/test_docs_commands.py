"""Every command that README.md and docs/*.md show is run here, as written, so that the docs
cannot drift from the product.

- Shell blocks (```sh): each command line. `ztrade ...` runs the installed CLI in a scratch
  directory (so `run/...` lands there); commands aimed at a running session
  (`--run-dir run/session-...`, `ztrade status`, `ztrade control ...`) run against a session
  this test starts; placeholders a reader fills in (`my.toml`, `my_strategy.py`) get real
  files first. A command that runs until stopped (`ztrade tap` without --count) must stream
  output for a few seconds. Benchmark commands take minutes, so they must start and run for
  SMOKE_SECONDS without an error (their figures are in docs/performance.md, made by hand).
- Python blocks (```python): each document's blocks run in order in one interpreter, as a
  reader pasting them into a notebook would.
- Commands that talk to Alpaca (`ztrade broker ...`, `ztrade run` with the Alpaca broker) and
  the Python examples run against the Alpaca test server (venue_servers/alpaca_trading.py):
  its URLs come in through ZTRADE__ overrides in the environment and the reader's
  `alpaca.env` holds its keys.
- Commands this machine cannot run are listed in NOT_RUN with the reason; a command that is
  neither run nor listed fails the test, so a new doc command needs a decision.

docs/reference/ holds copies of the venues' and TA-Lib's public material (their payloads and
sources), not ztrade commands; it is not scanned, and nothing may cite files outside the
repository.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest

from engine_helpers import DEFAULT_OPS_PORTS, all_ready, gateway_port, ops_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SMOKE_SECONDS = 4

NOT_RUN = {
    "scripts/run.sh": "the README's main command: install-deps + a venv + `ztrade run`, each "
                      "run here; building a second venv would double the test time",
    "scripts/test.sh": "the README's test command: it is what runs this test (.ci/run)",
    "scripts/build-wheel.sh": "scripts/test.sh builds the same wheel with the same function "
                              "(ztrade_build_wheel) and tests it in a clean Debian",
    "cmake -S . -B build/release -G Ninja": "scripts/test.sh configures this build",
    "cmake --build build/release -j2": "scripts/test.sh builds it",
    "ctest --test-dir build/release": "scripts/test.sh runs it",
    "cmake -S . -B build/asan -G Ninja -DZTRADE_SANITIZE=address,undefined":
        "scripts/test.sh configures and runs the sanitizer build",
    "systemctl enable --now ztrade.target": "needs systemd as PID 1 (not in a container)",
    "systemctl status 'ztrade@*'": "needs systemd as PID 1",
    "journalctl -u 'ztrade@risk' -f": "needs systemd's journal",
}


def fenced(path: Path, languages: tuple) -> list:
    """(line number, block text) of every fenced block in one of `languages`."""
    out, lines = [], path.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if m:
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            if m.group(1) in languages:
                out.append((start + 1, "\n".join(body)))
        i += 1
    return out


def shell_commands() -> list:
    """(doc:line, command) for every command line of every shell block; comments stripped,
    `[--optional]` notation dropped (the command runs without it)."""
    out = []
    for doc in DOCS:
        for line_no, block in fenced(doc, ("sh", "bash", "shell")):
            for offset, line in enumerate(block.replace("\\\n", " ").splitlines()):
                command = re.sub(r"\s+#.*$", "", line).strip()
                command = re.sub(r"\s*\[[^\]]*\]", "", command)
                if command and not command.startswith("#"):
                    out.append((f"{doc.relative_to(ROOT)}:{line_no + offset}", command))
    return out


COMMANDS = shell_commands()
LIVE = re.compile(r"run/session-\.\.\.|^ztrade (status|control)\b")
ALPACA = re.compile(r"^ztrade broker\b|execution\.broker=alpaca_paper")


def test_docs_cite_nothing_outside_the_repository():
    outside = "../" + "shared"  # spelled apart so that this file does not cite it
    offenders = []
    for path in [*DOCS, *(ROOT / "engine").rglob("*.?pp"), *(ROOT / "python").rglob("*.py"),
                 *(ROOT / "tests").rglob("*.py"), *(ROOT / "tests").rglob("*.cpp")]:
        if outside in path.read_text(errors="replace"):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_doc_command_is_run_or_explained():
    for where, command in COMMANDS:
        assert runner_for(command) is not None or command in NOT_RUN, \
            f"{where}: {command!r} is neither run by this test nor listed in NOT_RUN"


def exported() -> dict:
    """What the docs' `export NAME=value` lines set: in the environment of every command."""
    out = {}
    for _, command in COMMANDS:
        if command.startswith("export "):
            name, _, value = command[len("export "):].partition("=")
            out[name] = value
    return out


def runner_for(command: str):
    first = command.split()[0]
    if first == "export":
        return "env"
    if first == "curl":  # the gateway's API, against the running session
        return "live"
    if first == "ztrade":
        if ALPACA.search(command):
            return "alpaca"
        return "live" if LIVE.search(command) else "ztrade"
    if first == "python" and command.split()[1].startswith("bench/"):
        return "smoke"
    if first.startswith("build/release/bench/"):
        return "smoke"
    if first == "apt-get":
        return "apt"
    if first == "scripts/install-deps.sh":
        return "script"
    return None


def run_ztrade(command: str, cwd: Path, timeout: float = 180,
               env: dict | None = None) -> subprocess.CompletedProcess:
    args = shlex.split(command)[1:]
    return subprocess.run([sys.executable, "-m", "ztrade", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**(env or os.environ), **exported()})


@pytest.fixture
def alpaca_env(workdir):
    """The Alpaca test server, and the environment that points the engine and the tools at
    it; the reader's alpaca.env holds its keys."""
    from venue_servers.alpaca_trading import AlpacaTradingServer
    server = AlpacaTradingServer(workdir).start()
    (workdir / "alpaca.env").write_text(f"APCA_API_KEY_ID={server.key}\n"
                                        f"APCA_API_SECRET_KEY={server.secret}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("APCA_")}
    env.update({"ZTRADE__execution__alpaca__trading_url": server.trading_url,
                "ZTRADE__execution__alpaca__stream_url": server.stream_url,
                "ZTRADE__execution__alpaca__data_url": server.trading_url,
                "ZTRADE__execution__alpaca__ca_file": str(server.ca_file),
                "ZTRADE__execution__alpaca__settle_timeout_s": "5",
                "ZTRADE_CACHE_DIR": str(workdir / "cache")})
    yield env
    server.stop()


def test_alpaca_commands_against_the_test_server(workdir, alpaca_env):
    for where, command in COMMANDS:
        if runner_for(command) != "alpaca":
            continue
        r = run_ztrade(command, workdir, timeout=240, env=alpaca_env)
        assert r.returncode == 0, f"{where}: {command}\n{r.stdout[-1000:]}{r.stderr[-2000:]}"
        assert "Traceback" not in r.stderr


@pytest.fixture
def workdir():
    """A reader's directory: their config and strategy files next to where they run. Short,
    as a reader's would be: ipc socket paths are limited to 107 bytes."""
    tmp_path = Path(tempfile.mkdtemp(prefix="ztrade-docs-", dir="/tmp"))
    shutil.copy(ROOT / "config" / "ztrade.toml", tmp_path / "my.toml")
    shutil.copy(ROOT / "python" / "ztrade" / "examples" / "momentum_strategy.py",
                tmp_path / "my_strategy.py")
    (tmp_path / "tests" / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "tests" / "data" / "talib", tmp_path / "tests" / "data" / "talib")
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_standalone_ztrade_commands(workdir):
    for where, command in COMMANDS:
        if runner_for(command) != "ztrade":
            continue
        r = run_ztrade(command, workdir)
        assert r.returncode == 0, f"{where}: {command}\n{r.stderr[-2000:]}"
        assert "Traceback" not in r.stderr


def on_this_tests_ports(command: str) -> str:
    """The command as written, aimed at this test's engine: its ports are free ones, not the
    defaults the docs show (a user's own engine may hold those)."""
    command = command.replace("127.0.0.1:9200", f"127.0.0.1:{gateway_port()}")
    for component, port in DEFAULT_OPS_PORTS.items():
        command = command.replace(f"127.0.0.1:{port}", f"127.0.0.1:{ops_port(component)}")
    return command


def gateway_has_bars(token: str) -> bool:
    req = urllib.request.Request(f"http://127.0.0.1:{gateway_port()}/v1/bars/SAMPLE?limit=1",
                                 headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=2) as r:
            return bool(json.loads(r.read())["bars"])
    except (OSError, ValueError):
        return False


def test_commands_against_a_running_session(workdir):
    session = workdir / "run" / "session-docs"
    env = {**os.environ, **exported()}
    engine = subprocess.Popen([sys.executable, "-m", "ztrade", "run", "--run-dir", str(session),
                               "--gateway", "--set", "market_data.replay.speed=3000"], cwd=workdir,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env=env)
    try:
        wait_until(lambda: all_ready(ops_port(c) for c in DEFAULT_OPS_PORTS), 60,
                   "the session (and its gateway) to be ready")
        wait_until(lambda: gateway_has_bars(env["ZTRADE_GATEWAY_TOKEN"]), 60,
                   "the gateway to have bars to show")
        for where, command in COMMANDS:
            if runner_for(command) != "live":
                continue
            command = on_this_tests_ports(command.replace("run/session-...", str(session)))
            if command.startswith("curl "):
                # The gateway's answers are JSON (curl -f: an HTTP error fails the command).
                r = subprocess.run(command, shell=True, cwd=workdir, capture_output=True,
                                   text=True, timeout=30, env=env)
                assert r.returncode == 0, f"{where}: {command}\n{r.stderr[-1000:]}"
                json.loads(r.stdout)
                continue
            if "ztrade tap" in command and "--count" not in command:
                # Streams until stopped: it must print bus messages meanwhile.
                p = subprocess.Popen([sys.executable, "-m", "ztrade", *shlex.split(command)[1:]],
                                     cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
                try:
                    out, err = p.communicate(timeout=4)
                except subprocess.TimeoutExpired:
                    p.send_signal(signal.SIGINT)
                    out, err = p.communicate(timeout=10)
                lines = [ln for ln in out.splitlines() if ln.startswith("{")]
                assert lines and all(json.loads(ln)["topic"] for ln in lines), where
                assert "Traceback" not in err
                continue
            r = run_ztrade(command, workdir, timeout=60)
            assert r.returncode == 0, f"{where}: {command}\n{r.stdout[-1000:]}{r.stderr[-1000:]}"
            assert "Traceback" not in r.stderr
    finally:
        engine.send_signal(signal.SIGTERM)
        _, err = engine.communicate(timeout=60)
    assert "Traceback" not in err


def test_benchmark_commands_start_and_run(workdir):
    """Each benchmark command as written runs for SMOKE_SECONDS without failing (no timing is
    asserted: that is what the benchmarks themselves report)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for where, command in COMMANDS:
        if runner_for(command) != "smoke":
            continue
        args = shlex.split(command)
        if args[0] == "python":
            args[0] = sys.executable
        exe = ROOT / args[0] if not os.path.isabs(args[0]) else Path(args[0])
        if args[0].startswith("build/"):
            assert exe.is_file(), f"{where}: {args[0]} is not built (scripts/test.sh builds it)"
            args[0] = str(exe)
        p = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            _out, err = p.communicate(timeout=SMOKE_SECONDS)
            assert p.returncode == 0, f"{where}: {command} failed:\n{err[-2000:]}"
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)  # still running: it started fine
            _out, err = p.communicate(timeout=30)
        assert "Traceback" not in err and "rror:" not in err, f"{where}: {command}\n{err[-2000:]}"
    # The engines a latency benchmark started die with it (PR_SET_PDEATHSIG).
    wait_until(lambda: not any(Path(f"/proc/{pid}/comm").read_text().startswith("ztrade-")
                          for pid in os.listdir("/proc") if pid.isdigit()
                          and Path(f"/proc/{pid}/comm").exists()), 30, "benchmark engines to exit")


def test_install_commands():
    for where, command in COMMANDS:
        kind = runner_for(command)
        if kind == "apt":
            # The packages the README tells a user to install exist under these names (and are
            # installed here, by scripts/install-deps.sh through their -dev packages).
            for package in shlex.split(command)[2:]:
                r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                                   capture_output=True, text=True)
                assert "install ok installed" in r.stdout, f"{where}: {package}"
        elif kind == "script":
            r = subprocess.run(shlex.split(command), cwd=ROOT, capture_output=True, text=True,
                               timeout=600)
            assert r.returncode == 0, f"{where}: {command}\n{r.stderr}"


@pytest.mark.parametrize("doc", [d for d in DOCS if fenced(d, ("python",))],
                         ids=lambda d: str(d.relative_to(ROOT)))
def test_python_examples_run(doc, workdir, alpaca_env):
    code = "\n\n".join(block for _, block in fenced(doc, ("python",)))
    r = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True,
                       text=True, timeout=300, env=alpaca_env)
    assert r.returncode == 0, f"{doc.name}:\n{r.stderr[-3000:]}"
