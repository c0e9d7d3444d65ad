#include "market_data/synthetic_source.hpp"

#include <cmath>
#include <stdexcept>

namespace ztrade::market_data {

SyntheticSource::SyntheticSource(std::vector<std::string> symbols, std::uint64_t seed,
                                 double start_price, double volatility, double spread_bps)
    : rng_(seed), step_(0.0, volatility), half_spread_(spread_bps / 2e4) {
  if (!(spread_bps >= 0)) throw std::invalid_argument("synthetic spread_bps must be >= 0");
  if (symbols.empty()) throw std::invalid_argument("synthetic source needs at least one symbol");
  for (const auto& s : symbols) {
    wire::Symbol sym;
    if (s.empty() || !sym.assign(s)) {
      throw std::invalid_argument("synthetic symbol must be 1-16 characters: " + s);
    }
    symbols_.push_back(sym);
    prices_.push_back(start_price);
  }
}

void SyntheticSource::next(std::int64_t ts_ns, MarketEvent& out) noexcept {
  if (quote_due_) {
    quote_due_ = false;
    const double p = prices_[last_symbol_];
    out.kind = MarketEvent::Kind::kQuote;
    out.ts_ns = ts_ns;
    out.quote = wire::QuoteMsg{};
    out.quote.symbol = symbols_[last_symbol_];
    out.quote.bid_price = std::round(p * (1 - half_spread_) * 1e4) / 1e4;
    out.quote.ask_price = std::round(p * (1 + half_spread_) * 1e4) / 1e4;
    out.quote.bid_size = static_cast<double>(size_(rng_));
    out.quote.ask_size = static_cast<double>(size_(rng_));
    out.quote.exchange_ns = ts_ns;
    out.quote.receive_ns = ts_ns;
    return;
  }
  const std::size_t i = next_symbol_;
  last_symbol_ = i;
  quote_due_ = half_spread_ > 0;
  next_symbol_ = (next_symbol_ + 1) % symbols_.size();
  double& p = prices_[i];
  p = std::max(1e-4, std::round(p * std::exp(step_(rng_)) * 1e4) / 1e4);
  out.kind = MarketEvent::Kind::kTrade;
  out.ts_ns = ts_ns;
  out.trade = wire::TradeMsg{};
  out.trade.symbol = symbols_[i];
  out.trade.price = p;
  out.trade.size = static_cast<double>(size_(rng_));
  out.trade.trade_id = ++trade_id_;
  out.trade.exchange_ns = ts_ns;
  out.trade.receive_ns = ts_ns;
}

}  // namespace ztrade::market_data
