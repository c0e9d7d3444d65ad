"""Bar data loading: CSV files of OHLCV bars and the sample bundled with the package."""
from __future__ import annotations

import csv
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

REQUIRED_COLUMNS = ("open", "high", "low", "close", "volume")


def sample_path() -> Path:
    """Path of the bundled sample: 5,000 one-minute bars of a seeded random walk."""
    return Path(str(resources.files("ztrade") / "data" / "sample_bars.csv"))


def load_bars_csv(path: str | Path) -> dict[str, np.ndarray]:
    """Read a CSV of bars with a header row (a UTF-8 byte-order mark is allowed).

    Needs open, high, low, close and volume columns; a time column is optional: ``ts_ns``
    (nanoseconds since the epoch, read as an exact integer) or ``ts`` (seconds, decimals
    allowed). Returns float64 arrays keyed by column name, plus ``ts_ns`` as int64 (zeros when
    the file has no time column).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: a required column is missing or a value is not a number (with its line).
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ValueError(f"{path}: empty file") from None
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; header is {header}")
        index = {name: i for i, name in enumerate(header)}
        values: list = []
        times: list = []
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            try:
                values.append([float(row[index[c]]) for c in REQUIRED_COLUMNS])
                times.append(_ts_ns(row, index))
            except (ValueError, IndexError, ArithmeticError) as exc:
                raise ValueError(f"{path}:{line_no}: bad row {row!r}: {exc}") from None
    table = np.array(values, dtype=np.float64).reshape(-1, len(REQUIRED_COLUMNS))
    out = {c: np.ascontiguousarray(table[:, i]) for i, c in enumerate(REQUIRED_COLUMNS)}
    out["ts_ns"] = np.array(times, dtype=np.int64)
    return out


def index_ns(index: Any) -> np.ndarray:
    """Nanoseconds since the epoch (UTC) of a pandas DatetimeIndex, whatever its resolution
    (pandas 3 makes microsecond indexes) or time zone."""
    if getattr(index, "tz", None) is not None:
        index = index.tz_convert("UTC")
    if hasattr(index, "as_unit"):
        index = index.as_unit("ns")
    return np.asarray(index.asi8, dtype=np.int64)


def require_pandas(feature: str) -> Any:
    """pandas, or an ImportError that names the extra to install."""
    try:
        import pandas
    except ImportError:
        raise ImportError(f"{feature} needs pandas: pip install 'ztrade[pandas]'") from None
    return pandas


def load_bars_frame(path: str | Path) -> Any:
    """The bars of a CSV file (see load_bars_csv) as a pandas DataFrame with open, high, low,
    close, volume and ts_ns columns and a UTC DatetimeIndex. Needs the ``pandas`` extra."""
    pd = require_pandas("load_bars_frame")
    bars = load_bars_csv(path)
    return pd.DataFrame(bars, index=pd.to_datetime(bars["ts_ns"], unit="ns", utc=True))


def _ts_ns(row: list[str], index: dict[str, int]) -> int:
    # Integers stay integers: through a float, ns timestamps would round to 256 ns.
    if "ts_ns" in index:
        return int(row[index["ts_ns"]].strip())
    if "ts" in index:
        return int((Decimal(row[index["ts"]].strip()) * 1_000_000_000).to_integral_value())
    return 0
