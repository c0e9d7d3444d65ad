#include "venues/kraken/session.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ztrade::venues::kraken {

Session::Session(const SymbolMap& symbols, MarketSink& sink, SessionConfig config,
                 std::shared_ptr<spdlog::logger> log)
    : symbols_(symbols),
      config_(std::move(config)),
      log_(std::move(log)),
      parser_(symbols, sink, static_cast<std::size_t>(config_.book_depth)) {}

bool Session::wants(std::string_view channel) const noexcept {
  return std::find(config_.channels.begin(), config_.channels.end(), channel) !=
         config_.channels.end();
}

std::string Session::request(std::string_view method, std::string_view channel,
                             const std::vector<std::string>& symbols) {
  // Symbols are validated at config load (no quotes or backslashes), so quoting suffices.
  std::string extra;
  if (channel == "book") extra = fmt::format(R"(,"depth":{})", config_.book_depth);
  if (channel == "ohlc") extra = fmt::format(R"(,"interval":{})", config_.ohlc_interval_min);
  // The trades of the last moments (Kraken sends up to 50) on every subscribe: after a
  // reconnect they fill the outage, and the parser drops those already published.
  if (channel == "trade" && method == "subscribe") extra = R"(,"snapshot":true)";
  // A request id of its own, so the venue's acknowledgement or error names the request.
  return fmt::format(
      R"({{"method":"{}","params":{{"channel":"{}","symbol":["{}"]{}}},"req_id":{}}})", method,
      channel, fmt::join(symbols, "\",\""), extra, ++req_id_);
}

void Session::on_open(websocket::Client& client) {
  book_requested_ = false;
  if (wants("book")) {
    client.send(fmt::format(
        R"({{"method":"subscribe","params":{{"channel":"instrument"}},"req_id":{}}})", ++req_id_));
  }
  const auto symbols = symbols_.venue_symbols();
  for (const auto& channel : config_.channels) {
    if (channel != "book") client.send(request("subscribe", channel, symbols));
  }
}

void Session::on_frame(websocket::Client& client, simdjson::padded_string_view frame,
                       std::int64_t receive_ns) {
  const ParseResult r = parser_.parse(frame, receive_ns);
  switch (r.control) {
    case Control::kSubscribed:
      client.healthy();
      break;
    case Control::kRequestFailed:
      ++counters_.request_errors;
      log_->error("kraken: request failed for {}: {}", r.symbol.empty() ? "-" : r.symbol, r.text);
      break;
    case Control::kStatus:
      if (r.text != "online") log_->warn("kraken: system status {}", r.text);
      break;
    case Control::kBookResync:
      if (book_requested_ && resyncs_.start(r.symbol)) {
        log_->warn("kraken: book {} resynchronised ({})", r.symbol, r.text);
        const std::vector<std::string> one{std::string(r.symbol)};
        client.send(request("unsubscribe", "book", one));
        client.send(request("subscribe", "book", one));
      }
      break;
    default:
      break;
  }
  resyncs_.settle([&](const std::string& s) { return parser_.book_synced(s); });
  // Books are subscribed once every pair's precisions have arrived: before that their
  // checksums could not be verified.
  if (!book_requested_ && wants("book")) {
    const auto symbols = symbols_.venue_symbols();
    const bool ready = std::all_of(symbols.begin(), symbols.end(),
                                   [&](const std::string& s) { return parser_.has_precision(s); });
    if (ready) {
      book_requested_ = true;
      client.send(request("subscribe", "book", symbols));
    }
  }
}

void Session::on_close(websocket::Client&, std::string_view) {
  for (const auto& s : symbols_.venue_symbols()) parser_.reset_book(s);
  book_requested_ = false;
  resyncs_.clear();
}

}  // namespace ztrade::venues::kraken
