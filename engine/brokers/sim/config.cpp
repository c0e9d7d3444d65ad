#include "brokers/sim/config.hpp"

#include "brokers/adapters.hpp"

namespace ztrade::brokers::sim {

namespace {
void read_options(core::SectionReader& r, std::any& options, bool /*selected*/) {
  Options o;
  r.read("slippage_bps", o.slippage_bps, 0, 10000, "sim: slippage of every fill");
  r.read("latency_ms", o.latency_ms, 0, 86'400'000, "sim: order latency, in market time");
  r.read("partial_fill_ratio", o.partial_fill_ratio, 0, 1,
         "sim: fraction of a large order filled per bar; 0: all at once");
  r.read("volume_share", o.volume_share, 0, 1,
         "sim: at most this fraction of a bar's volume (a trade's size) fills, shared by the "
         "orders it reaches in arrival order - the rest waits for later bars; 0: no cap");
  r.read("commission_per_share", o.commission_per_share, 0, 1000,
         "sim: commission per share of a fill (backtests, session summaries, compare)");
  r.read("commission_min_per_fill", o.commission_min_per_fill, 0, 1e9,
         "sim: the least per-share commission of a fill (with commission_per_share)");
  r.read("commission_bps", o.commission_bps, 0, 10000, "sim: commission in bps of a fill's value");
  r.read("commission_fixed", o.commission_fixed, 0, 1e9, "sim: a fixed commission per fill");
  options = o;
}
}  // namespace

const BrokerConfigRules kConfigRules{"sim", "", read_options};

}  // namespace ztrade::brokers::sim
