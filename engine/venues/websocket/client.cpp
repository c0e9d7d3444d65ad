#include "venues/websocket/client.hpp"

#include <deque>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "bus/publisher.hpp"
#include "venues/websocket/backoff.hpp"
#include "venues/websocket/tls.hpp"

namespace ztrade::venues::websocket {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {
// Every asynchronous step completes with its error code as a value: nothing throws.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// Venue snapshots can be large (a full Coinbase level2 book is megabytes); anything past
// this is not a market-data frame.
constexpr std::uint64_t kMaxFrameBytes = 64ull << 20;
}  // namespace

struct Client::Impl {
  using Stream = ws::stream<beast::ssl_stream<beast::tcp_stream>>;

  Impl(Client& o, asio::io_context& i, ClientConfig c, Handler& h,
       std::shared_ptr<spdlog::logger> l)
      : owner(o),
        io(i),
        config(std::move(c)),
        handler(h),
        log(std::move(l)),
        timer(i),
        backoff(config.backoff_initial, config.backoff_max) {
    configure_client_tls(ssl_ctx, config.ca_file, config.name);
  }

  asio::awaitable<void> run();
  asio::awaitable<void> connect_and_read();
  asio::awaitable<void> write_loop(std::shared_ptr<Stream> s);
  void end(std::string reason);

  Client& owner;
  asio::io_context& io;
  ClientConfig config;
  Handler& handler;
  std::shared_ptr<spdlog::logger> log;
  ssl::context ssl_ctx{ssl::context::tls_client};
  std::shared_ptr<Stream> stream;  // the current connection (shared with a pending write)
  beast::flat_buffer buffer;
  asio::steady_timer timer;
  Backoff backoff;
  ConnectionStats stats;
  std::deque<std::string> outbox;
  bool writing = false;
  bool stopped = false;
  bool drop = false;  // reconnect() asked for a new connection
  std::string drop_reason;
};

asio::awaitable<void> Client::Impl::run() {
  while (!stopped) {
    ++stats.attempts;
    co_await connect_and_read();
    if (stopped) break;
    const auto delay = backoff.next();
    log->warn("{}: connection ended ({}); reconnecting in {} ms (attempt {})", config.name,
              stats.last_error, delay.count(), backoff.attempts());
    timer.expires_after(delay);
    co_await timer.async_wait(kNoThrow);
  }
}

void Client::Impl::end(std::string reason) {
  if (stats.connected) {
    stats.connected = false;
    ++stats.disconnects;
    stats.last_error = reason;
    outbox.clear();  // requests of a dead connection; on_open sends the state again
    handler.on_close(owner, reason);
  } else {
    stats.last_error = std::move(reason);
  }
  if (stream) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(*stream).socket().close(ignored);
  }
}

