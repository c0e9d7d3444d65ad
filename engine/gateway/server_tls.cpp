// The gateway's sessions over TLS (https, wss): their own translation unit, compiled beside
// server.cpp's plain ones.
#include "gateway/server_sessions.hpp"

namespace ztrade::gateway::detail {

void start_tls_session(tcp::socket socket, ssl::context& tls, std::shared_ptr<Server::Impl> server,
                       std::string address) {
  std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
      beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), tls),
      std::move(server), std::move(address))
      ->start();
}

}  // namespace ztrade::gateway::detail
