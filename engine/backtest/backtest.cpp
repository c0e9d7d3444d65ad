#include "backtest/backtest.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "brokers/sim/sim_broker.hpp"
#include "execution/order_manager.hpp"
#include "features/sma.hpp"
#include "risk/order_tracker.hpp"
#include "risk/reject_reason.hpp"
#include "risk/risk_desk.hpp"
#include "risk/risk_engine.hpp"
#include "signals/macd_rsi_strategy.hpp"

namespace ztrade::backtest {

namespace {

class MacdRsi final : public Strategy {
 public:
  MacdRsi(double buy_below, double sell_above) : rule_({buy_below, sell_above}) {}
  void on_bar(std::int32_t symbol, const Bar&, const FeatureRow& features, bool ready,
              std::vector<Target>& out) override {
    // The rule keeps its state by symbol name: one stable key per symbol index.
    while (keys_.size() <= static_cast<std::size_t>(symbol)) {
      keys_.push_back(fmt::format("#{}", keys_.size()));
    }
    if (auto d = rule_.on_features(keys_[static_cast<std::size_t>(symbol)], features, ready)) {
      out.push_back({symbol, d->strength});
    }
  }

 private:
  signals::MacdRsiStrategy rule_;
  std::vector<std::string> keys_;
};

class SmaCross final : public Strategy {
 public:
  SmaCross(int fast, int slow) : fast_period_(fast), slow_period_(slow) {
    if (fast < 1 || slow <= fast) {
      throw std::invalid_argument(
          fmt::format("sma_cross: needs 1 <= fast < slow, got fast {} slow {}", fast, slow));
    }
  }
  bool wants_features() const noexcept override { return false; }
  void on_bar(std::int32_t symbol, const Bar& bar, const FeatureRow&, bool,
              std::vector<Target>& out) override {
    const auto s = static_cast<std::size_t>(symbol);
    while (state_.size() <= s) state_.push_back({Sma(fast_period_), Sma(slow_period_)});
    State& st = state_[s];
    const double a = st.fast.step(bar.close), b = st.slow.step(bar.close);
    if (!std::isnan(st.prev_a) && !std::isnan(st.prev_b) && !std::isnan(b)) {
      if (st.prev_a < st.prev_b && a > b) out.push_back({symbol, 1.0});
      if (st.prev_a > st.prev_b && a < b) out.push_back({symbol, -1.0});
    }
    st.prev_a = a;
    st.prev_b = b;
  }

 private:
  struct State {
    Sma fast, slow;
    double prev_a = std::nan(""), prev_b = std::nan("");
  };
  int fast_period_, slow_period_;
  std::vector<State> state_;
};

}  // namespace

std::unique_ptr<Strategy> make_sma_cross(int fast, int slow) {
  return std::make_unique<SmaCross>(fast, slow);
}

std::unique_ptr<Strategy> make_macd_rsi(double rsi_buy_below, double rsi_sell_above) {
  return std::make_unique<MacdRsi>(rsi_buy_below, rsi_sell_above);
}

struct Engine::Impl final : execution::ReportSink {
  Impl(Config c, std::vector<std::string> names)
      : config(std::move(c)),
        symbols(std::move(names)),
        risk_engine(config.risk),
        desk(risk_engine, tracker),
        orders(nullptr, *this),
        broker(orders, config.broker) {
    wire_symbols.resize(symbols.size());
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      if (!wire_symbols[i].assign(symbols[i]) || symbols[i].empty()) {
        throw std::invalid_argument(
            fmt::format("symbol \"{}\": must be 1-{} characters", symbols[i], wire::kSymbolSize));
      }
      features.emplace_back(config.features);
    }
    (void)strategy_id.assign(config.strategy.substr(0, wire::kStrategySize));
    quantity.assign(symbols.size(), 0.0);
    trips.assign(symbols.size(), Trip{});
    bars_seen.assign(symbols.size(), 0);
    mark.assign(symbols.size(), 0.0);
    last_ts.assign(symbols.size(), INT64_MIN);
    interval.assign(symbols.size(), 0);
    traded.assign(symbols.size(), 0);
    cash = config.cash;
  }

