#include "venues/coinbase/session.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ztrade::venues::coinbase {

namespace {
constexpr bool is_book(std::string_view channel) {
  return channel == "level2" || channel == "level2_batch";
}
template <class Parser>
constexpr bool kAdvanced = std::is_same_v<Parser, AdvancedTradeParser>;
}  // namespace

template <class Parser>
Session<Parser>::Session(const SymbolMap& symbols, MarketSink& sink,
                         std::vector<std::string> channels, std::shared_ptr<spdlog::logger> log)
    : symbols_(symbols),
      channels_(std::move(channels)),
      log_(std::move(log)),
      parser_(symbols, sink) {}

template <class Parser>
std::vector<std::string> Session<Parser>::requests(std::string_view type,
                                                   const std::vector<std::string>& products,
                                                   bool book_only) const {
  // Product ids and channel names are validated at config load (no quotes or backslashes).
  const std::string ids = fmt::format(R"(["{}"])", fmt::join(products, "\",\""));
  std::vector<std::string> out;
  if constexpr (kAdvanced<Parser>) {
    for (const auto& c : channels_) {
      if (book_only && !is_book(c)) continue;
      // heartbeats is a connection channel: no products.
      out.push_back(
          c == "heartbeats"
              ? fmt::format(R"({{"type":"{}","channel":"heartbeats"}})", type)
              : fmt::format(R"({{"type":"{}","product_ids":{},"channel":"{}"}})", type, ids, c));
    }
  } else {
    std::vector<std::string> names;
    for (const auto& c : channels_) {
      if (!book_only || is_book(c)) names.push_back(fmt::format(R"("{}")", c));
    }
    if (!names.empty()) {
      out.push_back(fmt::format(R"({{"type":"{}","product_ids":{},"channels":[{}]}})", type, ids,
                                fmt::join(names, ",")));
    }
  }
  return out;
}

template <class Parser>
void Session<Parser>::on_open(websocket::Client& client) {
  resyncs_.clear();
  for (auto& r : requests("subscribe", symbols_.venue_symbols(), false)) client.send(std::move(r));
}

template <class Parser>
void Session<Parser>::on_frame(websocket::Client& client, simdjson::padded_string_view frame,
                               std::int64_t receive_ns) {
  const ParseResult r = parser_.parse(frame, receive_ns);
  switch (r.control) {
    case Control::kSubscribed:
      client.healthy();
      break;
    case Control::kError:
      ++counters_.venue_errors;
      log_->error("coinbase: venue error: {}", r.text);
      break;
    case Control::kBookResync:
      if (resyncs_.start(r.product)) {
        log_->warn("coinbase: book {} resynchronised", r.product);
        const std::vector<std::string> one{std::string(r.product)};
        for (auto& q : requests("unsubscribe", one, true)) client.send(std::move(q));
        for (auto& q : requests("subscribe", one, true)) client.send(std::move(q));
      }
      break;
    default:
      break;
  }
  resyncs_.settle([&](const std::string& p) {
    const OrderBook* b = parser_.book(p);
    return b && !b->empty();
  });
}

template <class Parser>
void Session<Parser>::on_close(websocket::Client&, std::string_view) {
  if constexpr (kAdvanced<Parser>) {
    parser_.reset_connection();
  } else {
    parser_.reset_books();
  }
  resyncs_.clear();
}

template class Session<ExchangeParser>;
template class Session<AdvancedTradeParser>;

}  // namespace ztrade::venues::coinbase
