"""The engine over tcp:// instead of ipc://; market data recorded by one session and replayed
by the next with the same outcome; the synthetic feed's quotes on the bus and in a recording;
every component's own loss counters in the session summary."""
import socket

import pytest

from test_engine import expected_session
from ztrade import wire
from ztrade.launcher import run_engine

QUIET = {"progress": lambda *a: None, "timeout_s": 120}

NO_LOSSES = {"missing": 0, "dropped": 0, "send_failures": 0, "reordered": 0, "restarts": 0}


def _free_port_block(n=8):
    """A base port with n free ports above it (the engine binds base+0 .. base+7)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n > 65535:
            continue
        try:
            socks = []
            for p in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    pytest.skip("no block of free tcp ports")


@pytest.fixture(scope="module")
def expected():
    return expected_session()


def _assert_session(s, expected):
    assert s["bars"] == 5000
    assert s["orders"] == expected["orders"] and s["fills"] == expected["fills"]
    pos = s["positions"]["SAMPLE"]
    assert pos["quantity"] == expected["qty"]
    assert pos["realized_pnl"] == pytest.approx(expected["realized"], rel=1e-9, abs=1e-6)
    assert s["bus_gaps_seen_by_tap"] == 0 and s["decode_errors"] == {}
    for name, loss in s["bus_losses"].items():
        assert loss == NO_LOSSES, name


def test_session_over_tcp(tmp_path, expected):
    s = run_engine(run_dir=str(tmp_path / "run"), overrides={
        "ZTRADE__bus__transport": "tcp",
        "ZTRADE__bus__tcp_base_port": str(_free_port_block())}, **QUIET)
    _assert_session(s, expected)
    assert not list((tmp_path / "run").glob("*.sock"))  # nothing went over ipc
    assert set(s["bus_losses"]) == {"market-data", "signal-bridge", "risk", "execution"}


def test_recorded_session_replays_to_the_same_orders_and_pnl(tmp_path, expected):
    first = run_engine(run_dir=str(tmp_path / "live"),
                       overrides={"ZTRADE__market_data__record_file": "md.rec"}, **QUIET)
    _assert_session(first, expected)
    recording = tmp_path / "live" / "md.rec"
    records = list(wire.read_recording(recording))
    assert len(records) == 5000
    assert all(t.startswith("md.bar.SAMPLE") and m.type == "bar" for t, m in records)
    assert [m.header["seq"] for _, m in records] == list(range(1, 5001))

    again = run_engine(run_dir=str(tmp_path / "replay"), overrides={
        "ZTRADE__market_data__replay__format": "recorded",
        "ZTRADE__market_data__replay__file": str(recording)}, **QUIET)
    _assert_session(again, expected)
    assert again["positions"] == first["positions"]

    # A recorder killed mid-write leaves a cut-short record: replayed without it, not fatal.
    cut = tmp_path / "cut.rec"
    cut.write_bytes(recording.read_bytes()[:-7])
    assert len(list(wire.read_recording(cut))) == 4999
    s = run_engine(run_dir=str(tmp_path / "cut"), overrides={
        "ZTRADE__market_data__replay__format": "recorded",
        "ZTRADE__market_data__replay__file": str(cut)}, **QUIET)
    assert s["bars"] == 4999 and s["exit_codes"]["market-data"] == 0


def test_synthetic_quotes_are_published_and_recorded(tmp_path):
    s = run_engine(run_dir=str(tmp_path / "run"), overrides={
        "ZTRADE__market_data__venue": "synthetic",
        "ZTRADE__market_data__synthetic__rate_per_s": "4000",
        "ZTRADE__market_data__synthetic__duration_s": "1",
        "ZTRADE__market_data__synthetic__spread_bps": "4",
        "ZTRADE__market_data__bar_interval_s": "0.05",
        "ZTRADE__market_data__record_file": "md.rec"}, **QUIET)
    assert s["trades"] == s["quotes"] == 2000
    records = list(wire.read_recording(tmp_path / "run" / "md.rec"))
    assert sum(m.type == "quote" for _, m in records) == 2000
    last_trade = None
    for topic, m in records:
        if m.type == "trade":
            last_trade = m.body["price"]
        elif m.type == "quote":
            assert topic == "md.quote.SYN1"
            b = m.body
            assert b["bid_price"] < last_trade < b["ask_price"]
            assert b["ask_price"] - b["bid_price"] == pytest.approx(last_trade * 4e-4, abs=2e-4)
    assert s["bus_losses"]["risk"] == NO_LOSSES


def test_recorded_format_without_a_file_is_a_config_error(tmp_path):
    from ztrade.launcher import EngineError
    with pytest.raises(EngineError, match=r"market_data\.replay\.file"):
        run_engine(run_dir=str(tmp_path / "run"), overrides={
            "ZTRADE__market_data__replay__format": "recorded"}, **QUIET)
