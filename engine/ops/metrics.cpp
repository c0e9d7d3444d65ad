#include "ops/metrics.hpp"

#include <fmt/format.h>

#include "ops/ops_server.hpp"

namespace ztrade::ops {

void metric(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += fmt::format("{}{{{}}} {}\n", name, labels, value);
}

void LatencyHistogram::render(std::string& out, std::string_view name,
                              std::string_view labels) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBoundsUs.size(); ++i) {
    cumulative += counts_[i];
    out +=
        fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, labels, kBoundsUs[i] / 1e6, cumulative);
  }
  out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels, total_);
  out += fmt::format("{}_sum{{{}}} {}\n", name, labels, sum_us_ / 1e6);
  out += fmt::format("{}_count{{{}}} {}\n", name, labels, total_);
}

void render_drops(std::string& out, const std::string& labels, const bus::Subscriber& sub) {
  const auto& in = sub.counters();
  metric(out, "ztrade_dropped_total", labels + ",reason=\"malformed_parts\"",
         static_cast<double>(in.malformed_parts));
  for (std::size_t i = 1; i < in.decode_errors.size(); ++i) {
    metric(out, "ztrade_dropped_total",
           fmt::format("{},reason=\"{}\"", labels,
                       wire::error_name(static_cast<wire::DecodeError>(i))),
           static_cast<double>(in.decode_errors[i]));
  }
}

void render_bus(std::string& out, std::string_view component, const bus::Publisher& pub,
                const bus::Subscriber& sub) {
  const std::string c = fmt::format("component=\"{}\"", component);
  metric(out, "ztrade_messages_out_total", c, static_cast<double>(pub.counters().sent));
  metric(out, "ztrade_bytes_out_total", c, static_cast<double>(pub.counters().bytes));
  metric(out, "ztrade_send_failures_total", c, static_cast<double>(pub.counters().send_failures));
  const auto& in = sub.counters();
  metric(out, "ztrade_messages_in_total", c, static_cast<double>(in.received));
  metric(out, "ztrade_bytes_in_total", c, static_cast<double>(in.bytes));
  render_drops(out, c, sub);
  const auto& seq = sub.sequences().counters();
  metric(out, "ztrade_sequence_gaps_total", c, static_cast<double>(seq.gaps));
  metric(out, "ztrade_sequence_missing_total", c, static_cast<double>(seq.missing));
  metric(out, "ztrade_sequence_duplicates_total", c, static_cast<double>(seq.duplicates));
  metric(out, "ztrade_sequence_reordered_total", c, static_cast<double>(seq.reordered));
  metric(out, "ztrade_sequence_restarts_total", c, static_cast<double>(seq.restarts));
  metric(out, "ztrade_sequence_streams_evicted_total", c, static_cast<double>(seq.evicted));
}

OpsEndpoint::OpsEndpoint(int port)
    : server_(port > 0 ? std::make_unique<OpsServer>(port, snapshot_) : nullptr) {}
OpsEndpoint::~OpsEndpoint() = default;
int OpsEndpoint::port() const noexcept {
  return server_ ? server_->port() : 0;
}

}  // namespace ztrade::ops
