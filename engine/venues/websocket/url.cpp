#include "venues/websocket/url.hpp"

#include <charconv>

namespace ztrade::venues::websocket {

std::optional<Url> parse_url(std::string_view text) {
  Url u;
  if (text.rfind("wss://", 0) == 0) {
    u.tls = true;
    text.remove_prefix(6);
  } else if (text.rfind("ws://", 0) == 0) {
    u.tls = false;
    text.remove_prefix(5);
  } else {
    return std::nullopt;
  }
  const auto slash = text.find_first_of("/?");
  std::string_view authority = text.substr(0, slash);
  if (slash == std::string_view::npos) {
    u.target = "/";
  } else {
    // "wss://host?x=1" has the query without a path: the request target is "/?x=1".
    u.target = text[slash] == '?' ? "/" : "";
    u.target += text.substr(slash);
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8443
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(authority.substr(1, close - 1));
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty() || u.host.find_first_of(" @") != std::string::npos) return std::nullopt;
  u.port = u.tls ? 443 : 80;
  if (!port_text.empty() || authority.find(':') != std::string_view::npos) {
    unsigned p = 0;
    const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (port_text.empty() || r.ec != std::errc{} || r.ptr != port_text.data() + port_text.size() ||
        p == 0 || p > 65535) {
      return std::nullopt;
    }
    u.port = static_cast<std::uint16_t>(p);
  }
  return u;
}

std::optional<Url> parse_http_url(std::string_view text) {
  // The same authority and target rules as a WebSocket URL; only the scheme differs.
  if (text.rfind("https://", 0) == 0) return parse_url("wss://" + std::string(text.substr(8)));
  if (text.rfind("http://", 0) == 0) return parse_url("ws://" + std::string(text.substr(7)));
  return std::nullopt;
}

}  // namespace ztrade::venues::websocket