asio::awaitable<void> Client::Impl::connect_and_read() {
  const Url& url = config.url;
  drop = false;
  tcp::resolver resolver(io);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(url.host, std::to_string(url.port), kNoThrow);
  if (rec) co_return end("resolve " + url.host + ": " + rec.message());
  if (stopped) co_return;

  auto s = std::make_shared<Stream>(io, ssl_ctx);
  stream = s;
  auto& tcp_layer = beast::get_lowest_layer(*s);
  tcp_layer.expires_after(config.connect_timeout);  // covers TCP and TLS
  auto [cec, ep] = co_await tcp_layer.async_connect(endpoints, kNoThrow);
  if (cec)
    co_return end("connect " + url.host + ":" + std::to_string(url.port) + ": " + cec.message());
  // SNI, and the certificate must name the host we asked for.
  if (!expect_host(s->next_layer(), url.host)) co_return end("TLS: cannot set SNI host name");
  auto [hec] = co_await s->next_layer().async_handshake(ssl::stream_base::client, kNoThrow);
  if (hec) co_return end("TLS handshake: " + hec.message());
  tcp_layer.expires_never();  // the WebSocket layer has its own timeouts from here

  ws::stream_base::timeout t{};
  t.handshake_timeout = config.connect_timeout;
  t.idle_timeout = config.idle_timeout;
  t.keep_alive_pings = true;  // ping when idle; no answer in time closes the connection
  s->set_option(t);
  s->set_option(ws::stream_base::decorator(
      [](ws::request_type& req) { req.set(beast::http::field::user_agent, "ztrade"); }));
  s->read_message_max(kMaxFrameBytes);
  const std::string host_header =
      url.port == 443 ? url.host : url.host + ":" + std::to_string(url.port);
  auto [uec] = co_await s->async_handshake(host_header, url.target, kNoThrow);
  if (uec) co_return end("WebSocket upgrade: " + uec.message());

  stats.connected = true;
  ++stats.connects;
  log->info("{}: connected to {}{}", config.name, host_header, url.target);
  handler.on_open(owner);

  std::string reason;
  while (!stopped && !drop) {
    buffer.clear();
    auto [ec, n] = co_await s->async_read(buffer, kNoThrow);
    if (ec) {
      if (ec == beast::error::timeout) ++stats.stale;
      reason = ec == ws::error::closed
                   ? "closed by the venue: " +
                         std::string(s->reason().reason.data(), s->reason().reason.size())
               : ec == beast::error::timeout ? "stale: no frame and no pong within the idle timeout"
                                             : ec.message();
      break;
    }
    const std::int64_t now = bus::wall_clock_ns();
    if (!s->got_text()) {
      ++stats.binary_frames;
      if (!config.binary_as_text) continue;
    }
    ++stats.frames;
    stats.bytes += n;
    stats.last_frame_ns = now;
    // flat_buffer keeps one contiguous block: reserving room after the frame gives simdjson
    // its padding without copying the frame.
    buffer.prepare(simdjson::SIMDJSON_PADDING);
    const auto data = buffer.cdata();
    handler.on_frame(
        owner,
        simdjson::padded_string_view(static_cast<const char*>(data.data()), data.size(),
                                     data.size() + simdjson::SIMDJSON_PADDING),
        now);
  }
  if (drop) reason = drop_reason;
  if (stopped) reason = drop_reason.empty() ? "stopped" : drop_reason;
  end(reason);
}

asio::awaitable<void> Client::Impl::write_loop(std::shared_ptr<Stream> s) {
  writing = true;
  while (!outbox.empty() && s == stream && stats.connected) {
    const std::string text = std::move(outbox.front());
    outbox.pop_front();
    s->text(true);
    auto [ec, n] = co_await s->async_write(asio::buffer(text), kNoThrow);
    if (ec) break;  // the read loop sees the failure too and ends the connection
    ++stats.sent;
  }
  writing = false;
}

Client::Client(asio::io_context& io, ClientConfig config, Handler& handler,
               std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(*this, io, std::move(config), handler, std::move(log))) {}

Client::~Client() = default;

void Client::start() {
  asio::co_spawn(impl_->io, impl_->run(),
                 [log = impl_->log, name = impl_->config.name](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& ex) {
                     log->error("{}: connection loop failed: {}", name, ex.what());
                   }
                 });
}

void Client::stop(std::string_view why) {
  impl_->stopped = true;
  impl_->drop_reason = std::string(why);
  impl_->timer.cancel();
  if (impl_->stream) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(*impl_->stream).socket().cancel(ignored);
  }
}

bool Client::send(std::string text) {
  if (!impl_->stats.connected || !impl_->stream) return false;
  impl_->outbox.push_back(std::move(text));
  if (!impl_->writing) {
    asio::co_spawn(impl_->io, impl_->write_loop(impl_->stream), asio::detached);
  }
  return true;
}

void Client::reconnect(std::string_view why) {
  if (!impl_->stream || !impl_->stats.connected) return;
  impl_->drop = true;
  impl_->drop_reason = std::string(why);
  boost::system::error_code ignored;
  beast::get_lowest_layer(*impl_->stream).socket().cancel(ignored);
}

void Client::healthy() {
  impl_->backoff.reset();
}

const ClientConfig& Client::config() const noexcept {
  return impl_->config;
}
const ConnectionStats& Client::stats() const noexcept {
  return impl_->stats;
}
bool Client::stopped() const noexcept {
  return impl_->stopped;
}

}  // namespace ztrade::venues::websocket
