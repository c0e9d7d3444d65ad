// The gateway server: the listener, and sessions over plain TCP (TLS ones are instantiated in
// server_tls.cpp). The only translation units of the gateway that include Boost.Beast.
#include "gateway/server_sessions.hpp"

namespace ztrade::gateway {

using namespace detail;

void Server::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) self->on_accept(std::move(socket));
    self->accept();
  });
}

void Server::Impl::on_accept(tcp::socket socket) {
  if (stats.connections + sessions.size() >= static_cast<std::size_t>(config.max_connections)) {
    ++stats.refused_connections;
    return refuse(std::move(socket), 503, "too_many_connections",
                  "the gateway serves gateway.max_connections clients at once");
  }
  beast::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  std::string address = ec ? std::string("?") : remote.address().to_string();
  socket.set_option(tcp::no_delay(true), ec);
  auto self = shared_from_this();
  if (tls) {
    start_tls_session(std::move(socket), *tls, self, std::move(address));
  } else {
    std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), self,
                                                     std::move(address))
        ->start();
  }
}

Server::Server(asio::io_context& io, const GatewayConfig& config, Rest rest, StreamHub& hub,
               std::string stream_token, std::span<const StaticFile> files,
               std::string operator_token)
    : impl_(std::make_shared<Impl>(io, config, std::move(rest), hub, std::move(stream_token),
                                   files)) {
  impl_->operator_token = std::move(operator_token);
  impl_->accept();
}

Server::~Server() {
  stop();
}

int Server::port() const noexcept {
  return impl_->acceptor.local_endpoint().port();
}

void Server::push(Channel c, std::string_view symbol, const Payload& p) {
  auto& sessions = impl_->sessions;
  if (sessions.empty()) return;
  impl_->hub.publish(sessions, c, symbol, p);
  for (auto it = sessions.begin(); it != sessions.end();) {
    auto s = *it++;  // close_slow() may erase it
    if (s->client().slow()) {
      s->close_slow();
    } else {
      s->kick();
    }
  }
}

void Server::flush_conflated() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = impl_->sessions.begin(); it != impl_->sessions.end();) {
    auto s = *it++;
    if (s->client().conflate().count() == 0) continue;
    impl_->hub.flush(s->client(), now);
    if (s->client().slow()) {
      s->close_slow();
    } else {
      s->kick();
    }
  }
}

ServerStats Server::stats() const noexcept {
  ServerStats s = impl_->stats;
  s.stream_clients = impl_->sessions.size();
  s.unauthenticated_streams = impl_->unauthenticated;
  return s;
}

bool Server::has_stream_clients() const noexcept {
  return !impl_->sessions.empty();
}

void Server::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->sessions.clear();
}

}  // namespace ztrade::gateway
