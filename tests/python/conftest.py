"""Shared fixtures: every test's own ports (tests touch only what they start), the TA-Lib
reference sample (tests/data/talib)."""
from pathlib import Path

import numpy as np
import pytest

from engine_helpers import OPS_SECTIONS, free_port

DATA = Path(__file__).resolve().parent.parent / "data" / "talib"


def _read(name):
    with open(DATA / name) as f:
        header = f.readline().strip().split(",")
    raw = np.genfromtxt(DATA / name, delimiter=",", skip_header=1, missing_values="",
                        filling_values=np.nan)
    return {h: np.ascontiguousarray(raw[:, i]) for i, h in enumerate(header)}


@pytest.fixture(scope="module", autouse=True)
def own_ports():
    """Every engine a test module starts listens on ports free when the module began, never the
    configured defaults: a user's engine running under systemd (ops ports 9101-9105, gateway
    9200) is left alone and does not make the tests fail. The engine reads ZTRADE__* from its
    environment. One set per module: a module's shared engine (a module-scoped fixture) keeps
    the ports its tests look for."""
    with pytest.MonkeyPatch.context() as mp:
        for section in OPS_SECTIONS.values():
            mp.setenv(f"ZTRADE__{section}__ops_port", str(free_port()))
        mp.setenv("ZTRADE__gateway__port", str(free_port()))
        yield


@pytest.fixture
def alpaca(tmp_path, monkeypatch):
    """The Alpaca trading test server (venue_servers/alpaca_trading.py), its keys in the
    environment and a cache directory of the test's own."""
    pytest.importorskip("aiohttp", reason="aiohttp serves the Alpaca test server")
    from venue_servers.alpaca_trading import AlpacaTradingServer
    server = AlpacaTradingServer(tmp_path).start()
    monkeypatch.setenv("APCA_API_KEY_ID", server.key)
    monkeypatch.setenv("APCA_API_SECRET_KEY", server.secret)
    monkeypatch.setenv("ZTRADE_CACHE_DIR", str(tmp_path / "cache"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sample():
    return _read("sample.csv")


@pytest.fixture(scope="session")
def ref():
    return _read("sample_ref.csv")


def assert_matches(ours, ref, name, rel=1e-12, scale=None):
    """NaN exactly where the reference has none; |a-b| <= 1e-9 + rel*|scale| elsewhere."""
    ours = np.asarray(ours, dtype=np.float64)
    assert ours.shape == ref.shape, name
    ref_nan = np.isnan(ref)
    np.testing.assert_array_equal(np.isnan(ours), ref_nan, err_msg=f"{name}: NaN positions differ")
    scale = np.abs(ref) if scale is None else np.abs(scale)
    diff = np.abs(ours[~ref_nan] - ref[~ref_nan])
    tol = 1e-9 + rel * scale[~ref_nan]
    bad = np.nonzero(diff > tol)[0]
    assert bad.size == 0, f"{name}: {bad.size} bars out of tolerance, worst {diff.max():.3e}"