  // execution::ReportSink: what the order manager reports, booked by risk's desk as live.
  void on_report(const wire::ExecutionReportMsg& r, std::int64_t ts) override {
    desk.on_report(r, ts, marks);
    if (r.exec_type != wire::ExecType::kFill && r.exec_type != wire::ExecType::kPartialFill) {
      return;
    }
    const auto it = symbol_index.find(r.symbol.view());
    const std::int32_t s = it == symbol_index.end() ? -1 : it->second;
    const bool buy = r.side == wire::Side::kBuy;
    const double fee = brokers::sim::commission_of(config.broker, r.last_qty, r.last_price);
    auto& out = results;
    out.fill_ts.push_back(ts);
    out.fill_symbol.push_back(s);
    out.fill_side.push_back(buy ? 1 : -1);
    out.fill_qty.push_back(r.last_qty);
    out.fill_price.push_back(r.last_price);
    out.fill_commission.push_back(fee);
    out.fill_order.push_back(r.client_order_id);
    out.commissions += fee;
    cash -= (buy ? 1 : -1) * r.last_qty * r.last_price + fee;
    if (s >= 0) {
      quantity[static_cast<std::size_t>(s)] += buy ? r.last_qty : -r.last_qty;
      book_trade(s, buy ? 1.0 : -1.0, r.last_qty, r.last_price, fee, ts);
    }
    if (strategy != nullptr && s >= 0) {
      strategy->on_fill({s, buy, r.last_qty, r.last_price, r.client_order_id, ts}, targets);
    }
  }
  void on_position(const wire::PositionMsg&, std::int64_t) override {}

  // Round trips (Results::trade_*), fill by fill.
  struct Trip {
    double pos = 0, avg = 0;  // the position and its average cost
    double sign = 0, entry_qty = 0, entry_value = 0, exit_qty = 0, exit_value = 0, pnl = 0,
           fees = 0;
    std::int64_t entry_ts = 0;
    std::uint64_t entry_bar = 0;
  };
  void book_trade(std::int32_t s, double sign, double qty, double price, double fee,
                  std::int64_t ts) {
    Trip& t = trips[static_cast<std::size_t>(s)];
    double left = qty;
    while (left > 1e-12) {
      if (std::fabs(t.pos) < 1e-12) {
        t = Trip{};
        t.sign = sign;
        t.entry_ts = ts;
        t.entry_bar = bars_seen[static_cast<std::size_t>(s)];
      }
      if (t.pos == 0 || (t.pos > 0) == (sign > 0)) {  // opening or adding
        t.avg = (t.avg * std::fabs(t.pos) + price * left) / (std::fabs(t.pos) + left);
        t.pos += sign * left;
        t.entry_qty += left;
        t.entry_value += left * price;
        t.fees += qty > 0 ? fee * left / qty : fee;
        return;
      }
      const double q = std::min(left, std::fabs(t.pos));  // reducing
      const double dir = t.pos > 0 ? 1.0 : -1.0;
      t.pnl += q * (price - t.avg) * dir;
      t.exit_qty += q;
      t.exit_value += q * price;
      t.fees += qty > 0 ? fee * q / qty : 0.0;
      t.pos -= dir * q;
      left -= q;
      if (std::fabs(t.pos) < 1e-12) {
        auto& r = results;
        const double entry = t.entry_value / t.entry_qty;
        r.trade_symbol.push_back(s);
        r.trade_direction.push_back(t.sign > 0 ? 1 : -1);
        r.trade_entry_ts.push_back(t.entry_ts);
        r.trade_exit_ts.push_back(ts);
        r.trade_qty.push_back(t.entry_qty);
        r.trade_entry_price.push_back(entry);
        r.trade_exit_price.push_back(t.exit_value / t.exit_qty);
        r.trade_pnl.push_back(t.pnl - t.fees);
        r.trade_commission.push_back(t.fees);
        r.trade_bars.push_back(
            static_cast<std::int64_t>(bars_seen[static_cast<std::size_t>(s)] - t.entry_bar));
        t.pos = 0;
      }
    }
  }

