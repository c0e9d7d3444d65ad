"""ztrade broker and ztrade.broker.Alpaca against the Alpaca test server: the account,
positions and orders as tables or JSON, cancel-all and flatten (with confirmation), historical
bars into a CSV the replay reads - cached, so a second call touches no network - and clear
one-line errors for missing keys, a bad env file or the live endpoint."""
from __future__ import annotations

import json

import pytest

from venue_servers.alpaca_trading import AlpacaTradingServer
from ztrade.broker import Alpaca
from ztrade.cli import main
from ztrade.data import load_bars_csv

pytest.importorskip("aiohttp", reason="aiohttp serves the Alpaca test server (pip install -e .[test])")


def sets(server: AlpacaTradingServer, tmp_path) -> list[str]:
    return ["--set", f"execution.alpaca.trading_url={server.trading_url}",
            "--set", f"execution.alpaca.data_url={server.trading_url}",
            "--set", f"execution.alpaca.ca_file={server.ca_file}",
            # No engine runs: its ops endpoints are looked for here, where nothing answers.
            "--set", "execution.ops_port=1"]


def broker(capsys, server, tmp_path, *args: str) -> tuple[int, str, str]:
    rc = main(["broker", *sets(server, tmp_path), *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_account_positions_and_orders(capsys, alpaca, tmp_path):
    alpaca.add_position("AAPL", 10, 190.0)
    rc, out, _ = broker(capsys, alpaca, tmp_path, "--json", "account")
    assert rc == 0 and float(json.loads(out)["cash"]) == 1_000_000 - 1900
    rc, out, _ = broker(capsys, alpaca, tmp_path, "--json", "positions")
    rows = json.loads(out)
    assert rc == 0 and [(r["symbol"], r["qty"]) for r in rows] == [("AAPL", 10.0)]
    assert rows[0]["engine_qty"] is None  # no engine running
    rc, out, _ = broker(capsys, alpaca, tmp_path, "positions")
    assert rc == 0 and "AAPL" in out and "avg_entry_price" in out  # a table
    rc, out, _ = broker(capsys, alpaca, tmp_path, "--json", "orders", "--status", "all")
    assert rc == 0 and json.loads(out) == []


def test_cancel_all_and_flatten_with_confirmation(capsys, alpaca, tmp_path, monkeypatch):
    client = Alpaca.from_config(overrides={
        "ZTRADE__execution__alpaca__trading_url": alpaca.trading_url,
        "ZTRADE__execution__alpaca__ca_file": str(alpaca.ca_file)})
    alpaca.add_position("MSFT", 5, 400.0)
    alpaca.default_price = 400.0
    # A resting buy far below the price, placed by hand.
    import urllib.request
    req = urllib.request.Request(alpaca.trading_url + "/v2/orders", method="POST",
                                 data=json.dumps({"symbol": "MSFT", "qty": "1", "side": "buy",
                                                  "type": "limit", "limit_price": "100",
                                                  "time_in_force": "gtc"}).encode(),
                                 headers={"APCA-API-KEY-ID": alpaca.key,
                                          "APCA-API-SECRET-KEY": alpaca.secret})
    urllib.request.urlopen(req, context=client._ssl).read()
    assert len(client.orders("open")) == 1
    rc, out, _ = broker(capsys, alpaca, tmp_path, "cancel-all")
    assert rc == 0 and "canceled 1 order" in out
    assert client.orders("open") == []
    # flatten asks first; without a terminal it wants --yes.
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    rc, _, err = broker(capsys, alpaca, tmp_path, "flatten")
    assert rc == 2 and "--yes" in err and client.positions() != []
    rc, _, _ = broker(capsys, alpaca, tmp_path, "flatten", "--yes")
    assert rc == 0
    from engine_helpers import wait_until
    wait_until(lambda: client.positions() == [], what="every position closed")


def test_bars_are_downloaded_once_and_replayable(capsys, alpaca, tmp_path):
    alpaca.bars_page = 50  # 120 bars: three pages
    args = ("--json", "bars", "SPY", "--start", "2024-03-01T14:30:00Z",
            "--end", "2024-03-01T16:30:00Z")
    rc, out, _ = broker(capsys, alpaca, tmp_path, *args)
    assert rc == 0
    path = json.loads(out)["path"]
    requests = len(alpaca.snapshot()["log"])
    bars = load_bars_csv(path)
    assert len(bars["close"]) == 120
    assert bars["ts_ns"][1] - bars["ts_ns"][0] == 60_000_000_000
    # Cached: the same call again sends nothing.
    rc, out, _ = broker(capsys, alpaca, tmp_path, *args)
    assert rc == 0 and json.loads(out)["path"] == path
    assert len(alpaca.snapshot()["log"]) == requests
    # The replay reads it as it is.
    from ztrade.launcher import run_engine
    s = run_engine(run_dir=str(tmp_path / "run"), progress=lambda *a: None, timeout_s=120,
                   overrides={"ZTRADE__market_data__replay__file": path})
    assert s["bars"] == 120 and list(s["positions"]) in ([], ["SPY"])


def test_clear_errors_without_keys_with_a_bad_env_file_or_the_live_endpoint(
        capsys, alpaca, tmp_path, monkeypatch):
    monkeypatch.delenv("APCA_API_KEY_ID")
    rc, _, err = broker(capsys, alpaca, tmp_path, "account")
    assert rc == 1 and "APCA_API_KEY_ID" in err and "Traceback" not in err
    env = tmp_path / "alpaca.env"
    env.write_text("# paper keys\nexport APCA_API_KEY_ID=PKTEST\n")
    rc, out, _ = broker(capsys, alpaca, tmp_path, "--env-file", str(env), "--json", "account")
    assert rc == 0 and json.loads(out)["status"] == "ACTIVE"
    env.write_text("not a pair\n")
    rc, _, err = broker(capsys, alpaca, tmp_path, "--env-file", str(env), "account")
    assert rc == 2 and "expected KEY=VALUE" in err
    rc, _, err = main(["broker", "--set", "execution.alpaca.trading_url=https://api.alpaca.markets",
                       "account"]), *capsys.readouterr()
    assert rc == 2 and "live endpoint" in err
    monkeypatch.setenv("APCA_API_KEY_ID", "wrong")
    rc, _, err = broker(capsys, alpaca, tmp_path, "account")
    assert rc == 1 and "401" in err and "wrong" not in err
