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
    from ztrade.launcher import REJECT_REASONS
    enums = _core.wire_enums()
    assert wire.ExecType.PARTIAL_FILL == enums["ExecType"]["partial_fill"] == 3
    assert wire.RejectReason.DAILY_LOSS == enums["RejectReason"]["daily_loss"]
    assert wire.TradingState.HALTED == enums["TradingState"]["HALTED"]
    assert wire.SignalProblem.NOT_A_SIGNAL == enums["SignalProblem"]["not_a_signal"]
    assert set(REJECT_REASONS.values()) == set(enums["RejectReason"])
    for name, members in enums.items():
        assert len(set(members.values())) == len(members), name  # no two names for a value


def test_wire_format_doc_lists_the_engines_enums():
    import re
    from pathlib import Path
    from ztrade import _core
    doc = (Path(__file__).resolve().parents[2] / "docs" / "wire-format.md").read_text()
    doc = re.sub(r"\s+", " ", doc)
    enums = _core.wire_enums()
    for key, label in [("Side", "side (u8)"), ("OrderType", "order type (u8)"),
                       ("TimeInForce", "time in force (u8)"), ("ExecType", "exec type (u8)"),
                       ("RejectReason", "risk reject reason (u16)")]:
        listed = " / ".join(f"{v} {n}" for n, v in sorted(enums[key].items(), key=lambda x: x[1]))
        assert f"{label}: {listed}" in doc, key
