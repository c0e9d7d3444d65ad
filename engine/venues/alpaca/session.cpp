#include "venues/alpaca/session.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ztrade::venues::alpaca {

namespace {
// JSON string content: the key pair comes from the environment, so escape what JSON requires.
std::string escaped(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;  // control characters cannot be in a key
    out += c;
  }
  return out;
}
}  // namespace

Session::Session(const SymbolMap& symbols, MarketSink& sink, SessionConfig config,
                 std::shared_ptr<spdlog::logger> log)
    : symbols_(symbols), config_(std::move(config)), log_(std::move(log)), parser_(symbols, sink) {}

std::string Session::subscribe_request() const {
  const auto symbols = symbols_.venue_symbols();
  std::string body;
  for (const auto& channel : config_.channels) {
    body += fmt::format(R"(,"{}":["{}"])", channel, fmt::join(symbols, "\",\""));
  }
  return fmt::format(R"({{"action":"subscribe"{}}})", body);
}

void Session::on_open(websocket::Client&) {
  // The server speaks first ("connected"); authentication follows it in on_frame.
}

void Session::on_frame(websocket::Client& client, simdjson::padded_string_view frame,
                       std::int64_t receive_ns) {
  const ParseResult r = parser_.parse(frame, receive_ns);
  switch (r.control) {
    case Control::kConnected:
      client.send(fmt::format(R"({{"action":"auth","key":"{}","secret":"{}"}})",
                              escaped(config_.key_id), escaped(config_.secret)));
      break;
    case Control::kAuthenticated:
      client.send(subscribe_request());
      break;
    case Control::kSubscribed:
      client.healthy();
      break;
    case Control::kError:
      ++counters_.venue_errors;
      if (is_fatal(r.code)) {
        log_->error("alpaca: error {} ({}): {} - not retrying; check the keys and the feed", r.code,
                    error_name(r.code), r.text);
        client.stop(fmt::format("alpaca error {} ({})", r.code, error_name(r.code)));
      } else {
        log_->warn("alpaca: error {} ({}): {}", r.code, error_name(r.code), r.text);
        if (r.code == 406 || r.code == 407 || r.code == 404) {
          client.reconnect(fmt::format("alpaca error {} ({})", r.code, error_name(r.code)));
        }
      }
      break;
    case Control::kStatus:
      ++counters_.halts;
      log_->info("alpaca: trading status {} for {}", r.text, r.symbol);
      break;
    default:
      break;
  }
}

void Session::on_close(websocket::Client&, std::string_view) {
  parser_.reset_books();
}

}  // namespace ztrade::venues::alpaca