  // Where trades fall between bars, an order decided on a bar is decided at its close: it
  // fills only at what follows the bar's end (as execution does live).
  std::int64_t decided_at(std::int32_t s, std::int64_t ts) const {
    const auto i = static_cast<std::size_t>(s);
    return traded[i] && interval[i] > 0 ? ts + interval[i] - 1 : ts;
  }

  // `on_close`: decided on the bar's close (the strategy's on_bar), not at an event inside it.
  void decide(const Target& t, std::int64_t ts, const Bar& bar, bool on_close = false) {
    if (t.symbol < 0 || static_cast<std::size_t>(t.symbol) >= symbols.size()) {
      throw std::invalid_argument(
          fmt::format("a target for symbol index {} (there are {})", t.symbol, symbols.size()));
    }
    double strength = t.strength;
    if (!std::isfinite(strength)) return;
    strength = std::clamp(strength, -1.0, 1.0);  // (risk applies allow_short, as live)
    ++results.signals;
    wire::SignalMsg sig{};
    sig.symbol = wire_symbols[static_cast<std::size_t>(t.symbol)];
    sig.strategy = strategy_id;
    sig.signal_ns = ts;
    sig.strength = strength;
    sig.direction = static_cast<std::int8_t>((strength > 0) - (strength < 0));
    const auto out = desk.decide(sig, ts, results.signals, next_order_id + 1, 0);
    if (out.kind == risk::RiskDesk::Outcome::Kind::kNone) return;
    auto& r = results;
    const bool order = out.kind == risk::RiskDesk::Outcome::Kind::kOrder;
    r.order_ts.push_back(ts);
    r.order_symbol.push_back(t.symbol);
    if (!order) {
      r.order_id.push_back(0);
      r.order_side.push_back(out.reject.side == wire::Side::kBuy ? 1 : -1);
      r.order_qty.push_back(out.reject.quantity);
      r.order_limit.push_back(0);
      r.order_status.emplace_back("rejected");
      r.order_reason.emplace_back(
          risk::reason_name(static_cast<risk::RejectReason>(out.reject.reason)));
      return;
    }
    const wire::NewOrderMsg& o = out.order;
    ++next_order_id;
    r.order_id.push_back(o.client_order_id);
    r.order_side.push_back(o.side == wire::Side::kBuy ? 1 : -1);
    r.order_qty.push_back(o.quantity);
    r.order_limit.push_back(o.limit_price);
    r.order_status.emplace_back();  // filled in at the end, from the order manager
    r.order_reason.emplace_back();
    // As execution does live: after the decision and after every event already seen.
    const std::int64_t at =
        execution::order_time(on_close ? decided_at(t.symbol, ts) : ts, seen_ns);
    if (orders.submit(o, at) == execution::SubmitResult::kAccepted) {
      broker.on_order(o.client_order_id);
      if (config.fill == FillAt::kClose) {
        // Opt-in look-ahead: the order trades at the close it was decided on.
        broker.on_price(o.symbol.view(), bar.close, at + 1, bar.close, bar.volume);
      }
    }
  }

  Config config;
  std::vector<std::string> symbols;
  std::vector<wire::Symbol> wire_symbols;
  std::unordered_map<std::string_view, std::int32_t> symbol_index;
  wire::StrategyId strategy_id;
  std::vector<FeatureComputer> features;
  risk::RiskEngine risk_engine;
  risk::OrderTracker tracker;
  risk::RiskDesk desk;
  execution::OrderManager orders;
  brokers::sim::SimBroker broker;
  Results results;
  std::vector<double> quantity, mark;
  std::vector<Trip> trips;
  std::vector<std::uint64_t> bars_seen;  // per symbol, counting the bar being processed
  std::vector<std::int64_t> last_ts;
  std::vector<std::int64_t> interval;  // per symbol: the smallest gap between its bars
  std::vector<char> traded;            // per symbol: trades are given
  std::vector<Target> targets;
  Strategy* strategy = nullptr;
  double cash = 0;
  std::uint64_t next_order_id = 0;
  std::uint64_t marks = 0;
  std::int64_t seen_ns = INT64_MIN;  // the latest market event's time (execution's seen_ns_)
};

