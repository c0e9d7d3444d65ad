"""What an operator meets at the edges: signals to `ztrade run` (SIGTERM, Ctrl-C, a second
Ctrl-C, the launcher killed outright), a component that fails inside the threads deployment,
a run directory that holds an earlier session, tools started with no engine running, strategy
files with mistakes in them, bad --config files. Each ends in a clear one-line error or a
summary, a non-zero exit where something went wrong, and no engine process left behind."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine_helpers import all_ready, wait_until
from ztrade.launcher import EngineError, run_engine


def ztrade(*args, cwd=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "ztrade", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def start_ztrade(*args, cwd=None):
    return subprocess.Popen([sys.executable, "-m", "ztrade", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _processes() -> dict[int, tuple[str, int, str]]:
    """pid -> (name, parent pid, state) of every process now."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            name = fields[0].split("(", 1)[1]
            state, ppid = fields[1].split()[:2]
            out[int(stat.parent.name)] = (name, int(ppid), state)
        except (OSError, IndexError, ValueError):
            continue
    return out


def engine_pids(parent=None):
    """Live engine processes this test started: descendants of `parent` (default: of this
    pytest process) only. An engine the user runs on this machine (under systemd, say) is
    not ours to count, wait for or touch."""
    root = os.getpid() if parent is None else parent
    procs = _processes()

    def ours(pid: int) -> bool:
        seen = set()
        while pid > 1 and pid not in seen:
            seen.add(pid)
            pid = procs.get(pid, ("", 0, ""))[1]
            if pid == root:
                return True
        return False

    if parent is not None:
        return [pid for pid, (name, ppid, state) in procs.items()
                if state != "Z" and name.startswith("ztrade-") and ppid == parent]
    return [pid for pid, (name, _ppid, state) in procs.items()
            if state != "Z" and name.startswith("ztrade-") and ours(pid)]


def _exe(pid: int) -> Path | None:
    try:
        return Path(f"/proc/{pid}/exe").resolve(strict=True)
    except OSError:
        return None


def alive_engine(pid: int) -> bool:
    """Whether pid (an engine process this test saw start) still runs."""
    name, _ppid, state = _processes().get(pid, ("", 0, "Z"))
    return state != "Z" and name.startswith("ztrade-")


@pytest.fixture(autouse=True)
def no_engine_left_behind():
    assert not engine_pids(), "an engine from an earlier test is still running"
    yield
    wait_until(lambda: not engine_pids(), 15, "every engine process to exit")


def slow_run(run_dir, *extra):
    # 5,000 one-minute bars at 3,000x: about 100 s, far longer than any of these tests wait.
    p = start_ztrade("run", "--run-dir", str(run_dir), "--set",
                     "market_data.replay.speed=3000", *extra)
    children = wait_until(lambda: len(engine_pids(p.pid)) == 4 and engine_pids(p.pid), 30,
                          "four engine processes")
    wait_until(all_ready, 30, "every component to be ready")
    return p, children


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "Ctrl-C"])
def test_signal_stops_every_process_and_prints_the_summary(tmp_path, sig, code):
    p, children = slow_run(tmp_path / "run")
    wait_until(lambda: (tmp_path / "run" / "execution.journal").stat().st_size > 0, 30,
               "the first order")
    p.send_signal(sig)
    out, err = p.communicate(timeout=60)
    assert p.returncode == code, err
    assert "Traceback" not in err
    for pid in children:
        assert not alive_engine(pid)
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["interrupted"] == sig.name
    assert 0 < summary["bars"] < 5000 and summary["orders"] > 0
    assert all(c == 0 for c in summary["exit_codes"].values()), "stopped cleanly, journals flushed"
    assert "INTERRUPTED" in out and "Session summary" in out
    # The ports and sockets are free again: a new session starts at once.
    s = run_engine(run_dir=str(tmp_path / "again"), progress=lambda *a: None, timeout_s=120)
    assert s["bars"] == 5000


def sigint_pending(pid):
    """Whether a SIGINT sent to pid is still waiting to be delivered (signals of one kind
    do not queue: a second one sent before the first is taken would be lost)."""
    pending = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("SigPnd:", "ShdPnd:")):
            pending |= int(line.split()[1], 16)
    return bool(pending & (1 << (signal.SIGINT - 1)))


def test_second_ctrl_c_stops_at_once(tmp_path):
    p, _children = slow_run(tmp_path / "run")
    p.send_signal(signal.SIGINT)
    wait_until(lambda: not sigint_pending(p.pid), 10, "the first Ctrl-C to be taken")
    p.send_signal(signal.SIGINT)
    _out, err = p.communicate(timeout=30)
    assert p.returncode == 130
    assert "Traceback" not in err and "stopped at once" in err
    wait_until(lambda: not engine_pids(), 10, "the engine processes to be killed")


