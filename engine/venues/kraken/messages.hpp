#pragma once
// What a Kraken v2 frame means for the connection, beyond the market data it carries
// (docs: docs/reference/venue-protocols.md section 3).
#include <cstdint>
#include <string_view>

namespace ztrade::venues::kraken {

enum class Control : std::uint8_t {
  kNone,           // market data or nothing to act on
  kStatus,         // {"channel":"status"}: system online / maintenance / cancel_only ...
  kHeartbeat,      // {"channel":"heartbeat"}
  kPong,           // {"method":"pong"}
  kSubscribed,     // a subscribe ack with success true (one per symbol)
  kUnsubscribed,   // an unsubscribe ack with success true
  kRequestFailed,  // an ack with success false: error text in ParseResult::text
  kBookResync,     // a book checksum failed or the book is unusable: resubscribe symbol
};

struct ParseResult {
  Control control = Control::kNone;
  bool ok = true;           // false: malformed (counted in parse_errors)
  std::string_view symbol;  // venue symbol for kSubscribed/kBookResync (valid until next parse)
  std::string_view text;    // status "system" or the error text (valid until next parse)
};

}  // namespace ztrade::venues::kraken