Engine::Engine(Config config, std::vector<std::string> symbols)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(symbols))) {
  for (std::size_t i = 0; i < impl_->symbols.size(); ++i) {
    impl_->symbol_index.emplace(impl_->symbols[i], static_cast<std::int32_t>(i));
  }
}

Engine::~Engine() = default;

const Results& Engine::results() const noexcept {
  return impl_->results;
}

Results Engine::take_results() noexcept {
  return std::move(impl_->results);
}

void Engine::run(const Bars& bars, Strategy& strategy,
                 const std::function<void(std::size_t)>& progress, std::size_t every,
                 const Trades& trades) {
  Impl& m = *impl_;
  const std::size_t n = bars.ts_ns.size();
  for (auto size : {bars.open.size(), bars.high.size(), bars.low.size(), bars.close.size(),
                    bars.volume.size(), bars.symbol.size()}) {
    if (size != n) throw std::invalid_argument("bars: every column must have the same length");
  }
  const std::size_t nt = trades.ts_ns.size();
  for (auto size : {trades.price.size(), trades.size.size(), trades.symbol.size()}) {
    if (size != nt) throw std::invalid_argument("trades: every column must have the same length");
  }
  if (nt > 0) {
    // Each symbol's bar length: the smallest gap between its bars (bad rows are refused below).
    std::vector<std::int64_t> prev(m.symbols.size(), INT64_MIN);
    for (std::size_t i = 0; i < n; ++i) {
      const auto s = static_cast<std::size_t>(bars.symbol[i]);
      if (s >= m.symbols.size()) continue;
      if (prev[s] != INT64_MIN && bars.ts_ns[i] > prev[s]) {
        const std::int64_t gap = bars.ts_ns[i] - prev[s];
        if (m.interval[s] == 0 || gap < m.interval[s]) m.interval[s] = gap;
      }
      prev[s] = bars.ts_ns[i];
    }
  }
  std::size_t next_trade = 0;
  std::int64_t last_trade_ts = INT64_MIN;
  // The trades before `end`: each fills what it reaches and marks risk's prices, as live.
  auto trades_until = [&](std::int64_t end) {
    for (; next_trade < nt && trades.ts_ns[next_trade] < end; ++next_trade) {
      const std::size_t k = next_trade;
      const std::int32_t s = trades.symbol[k];
      const std::int64_t ts = trades.ts_ns[k];
      if (s < 0 || static_cast<std::size_t>(s) >= m.symbols.size() || ts < last_trade_ts ||
          !(trades.price[k] > 0) || !std::isfinite(trades.price[k]) || !(trades.size[k] >= 0)) {
        throw std::invalid_argument(fmt::format(
            "trade row {}: symbol index {} time {} price {} size {} (unsorted, or not a trade)", k,
            s, ts, trades.price[k], trades.size[k]));
      }
      last_trade_ts = ts;
      m.seen_ns = std::max(m.seen_ns, ts);
      const auto si = static_cast<std::size_t>(s);
      m.traded[si] = 1;
      const std::string_view sym = m.wire_symbols[si].view();
      m.targets.clear();
      m.broker.on_price(sym, trades.price[k], ts, 0, trades.size[k]);
      ++m.marks;
      for (std::size_t j = 0; j < m.targets.size(); ++j) {
        m.decide(m.targets[j], ts,
                 Bar{trades.price[k], trades.price[k], trades.price[k], trades.price[k],
                     trades.size[k], ts});
      }
      m.risk_engine.on_price(sym, trades.price[k], ts);
    }
  };
  // Through the first trade of symbol s not yet replayed (the one that closed its bar).
  auto trades_through_close = [&](std::int32_t s) {
    std::size_t k = next_trade;
    while (k < nt && trades.symbol[k] != s) ++k;
    if (k < nt) trades_until(trades.ts_ns[k] + 1);
  };
  m.strategy = &strategy;
  auto& r = m.results;
  r.equity.reserve(r.equity.size() + n);
  r.exposure.reserve(r.exposure.size() + n);
  FeatureRow row{};
  row.fill(std::numeric_limits<double>::quiet_NaN());
  const bool features = strategy.wants_features();
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t s = bars.symbol[i];
    const Bar bar{bars.open[i],  bars.high[i],   bars.low[i],
                  bars.close[i], bars.volume[i], bars.ts_ns[i]};
    if (s < 0 || static_cast<std::size_t>(s) >= m.symbols.size()) {
      throw std::invalid_argument(fmt::format("row {}: symbol index {} out of range", i, s));
    }
    const auto si = static_cast<std::size_t>(s);
    if (bar.ts_ns <= m.last_ts[si]) {
      throw std::invalid_argument(fmt::format(
          "row {}: {} time {} is not after its previous bar's {} (unsorted or duplicate)", i,
          m.symbols[si], bar.ts_ns, m.last_ts[si]));
    }
    if (!(bar.low > 0) || !(bar.high >= bar.low) || bar.open < bar.low || bar.open > bar.high ||
        bar.close < bar.low || bar.close > bar.high || !(bar.volume >= 0) ||
        !std::isfinite(bar.high)) {
      throw std::invalid_argument(
          fmt::format("row {}: {} is not a bar (open {} high {} low {} close {} volume {})", i,
                      m.symbols[si], bar.open, bar.high, bar.low, bar.close, bar.volume));
    }
    m.last_ts[si] = bar.ts_ns;
    // The trades of this bar (before its end) come first, then the trade that closes it - live,
    // market-data publishes a bar when its symbol's first later trade arrives, after that
    // trade - so its decision follows them, as it does live.
    if (nt > 0) {
      trades_until(bar.ts_ns + std::max<std::int64_t>(m.interval[si], 1));
      trades_through_close(s);
    }
    ++m.bars_seen[si];
    const std::string_view sym = m.wire_symbols[si].view();
    // Orders decided on earlier bars fill at this bar's open; positions mark to its close.
    m.targets.clear();
    m.broker.on_price(sym, bar.open, bar.ts_ns, bar.close, bar.volume);
    m.seen_ns = std::max(m.seen_ns, bar.ts_ns);
    ++m.marks;
    // Targets a strategy set in on_fill; deciding one may fill and add more (index loop).
    for (std::size_t k = 0; k < m.targets.size(); ++k) m.decide(m.targets[k], bar.ts_ns, bar);
    m.mark[si] = bar.close;
    m.risk_engine.on_price(sym, bar.close, bar.ts_ns);
    if (features) (void)m.features[si].try_update(bar, std::span<double, kFeatureCount>(row));
    m.targets.clear();
    strategy.on_bar(s, bar, row, features && m.features[si].ready(), m.targets);
    for (std::size_t k = 0; k < m.targets.size(); ++k) m.decide(m.targets[k], bar.ts_ns, bar, true);
    ++r.bars;
    double held = 0, exposure = 0;
    for (std::size_t k = 0; k < m.symbols.size(); ++k) {
      held += m.quantity[k] * m.mark[k];
      exposure += std::fabs(m.quantity[k] * m.mark[k]);
    }
    r.equity.push_back(m.cash + held);
    r.exposure.push_back(exposure);
    if (progress && every > 0 && (i + 1) % every == 0) progress(i + 1);
  }
  if (nt > 0) trades_until(INT64_MAX);  // trades after the last bar still fill
  m.strategy = nullptr;
  // Each sent order's final state, from the order manager.
  for (std::size_t k = 0; k < r.order_id.size(); ++k) {
    r.order_filled.resize(r.order_id.size(), 0.0);
    r.order_avg_price.resize(r.order_id.size(), 0.0);
    if (r.order_id[k] == 0) continue;
    if (const execution::Order* o = m.orders.find(r.order_id[k])) {
      r.order_status[k] = std::string(execution::status_name(o->status));
      r.order_filled[k] = o->filled;
      r.order_avg_price[k] = o->avg_fill_price;
    }
  }
  if (progress) progress(n);
}

std::vector<Engine::Position> Engine::positions() const {
  std::vector<Position> out;
  for (std::size_t i = 0; i < impl_->symbols.size(); ++i) {
    const auto* p = impl_->orders.portfolio().find(impl_->wire_symbols[i].view());
    if (!p) continue;
    out.push_back({impl_->symbols[i], p->quantity, p->avg_price, p->realized, p->mark});
  }
  return out;
}

}  // namespace ztrade::backtest
