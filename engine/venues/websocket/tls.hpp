#pragma once
// TLS for every connection the engine opens to a venue or a broker (the WebSocket client and
// the broker's REST client): TLS 1.2 or later, the peer's certificate verified against the
// system store or a configured CA file, SNI set and the certificate's name checked against the
// host asked for.
#include <stdexcept>
#include <string>

#include <boost/asio/ssl.hpp>

namespace ztrade::venues::websocket {

// Configures a client context; throws std::runtime_error (naming `who` and the file) when the
// CA certificates cannot be loaded.
inline void configure_client_tls(boost::asio::ssl::context& ctx, const std::string& ca_file,
                                 const std::string& who) {
  namespace ssl = boost::asio::ssl;
  boost::system::error_code ec;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx.set_verify_mode(ssl::verify_peer);
  if (ca_file.empty()) {
    ctx.set_default_verify_paths(ec);
  } else {
    ctx.load_verify_file(ca_file, ec);
  }
  if (ec) {
    throw std::runtime_error(who + ": cannot load CA certificates" +
                             (ca_file.empty() ? "" : " from " + ca_file) + ": " + ec.message());
  }
}

// Before the handshake: SNI for `host`, and the certificate must name it. False when SNI
// cannot be set.
template <class SslStream>
bool expect_host(SslStream& stream, const std::string& host) {
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) return false;
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
  return true;
}

}  // namespace ztrade::venues::websocket
