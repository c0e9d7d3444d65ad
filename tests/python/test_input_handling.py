"""Input a user hands ztrade: CSV files as spreadsheets save them (byte-order mark), exact
integer timestamps, a `ts` column in seconds, strategies that emit signals the live engine
would refuse, an asyncio strategy whose signal queue fills, and the launcher's own files."""
import asyncio
import gc
import os
import sys
import warnings

import numpy as np
import pytest

from ztrade.bus import AsyncSignalPublisher
from ztrade.data import load_bars_csv
from ztrade.launcher import run_engine
from ztrade.strategy import Signal, Strategy, backtest, check_signal

BARS = "open,high,low,close,volume\n1,2,0.5,1.5,10\n2,3,1.5,2.5,20\n"


def test_csv_with_a_byte_order_mark_keeps_its_first_column(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbfts_ns," + BARS.replace("\n1,", "\n60,1,", 1)
                  .replace("\n2,", "\n120,2,", 1).encode())
    bars = load_bars_csv(f)
    assert list(bars["ts_ns"]) == [60, 120]
    assert list(bars["open"]) == [1.0, 2.0]


def test_nanosecond_timestamps_are_read_exactly(tmp_path):
    f = tmp_path / "ns.csv"
    f.write_text("ts_ns,open,high,low,close,volume\n"
                 "1700000000123456789,1,2,0.5,1.5,10\n1700000000123456790,1,2,0.5,1.5,10\n")
    ts = load_bars_csv(f)["ts_ns"]
    assert ts.dtype == np.int64
    assert list(ts) == [1700000000123456789, 1700000000123456790]  # a double rounds to 256 ns
    f.write_text("ts,open,high,low,close,volume\n1700000000.123456789,1,2,0.5,1.5,10\n")
    assert list(load_bars_csv(f)["ts_ns"]) == [1700000000123456789]


class EveryBar(Strategy):
    name = "every_bar"

    def __init__(self, strength=0.5):
        self.strength = strength

    def on_bar(self, symbol, bar):
        return Signal(symbol, self.strength)


def test_backtest_reads_a_ts_column_in_seconds():
    bars = {"ts": np.array([60.0, 120.0]), "open": np.array([1.0, 2.0]),
            "high": np.array([2.0, 3.0]), "low": np.array([0.5, 1.5]),
            "close": np.array([1.5, 2.5]), "volume": np.array([10.0, 20.0])}
    out = backtest(EveryBar(), bars)
    assert [s["ts_ns"] for s in out] == [60_000_000_000, 120_000_000_000]


def test_backtest_refuses_what_the_live_engine_refuses():
    bars = {k: np.array([1.0, 1.0]) for k in ("open", "high", "low", "close", "volume")}
    with pytest.raises(ValueError, match="bad_strength"):
        backtest(EveryBar(strength=5.0), bars)
    assert check_signal(Signal("X", 5.0), "s") == "bad_strength"
    assert check_signal(Signal("X", float("nan")), "s") == "bad_strength"
    assert check_signal(Signal("X", -1.0), "s") == "none"


def test_async_publisher_yields_to_the_loop_when_its_queue_is_full(tmp_path):
    # Nobody listens: the socket queues `hwm` frames, then would block. The event loop keeps
    # running other tasks while the sender waits.
    async def main():
        pub = AsyncSignalPublisher(f"ipc://{tmp_path}/nobody.sock", "async_test", hwm=5)

        async def flood():
            for _ in range(1000):
                await pub.send("X", 0.5)

        sender = asyncio.create_task(flood())
        turns = 0
        for _ in range(20):
            await asyncio.sleep(0)
            turns += 1
        blocked = not sender.done()
        sender.cancel()
        pub.close()
        return turns, blocked

    turns, blocked = asyncio.run(main())
    assert turns == 20 and blocked


def test_launcher_closes_its_log_files(tmp_path):
    def files_under(path):
        out = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                if str(path) in os.readlink(f"/proc/self/fd/{fd}"):
                    out.append(fd)
            except OSError:  # the listing's own descriptor, already closed
                pass
        return out

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        run_engine(run_dir=str(tmp_path / "run"), progress=lambda *a: None, timeout_s=120)
        gc.collect()
    assert files_under(tmp_path) == []
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)
                and str(tmp_path) in str(w.message)]
    assert unclosed == []


def test_dataframes_need_the_pandas_extra_and_say_so(monkeypatch):
    from ztrade.data import load_bars_frame, sample_path
    frame = load_bars_frame(sample_path())
    assert len(frame) == 5000 and list(frame.columns[:5]) == ["open", "high", "low", "close",
                                                               "volume"]
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"pip install 'ztrade\[pandas\]'"):
        load_bars_frame(sample_path())


def test_the_launchers_tap_keeps_frames_on_disk_not_in_memory(tmp_path):
    from ztrade import wire
    from ztrade.tap import Tap
    tap = Tap()
    tap.spool_to(tmp_path / "tap.spool")
    for i in range(1, 20001):
        tap.on_frame(b"md.bar.X", wire.encode("bar", seq=i, symbol="X", open=1.0, high=1.0,
                                             low=1.0, close=1.0, start_ns=i))
    assert tap.pending == [] and not (tmp_path / "tap.spool").exists()  # unlinked, still open
    tap.finish()
    assert tap.counts["bar"] == 20000 and tap.gaps == 0 and len(tap.bars) == 20000
    assert tap.spool is None
