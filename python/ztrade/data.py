"""Bar data loading: CSV files of OHLCV bars and the sample bundled with the package."""
from __future__ import annotations

import csv
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
    allowed; milliseconds, microseconds or nanoseconds are recognised by their magnitude:
    TS_UNITS). Returns float64 arrays keyed by column name, plus ``ts_ns`` as int64 (zeros when
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


# A `ts` column's unit, told apart by magnitude, value by value (engine/core/epoch_time.hpp,
# the rule the engine's replay applies): below 1e11 seconds (to the year 5138), below 1e14
# milliseconds, below 1e17 microseconds, else nanoseconds. A time between 1970 and 2262 (what
# nanoseconds in an int64 can hold) written in one unit cannot be read as one in another.
# ts_column_ns is the same rule over numpy columns; a test keeps the two equal.
TS_UNITS = ((10**11, 10**9), (10**14, 10**6), (10**17, 10**3))


def ts_value_ns(text: str) -> int:
    """Nanoseconds since the epoch of one `ts` value as written in a file (seconds, ms, us or
    ns); ValueError for a time before 1970 or after 2262, or not a number."""
    from ztrade import _core
    ns = _core.epoch_ns_of_ts(text)
    if ns is None:
        raise ValueError(f"ts {text!r} is not a time between 1970 and 2262 in seconds, ms, us "
                         "or ns")
    return int(ns)


def ts_column_ns(values: Any, what: str) -> np.ndarray:
    """A `ts` column (seconds, ms, us or ns, value by value: TS_UNITS) as int64 nanoseconds;
    ValueError naming the column and the first row that is not a time in 1970-2262."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        ints = arr.astype(np.int64)
        mag = np.abs(ints.astype(np.float64))
        scale = np.select([mag < lim for lim, _ in TS_UNITS], [s for _, s in TS_UNITS], 1)
        bad = (ints < 0) | (ints > np.iinfo(np.int64).max // scale)  # after 2262
        with np.errstate(over="ignore"):
            ns = np.where(bad, 0, ints) * scale
    else:
        f = np.asarray(arr, dtype=np.float64)
        mag = np.abs(f)
        scale = np.select([mag < lim for lim, _ in TS_UNITS], [s for _, s in TS_UNITS], 1)
        with np.errstate(invalid="ignore", over="ignore"):
            scaled = np.round(f * scale)
            bad = ~np.isfinite(f) | (scaled < 0) | (scaled >= 2.0**63)
            ns = np.where(bad, 0, scaled).astype(np.int64)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{what}: column ts, row {i}: {arr[i]!r} is not a time between 1970 "
                         "and 2262 in seconds, ms, us or ns")
    return ns


def ts_ns_column(values: Any, what: str) -> np.ndarray:
    """A `ts_ns` column as int64; ValueError naming the first row before 1970."""
    try:
        ns = np.asarray(values).astype(np.int64, casting="same_kind")
    except TypeError:
        f = np.asarray(values, dtype=np.float64)
        if not np.isfinite(f).all() or (np.abs(f) >= 9.2e18).any():
            i = int(np.argmax(~np.isfinite(f) | (np.abs(f) >= 9.2e18)))
            raise ValueError(f"{what}: column ts_ns, row {i}: {f[i]!r} is not a time between "
                             "1970 and 2262 in nanoseconds") from None
        ns = f.astype(np.int64)
    if (ns < 0).any():
        i = int(np.argmax(ns < 0))
        raise ValueError(f"{what}: column ts_ns, row {i}: {int(ns[i])} is before 1970 (is the "
                         "column in nanoseconds since the epoch?)")
    return ns


def _ts_ns(row: list[str], index: dict[str, int]) -> int:
    # Integers stay integers: through a float, ns timestamps would round to 256 ns.
    if "ts_ns" in index:
        ns = int(row[index["ts_ns"]].strip())
        if not 0 <= ns < 2**63:
            raise ValueError(f"ts_ns {ns} is not a time between 1970 and 2262 in nanoseconds")
        return ns
    if "ts" in index:
        return ts_value_ns(row[index["ts"]])
    return 0
