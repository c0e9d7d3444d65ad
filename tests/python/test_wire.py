"""Python wire codec: round trips, and agreement with the C++ decoder on good and bad frames."""
import math

import numpy as np
import pytest

from ztrade import _core, wire


def test_every_type_round_trips_and_the_cpp_decoder_accepts_it():
    for name in wire.TYPE_IDS:
        frame = wire.encode(name, publisher_id=3, seq=17, event_ns=11, send_ns=12)
        assert _core.wire_check(frame) == ("ok", name)
        msg = wire.decode(frame)
        assert msg.type == name
        assert msg.header["seq"] == 17 and msg.header["publisher_id"] == 3
        assert msg.header["event_ns"] == 11 and msg.header["send_ns"] == 12


def test_field_values_survive():
    frame = wire.encode("signal", symbol="BTC-USD", strategy="py_momo", strength=-0.25,
                        direction=-1, signal_ns=5, has_features=1, feature_count=2,
                        features=[101.5, 48.2], metadata='{"k": 1}')
    body = wire.decode(frame).body
    assert body["symbol"] == "BTC-USD" and body["strategy"] == "py_momo"
    assert body["strength"] == -0.25 and body["direction"] == -1
    assert body["metadata"] == '{"k": 1}'
    assert body["features"][:2].tolist() == [101.5, 48.2] and math.isnan(body["features"][2])
    order = wire.decode(wire.encode("new_order", client_order_id=2**63, symbol="AAPL",
                                    side=wire.Side.BUY, type=wire.OrderType.LIMIT, quantity=10,
                                    limit_price=187.5)).body
    assert order["client_order_id"] == 2**63 and order["side"] == 1 and order["limit_price"] == 187.5


@pytest.mark.parametrize("call, message", [
    (lambda: wire.encode("nope"), "unknown message type"),
    (lambda: wire.encode("bar", colour=1), "no field 'colour'"),
    (lambda: wire.encode("bar", symbol="X" * 17), "does not fit"),
    (lambda: wire.encode("signal", direction=300), "outside"),
    (lambda: wire.encode("features", values=[1.0] * 13), "at most 12"),
])
def test_encode_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_frames_rejected_like_cpp():
    good = wire.encode("trade", symbol="AAPL", price=1.0)
    cases = {
        "too_short": good[:10],
        "bad_magic": b"\0\0" + good[2:],
        "bad_version": good[:2] + bytes([99]) + good[3:],
        "unknown_type": good[:3] + bytes([0]) + good[4:],
        "size_mismatch": good[:-1],
    }
    for reason, frame in cases.items():
        assert _core.wire_check(frame)[0] == reason
        with pytest.raises(wire.WireError) as err:
            wire.decode(frame)
        assert err.value.reason == reason


def test_random_bytes_never_decode():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        frame = rng.integers(0, 256, rng.integers(0, 300), dtype=np.uint8).tobytes()
        assert _core.wire_check(frame)[0] != "ok"
        with pytest.raises(wire.WireError):
            wire.decode(frame)


def test_enums_come_from_the_engine():
    # One definition, in C++: Python's enums and the launcher's names are built from it.
    from ztrade import _core
    from ztrade.tap import REJECT_REASONS
    enums = _core.wire_enums()
    assert wire.ExecType.PARTIAL_FILL == enums["ExecType"]["partial_fill"] == 3
    assert enums["RejectReason"]["daily_loss"] == wire.RejectReason.DAILY_LOSS
    assert enums["TradingState"]["HALTED"] == wire.TradingState.HALTED
    assert enums["SignalProblem"]["not_a_signal"] == wire.SignalProblem.NOT_A_SIGNAL
    assert set(REJECT_REASONS.values()) == set(enums["RejectReason"])
    for name, members in enums.items():
        assert len(set(members.values())) == len(members), name  # no two names for a value


def _gen_docs():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "scripts" / "gen_docs.py"
    spec = importlib.util.spec_from_file_location("gen_docs", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_match_the_engines_definitions():
    # docs/wire-format.md's topic, header, enum and body tables are generated from the schema;
    # a hand edit, or a schema change without regenerating, fails here.
    gen = _gen_docs()
    for rel in gen.DOCS:
        text = (gen.ROOT / rel).read_text()
        assert "<!-- BEGIN GENERATED:" in text, rel
        assert gen.render(text) == text, f"{rel} is stale: run scripts/gen_docs.py"
    doc = (gen.ROOT / "docs" / "wire-format.md").read_text()
    drifted = doc.replace("| 3 partial_fill", "| 3 partially_filled").replace(
        "| 24 | 8 | high | f64 |", "| 24 | 8 | high | f32 |")
    assert drifted != doc and gen.render(drifted) == doc
    for t in _core.wire_topics():
        assert f"`{t['prefix']}" in doc


def _recording(*records: tuple[bytes, bytes]) -> bytes:
    import struct
    return b"ZTREC001" + b"".join(struct.pack("<HH", len(t), len(f)) + t + f for t, f in records)


def test_recordings_are_read_by_the_engines_own_reader(tmp_path):
    # One implementation: a recording holding a heartbeat is refused by the engine's replay,
    # so Python refuses it too (it once accepted it).
    bar = wire.encode("bar", seq=1, symbol="X", open=1.0, high=1.0, low=1.0, close=1.0,
                      volume=1.0)
    heartbeat = wire.encode("heartbeat", seq=1, component="risk")
    good = tmp_path / "good.rec"
    good.write_bytes(_recording((b"md.bar.X", bar)) + b"\x05\x00")  # and a cut-short record
    assert [(t, m.type) for t, m in wire.read_recording(good)] == [("md.bar.X", "bar")]
    bad = tmp_path / "heartbeat.rec"
    bad.write_bytes(_recording((b"md.bar.X", bar), (b"hb.risk", heartbeat)))
    with pytest.raises(wire.WireError) as err:
        list(wire.read_recording(bad))
    assert err.value.reason == "bad_recording" and "byte 132" in str(err.value)
    with pytest.raises(wire.WireError):
        list(wire.read_recording(tmp_path / "missing.rec"))
