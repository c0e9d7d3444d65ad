#pragma once
// A WebSocket endpoint from config ("wss://ws.kraken.com/v2", "ws://127.0.0.1:8765/feed"):
// what the TLS connection, the SNI name, the Host header and the upgrade request need.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ztrade::venues::websocket {

struct Url {
  bool tls = true;     // wss:// (certificate verified) or ws:// (plain, local tests only)
  std::string host;    // name or address, no brackets
  std::uint16_t port;  // 443 / 80 unless given
  std::string target;  // path and query, "/" at least
};

// nullopt for anything but ws:// or wss:// with a host, an optional 1-65535 port and a path.
std::optional<Url> parse_url(std::string_view text);
// The same for an HTTP endpoint: https:// (tls) or http:// (plain, local tests only).
std::optional<Url> parse_http_url(std::string_view text);

}  // namespace ztrade::venues::websocket
