"""The installed package: importable from anywhere, version, stubs, and the `ztrade` CLI."""
import subprocess
import sys
from pathlib import Path

import ztrade


def run(args, cwd):
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_import_from_any_directory_uses_installed_package(tmp_path):
    r = run(["-c", "import ztrade, ztrade._core as c; print(ztrade.__version__, c.__file__)"],
            tmp_path)
    assert r.returncode == 0, r.stderr
    version, native = r.stdout.split()
    assert version == ztrade.__version__
    assert "site-packages" in native  # the installed wheel, not the source tree


def test_package_ships_stubs_and_sample():
    root = Path(ztrade.__file__).parent
    for name in ("py.typed", "_core/__init__.pyi", "_core/indicators.pyi", "data/sample_bars.csv"):
        assert (root / name).is_file(), name


def test_cli_features_on_bundled_sample(tmp_path):
    r = run(["-m", "ztrade", "features", "--tail", "3"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "features over 5000 bars" in out
    assert "every feature defined from bar 33" in out
    lines = [ln for ln in out.splitlines() if ln.strip().startswith(("4997", "4998", "4999"))]
    assert len(lines) == 3
    # Bar 4999 of the sample: close 118.9975, RSI 52.19 (TA-Lib reference 52.188...).
    assert "118.9975" in lines[-1] and "52.19" in lines[-1]
    assert "summary: 4967 bars with every feature defined" in out


def test_cli_reports_bad_input_clearly(tmp_path):
    bad = tmp_path / "bars.csv"
    bad.write_text("ts,open,high,low,close\n1,1,1,1,1\n")
    r = run(["-m", "ztrade", "features", "--csv", str(bad)], tmp_path)
    assert r.returncode == 2 and "missing column(s) volume" in r.stderr
    bad.write_text("ts,open,high,low,close,volume\n1,1,1,1,abc,5\n")
    r = run(["-m", "ztrade", "features", "--csv", str(bad)], tmp_path)
    assert r.returncode == 2 and "bars.csv:2" in r.stderr
    bad.write_text("ts,open,high,low,close,volume\n1,1,1,1,nan,5\n")
    r = run(["-m", "ztrade", "features", "--csv", str(bad)], tmp_path)
    assert r.returncode == 2 and "row 0: close is not finite" in r.stderr
    r = run(["-m", "ztrade", "features", "--csv", str(tmp_path / "missing.csv")], tmp_path)
    assert r.returncode == 2 and "No such file" in r.stderr
    r = run(["-m", "ztrade", "features", "--macd-fast", "40"], tmp_path)
    assert r.returncode == 2 and "fast period must be < slow period" in r.stderr


def test_cli_config_shows_values_and_refuses_bad_ones(tmp_path):
    r = run(["-m", "ztrade", "config", "risk.max_order_qty", "--set", "risk.max_order_qty=5"],
            tmp_path)
    assert r.returncode == 0, r.stderr
    row = next(line for line in r.stdout.splitlines() if "risk.max_order_qty" in line)
    assert "5" in row.split() and "1000" in row.split()  # the value set, then the default
    for args in (["--set", "risk.max_order_qty=-5"], ["--config", str(tmp_path / "none.toml")],
                 ["--set", "risk.max_ordr_qty=5"]):
        r = run(["-m", "ztrade", "config", *args], tmp_path)
        assert r.returncode == 2, args
        assert "invalid configuration" in r.stderr and "Traceback" not in r.stderr, r.stderr