def test_killing_the_launcher_takes_the_engine_down(tmp_path):
    p, children = slow_run(tmp_path / "run")
    p.kill()  # SIGKILL: no handler runs in the launcher
    p.communicate(timeout=30)
    wait_until(lambda: not any(alive_engine(pid) for pid in children), 15,
               "the orphaned engine processes to exit (PR_SET_PDEATHSIG)")


def test_threads_deployment_stops_when_one_component_fails(tmp_path):
    # market-data cannot start (no such replay file): the whole process exits non-zero at
    # once, naming it, instead of three components running on until the launcher's timeout.
    with pytest.raises(EngineError, match="cannot open replay file") as err:
        run_engine(run_dir=str(tmp_path / "run"), threads=True, progress=lambda *a: None,
                   overrides={"ZTRADE__market_data__replay__file": str(tmp_path / "nope.csv")},
                   timeout_s=300)
    assert "did not finish within" not in str(err.value)


def test_threads_deployment_stops_when_a_component_fails_while_running(tmp_path):
    # A live venue without its keys fails inside market-data's run(), after start-up: the
    # engine exits non-zero naming market-data, and the other three stop with it (before, they
    # ran on and this call timed out).
    from ztrade.launcher import find_binary
    config = tmp_path / "live.toml"
    config.write_text('[engine]\nrun_dir = "%s"\n[market_data]\nvenue = "live"\n'
                      '[market_data.alpaca]\nenabled = true\nsymbols = { "AAPL" = "AAPL" }\n'
                      % (tmp_path / "run"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("APCA_")}
    r = subprocess.run([find_binary("ztrade-engine"), "--config", str(config)], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "market-data failed (exit 1); stopped every component" in r.stderr


def test_a_run_dir_holding_a_session_needs_resume(tmp_path):
    run_dir = tmp_path / "run"
    first = run_engine(run_dir=str(run_dir), progress=lambda *a: None, timeout_s=120)
    assert run_dir.stat().st_mode & 0o777 == 0o700  # its sockets and journal: this user only
    assert first["orders"] == 56 and first["resumed"] is None
    with pytest.raises(EngineError, match="--resume"):
        run_engine(run_dir=str(run_dir), progress=lambda *a: None, timeout_s=120)
    r = ztrade("run", "--run-dir", str(run_dir))
    assert r.returncode == 1 and "--resume" in r.stderr and "Traceback" not in r.stderr
    lines = []
    again = run_engine(run_dir=str(run_dir), progress=lines.append, timeout_s=120, resume=True)
    assert again["resumed"]["journal_records"] > 0
    assert again["resumed"]["positions"]["SAMPLE"]["quantity"] == first["positions"]["SAMPLE"][
        "quantity"]
    assert any(line.startswith("RESUMING") for line in lines[:3]), lines[:3]


def test_run_dir_that_is_a_file_is_a_clear_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    for run_dir in (f, f / "below"):
        r = ztrade("run", "--run-dir", str(run_dir))
        assert r.returncode == 1, r.stderr
        assert "cannot use" in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_progress_lines_start_once_data_flows(tmp_path):
    lines = []
    run_engine(run_dir=str(tmp_path / "run"), progress=lines.append, timeout_s=120,
               overrides={"ZTRADE__market_data__replay__speed": "100000"})  # about 3 s
    counts = [int(line.split()[1]) for line in lines if line.strip().startswith("bars ")]
    assert counts and all(n > 0 for n in counts), lines


@pytest.mark.parametrize("command", [["tap"], ["strategy", "run", "STRATEGY"]])
def test_tools_without_an_engine_say_so_and_fail(tmp_path, command):
    strategy = tmp_path / "mine.py"
    strategy.write_text("from ztrade.strategy import Strategy\n"
                        "class Mine(Strategy):\n    name = 'mine'\n")
    args = [str(strategy) if a == "STRATEGY" else a for a in command]
    (tmp_path / "session").mkdir()
    r = ztrade(*args, "--run-dir", str(tmp_path / "session"), "--connect-timeout", "0.5")
    assert r.returncode == 1, r.stderr
    assert "waiting for the engine" in r.stderr and "no engine answered" in r.stderr
    assert "Traceback" not in r.stderr
    r = ztrade(*args, "--run-dir", str(tmp_path / "absent"))
    assert r.returncode == 1 and "does not exist" in r.stderr and "Traceback" not in r.stderr


STRATEGY_FILES = {
    "syntax": ("from ztrade.strategy import Strategy\nclass S(Strategy)\n    pass\n",
               "syntax error"),
    "import": ("import not_a_module_xyz\n", "not_a_module_xyz"),
    "raises": ("raise RuntimeError('boom')\n", "RuntimeError"),
    "init_args": ("from ztrade.strategy import Strategy\nclass S(Strategy):\n"
                  "    def __init__(self, period):\n        self.period = period\n",
                  "without arguments"),
    "long_name": ("from ztrade.strategy import Strategy\nclass S(Strategy):\n"
                  "    name = 'a_name_longer_than_16'\n", "at most 16"),
    "two": ("from ztrade.strategy import Strategy\nclass A(Strategy):\n    pass\n"
            "class B(Strategy):\n    pass\n", "none is named like the file"),
    "none": ("x = 1\n", "defines no subclass"),
}


@pytest.mark.parametrize("case", sorted(STRATEGY_FILES))
def test_strategy_file_mistakes_are_one_line_errors(tmp_path, case):
    text, expected = STRATEGY_FILES[case]
    f = tmp_path / f"{case}.py"
    f.write_text(text)
    r = ztrade("strategy", "run", str(f), "--run-dir", str(tmp_path))
    assert r.returncode == 2, r.stderr
    assert expected in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = ztrade("--debug", "strategy", "run", str(f), "--run-dir", str(tmp_path))
    assert r.returncode == 2  # --debug shows tracebacks of bugs; a user mistake stays one line


def test_strategy_named_like_the_file_is_chosen(tmp_path):
    from ztrade.strategy import load_strategy
    f = tmp_path / "momentum_strategy.py"
    f.write_text("from ztrade.strategy import Strategy\n"
                 "class Helper(Strategy):\n    name = 'helper'\n"
                 "class MomentumStrategy(Strategy):\n    name = 'momentum'\n")
    assert type(load_strategy(str(f))).__name__ == "MomentumStrategy"


@pytest.mark.parametrize("command", [["status"], ["tap"], ["control", "state"],
                                     ["strategy", "run", "STRATEGY"]])
def test_bad_config_is_a_one_line_error_for_every_tool(tmp_path, command):
    strategy = tmp_path / "mine.py"
    strategy.write_text("from ztrade.strategy import Strategy\n"
                        "class Mine(Strategy):\n    name = 'mine'\n")
    bad = tmp_path / "bad.toml"
    bad.write_text("[risk]\nmax_postion = 3\n")
    args = [str(strategy) if a == "STRATEGY" else a for a in command]
    r = ztrade(*args, "--config", str(bad))
    assert r.returncode == 2, r.stderr
    assert "risk.max_postion: unknown key" in r.stderr and "Traceback" not in r.stderr
    r = ztrade(*args, "--config", str(tmp_path / "missing.toml"))
    assert r.returncode == 2 and "cannot open" in r.stderr and "Traceback" not in r.stderr


def test_run_dir_too_long_for_ipc_sockets_is_a_clear_error(tmp_path):
    r = ztrade("run", "--run-dir", str(tmp_path / ("x" * 100)))
    assert r.returncode == 1 and "too long for ipc sockets" in r.stderr
    assert "Traceback" not in r.stderr


def test_an_engine_the_user_runs_is_left_alone(tmp_path):
    """A user's own engine under systemd: a process named like an engine component that this
    test did not start, holding the default ops port. The tests neither count it nor collide
    with it: a session runs on its own ports and ends cleanly."""
    import shutil
    import socket

    foreign_exe = tmp_path / "ztrade-market-data"
    shutil.copy("/bin/sleep", foreign_exe)
    # Double fork: the foreign process is nobody's child here (re-parented, as a service is).
    starter = subprocess.Popen(["/bin/sh", "-c", f"'{foreign_exe}' 300 >/dev/null 2>&1 &"],
                               start_new_session=True)
    starter.wait(10)
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        try:
            holder.bind(("127.0.0.1", 9101))  # [market_data] ops_port of the packaged config
            holder.listen()
        except OSError:
            pass  # something already holds it: all the better for this test
        foreign = wait_until(lambda: [pid for pid, (name, _pp, st) in _processes().items()
                                      if name.startswith("ztrade-") and st != "Z" and
                                      _exe(pid) == foreign_exe], 10,
                             "the foreign engine process")
        assert not engine_pids(), "a process this test did not start was counted as its own"
        s = run_engine(run_dir=str(tmp_path / "run"), progress=lambda *a: None, timeout_s=120)
        assert s["bars"] == 5000 and all(c == 0 for c in s["exit_codes"].values())
    finally:
        holder.close()
        for pid in locals().get("foreign", []):
            os.kill(pid, signal.SIGKILL)
