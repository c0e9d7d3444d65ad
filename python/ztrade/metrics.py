"""Reading the engine's ops endpoints: each component's ``/metrics`` (Prometheus text, parsed
by prometheus_client) and execution's ``/status``."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import defaultdict

from prometheus_client.parser import text_string_to_metric_families

# What each component's subscribers missed or dropped, and what its publisher failed to send:
# metric -> the summary's name for it.
LOSS_METRICS = {"ztrade_sequence_missing_total": "missing", "ztrade_dropped_total": "dropped",
                "ztrade_send_failures_total": "send_failures",
                "ztrade_sequence_reordered_total": "reordered",
                "ztrade_sequence_restarts_total": "restarts"}

# Counters that are zero in a healthy session (the summary warns about any that is not):
# component -> metrics.
HEALTH_METRICS = {
    "execution": ("ztrade_sim_history_overruns_total", "ztrade_journal_errors_total",
                  # a real broker's (absent with the simulator)
                  "ztrade_broker_malformed_total", "ztrade_broker_position_mismatches_total",
                  "ztrade_broker_trade_busts_total"),
    "risk": ("ztrade_risk_price_history_overruns_total", "ztrade_risk_signal_wait_timeouts_total",
             "ztrade_state_write_errors_total", "ztrade_orders_abandoned_total"),
}


def _get(port: int, path: str) -> bytes | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return bytes(r.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text exposition as sample name -> value summed over its labels (a counter's
    sample keeps its ``_total`` name). A malformed exposition gives what parsed before it."""
    values: dict[str, float] = defaultdict(float)
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                values[sample.name] += float(sample.value)
    except ValueError:
        pass
    return dict(values)


def component_metrics(ops_ports: dict[str, int]) -> dict[str, dict[str, float]]:
    """Each component's /metrics. A component whose ops endpoint is off or does not answer is
    left out."""
    out: dict[str, dict[str, float]] = {}
    for name, port in ops_ports.items():
        if not port:
            continue
        body = _get(port, "/metrics")
        if body is not None:
            out[name] = parse_metrics(body.decode(errors="replace"))
    return out


def bus_losses(metrics: dict[str, dict[str, float]]) -> dict[str, dict[str, int]]:
    """What each component's own subscribers missed (sequence gaps) or dropped (bad frames),
    and what its publisher failed to send."""
    return {name: {label: int(m.get(metric, 0)) for metric, label in LOSS_METRICS.items()}
            for name, m in metrics.items()}


def health(metrics: dict[str, dict[str, float]]) -> dict[str, int]:
    """"component.metric" -> value for each HEALTH_METRICS counter the components reported."""
    return {f"{name}.{metric}": int(metrics[name][metric])
            for name, wanted in HEALTH_METRICS.items() if name in metrics
            for metric in wanted if metric in metrics[name]}


def execution_status(ops_ports: dict[str, int]) -> dict | None:
    """Execution's /status (restored journal records, open orders, positions); None when its ops
    endpoint is off or does not answer."""
    port = ops_ports.get("execution")
    body = _get(port, "/status") if port else None
    if body is None:
        return None
    try:
        status = json.loads(body)
    except ValueError:
        return None
    return status if isinstance(status, dict) else None
