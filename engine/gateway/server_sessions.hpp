#pragma once
// The gateway server's sessions (HTTP, WebSocket) as templates over the transport, plain
// or TLS: included by server.cpp (plain, the listener) and server_tls.cpp (TLS), so that the
// two heavy instantiations compile in parallel. Private to those two files.
#include "gateway/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "gateway/json.hpp"
#include "ops/control_protocol.hpp"

namespace ztrade::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace detail {

constexpr auto kReadDeadline = 10s;                 // to send a whole request
constexpr std::size_t kMaxStreamMessage = 4096;     // a client's subscribe message, at most
constexpr std::size_t kMaxTrackedClients = 10'000;  // rate-limit buckets kept
constexpr std::size_t kMaxBatch = 64 * 1024;        // bytes of updates sent in one message, about
// Answers (acks, errors) waiting for a stream client: past this, its messages are not read
// until it reads what it was sent - a client that writes and never reads costs this, no more.
constexpr std::size_t kMaxReplyBytes = 64 * 1024;
constexpr auto kAuthDeadline = 5s;  // a stream connection's time to authenticate
constexpr auto kCloseGrace = 1s;    // a closed stream client's time to answer the close

// Stream connections that have not authenticated may hold this many of max_connections.
inline std::size_t max_unauthenticated(int max_connections) {
  return std::max<std::size_t>(1, static_cast<std::size_t>(max_connections) / 4);
}

inline bool is_tls(const GatewayConfig& c) {
  return !c.tls_cert.empty();
}

}  // namespace detail

// A stream session, whatever its transport (plain or TLS).
struct StreamSession {
  virtual ~StreamSession() = default;
  virtual StreamClient& client() = 0;
  virtual void kick() = 0;        // writes what is queued
  virtual void close_slow() = 0;  // disconnects a client that fell behind
};

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  asio::io_context& io;
  const GatewayConfig& config;
  Rest rest;
  StreamHub& hub;
  std::string stream_token;
  std::span<const StaticFile> files;
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor;
  ServerStats stats;
  std::set<std::shared_ptr<StreamSession>> sessions;
  std::size_t unauthenticated = 0;  // stream sessions that have not authenticated yet
  std::string operator_token;
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at{};
  };
  std::map<std::string, Bucket, std::less<>> buckets;  // per client address
  bool stopped = false;

  Impl(asio::io_context& i, const GatewayConfig& c, Rest r, StreamHub& h, std::string token,
       std::span<const StaticFile> f)
      : io(i),
        config(c),
        rest(std::move(r)),
        hub(h),
        stream_token(std::move(token)),
        files(f),
        acceptor(i) {
    if (detail::is_tls(c)) {
      tls.emplace(ssl::context::tls_server);
      tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      boost::system::error_code ec;
      tls->use_certificate_chain_file(c.tls_cert, ec);
      if (ec) throw std::runtime_error("gateway.tls_cert " + c.tls_cert + ": " + ec.message());
      tls->use_private_key_file(c.tls_key, ssl::context::pem, ec);
      if (ec) throw std::runtime_error("gateway.tls_key " + c.tls_key + ": " + ec.message());
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(c.bind, ec);
    if (ec) throw std::runtime_error("gateway.bind: not an IP address: " + c.bind);
    const tcp::endpoint ep(address, static_cast<unsigned short>(c.port));
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep, ec);
    if (ec) {
      throw std::runtime_error(
          fmt::format("gateway: cannot listen on {}:{}: {}", c.bind, c.port, ec.message()));
    }
    acceptor.listen(asio::socket_base::max_listen_connections);
  }

  // A request with a valid bearer token (read-only or operator).
  bool authenticated(std::string_view authorization) const {
    if (!authorization.starts_with("Bearer ")) return false;
    const auto token = authorization.substr(7);
    return ops::token_matches(token, stream_token) ||
           (!operator_token.empty() && ops::token_matches(token, operator_token));
  }

  // Token bucket per address and kind (with a valid token or without): requests_per_s, with a
  // burst of as many. Token-less requests never spend an authenticated client's budget.
  bool allow(const std::string& address, bool with_token) {
    const auto now = std::chrono::steady_clock::now();
    std::string key = address;
    key += with_token ? "|token" : "|none";
    auto it = buckets.find(key);
    if (it == buckets.end()) {
      if (buckets.size() >= detail::kMaxTrackedClients) buckets.clear();  // bounded; forgiving
      it = buckets.emplace(std::move(key), Bucket{static_cast<double>(config.requests_per_s), now})
               .first;
    }
    Bucket& b = it->second;
    const double rate = config.requests_per_s;
    b.tokens = std::min(rate, b.tokens + rate * std::chrono::duration<double>(now - b.at).count());
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  const StaticFile* file(std::string_view path) const {
    for (const StaticFile& f : files) {
      if (f.path == path) return &f;
    }
    return nullptr;
  }

  void accept();
  void on_accept(tcp::socket socket);
};

namespace detail {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

inline Response json_response(const Request& req, int status, std::string body) {
  Response res{static_cast<http::status>(status), req.version()};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// Sends one JSON error on a bare socket and closes it (connections over the limit).
inline void refuse(tcp::socket socket, int status, std::string_view code,
                   std::string_view message) {
  auto res = std::make_shared<std::string>(
      fmt::format("HTTP/1.1 {} Refused\r\nContent-Type: application/json\r\nConnection: close\r\n"
                  "Content-Length: {}\r\n\r\n{}",
                  status, json_error(code, message).size(), json_error(code, message)));
  auto s = std::make_shared<tcp::socket>(std::move(socket));
  asio::async_write(*s, asio::buffer(*res), [s, res](boost::system::error_code, std::size_t) {
    boost::system::error_code ignored;
    s->shutdown(tcp::socket::shutdown_both, ignored);
  });
}

template <class Stream>
tcp::socket& lowest_socket(Stream& s) {
  return beast::get_lowest_layer(s).socket();
}

// --- WebSocket ------------------------------------------------------------------------------

template <class Stream>
class WsSession final : public StreamSession,
                        public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream&& stream, std::shared_ptr<Server::Impl> server, bool authenticated)
      : ws_(std::move(stream)),
        server_(std::move(server)),
        client_(server_->config.client_queue, authenticated),
        auth_timer_(ws_.get_executor()) {
    if (!authenticated) ++server_->unauthenticated;  // a slot of the unauthenticated share
    counted_unauthenticated_ = !authenticated;
  }
  ~WsSession() override { authenticated_now(); }

  void accept(Request req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kMaxStreamMessage);
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->server_->sessions.insert(self);
      ++self->server_->stats.stream_connects;
      if (!self->client_.authenticated()) self->start_auth_deadline();
      self->read();
    });
  }

  StreamClient& client() override { return client_; }

  // Writes what is queued: a reply on its own, else every queued update (up to kMaxBatch
  // bytes) as one JSON array - one frame and one system call for many updates, which is
  // what lets one thread keep up with a hundred clients.
  void kick() override {
    if (writing_ || closing_) return;
    auto& updates = client_.queue();
    if (replies_.empty() && updates.empty()) return;
    out_.clear();
    if (!replies_.empty()) {
      out_ = std::move(replies_.front());
      replies_.pop_front();
      replies_bytes_ -= out_.size();
    } else {
      out_ += '[';
      while (!updates.empty() && out_.size() < kMaxBatch) {
        if (out_.size() > 1) out_ += ',';
        out_ += *updates.front();
        updates.pop_front();
      }
      out_ += ']';
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(out_),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return self->drop();
                      if (self->read_paused_ && self->replies_bytes_ <= kMaxReplyBytes / 2) {
                        self->read_paused_ = false;  // it reads again: so do we
                        self->read();
                      }
                      self->kick();
                    });
  }

  void close_slow() override {
    if (closing_) return;
    ++server_->stats.slow_disconnects;
    close_with(fmt::format("slow client: {} messages behind", server_->config.client_queue));
  }

 private:
  // Closes with a policy error; nothing more is read or queued from here on.
  // The close handshake gets kCloseGrace: a client that does not answer it (it reads
  // nothing) is cut off then, and its slot freed, rather than held for the stream's timeout.
  void close_with(std::string reason) {
    if (closing_) return;
    closing_ = true;
    authenticated_now();  // a closing session holds no place in the unauthenticated share
    replies_.clear();
    replies_bytes_ = 0;
    ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, reason),
                    [self = this->shared_from_this()](beast::error_code) { self->drop(); });
    auth_timer_.expires_after(kCloseGrace);
    auth_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;
      beast::error_code ignored;
      lowest_socket(self->ws_).close(ignored);
      self->drop();
    });
  }

  void start_auth_deadline() {
    auth_timer_.expires_after(kAuthDeadline);
    auth_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->client_.authenticated() || self->closing_) return;
      ++self->server_->stats.auth_timeouts;
      self->close_with("not authenticated in time");
    });
  }

  // Leaves the unauthenticated share (authenticated, or gone).
  void authenticated_now() {
    if (!counted_unauthenticated_) return;
    counted_unauthenticated_ = false;
    --server_->unauthenticated;
  }

  void read() {
    if (closing_) return;
    if (replies_bytes_ > kMaxReplyBytes) {
      // The client writes and does not read: stop reading it until it has read its answers
      // (kick() resumes). Its socket's buffers fill; the gateway's memory does not.
      ++server_->stats.reads_paused;
      read_paused_ = true;
      return;
    }
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (self->closing_) return;  // a closing session reads (and answers) nothing more
      if (ec) {
        if (ec == websocket::error::message_too_big) ++self->server_->stats.bad_requests;
        return self->drop();
      }
      const std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      bool close = false;
      std::string reply = self->server_->hub.on_message(self->client_, text, close);
      if (self->client_.authenticated()) {
        self->authenticated_now();
        self->auth_timer_.cancel();
      }
      if (close) {
        self->closing_ = true;
        self->auth_timer_.cancel();
        auto msg = std::make_shared<std::string>(std::move(reply));
        self->ws_.text(true);
        // The refusal, then the close (code 1008).
        self->ws_.async_write(asio::buffer(*msg), [self, msg](beast::error_code, std::size_t) {
          self->ws_.async_close(
              websocket::close_reason(websocket::close_code::policy_error, "unauthorized"),
              [self](beast::error_code) { self->drop(); });
        });
        return;
      }
      self->replies_bytes_ += reply.size();
      self->replies_.push_back(std::move(reply));
      self->kick();
      self->read();
    });
  }

  void drop() {
    auth_timer_.cancel();
    authenticated_now();
    server_->sessions.erase(this->shared_from_this());
  }

  websocket::stream<Stream> ws_;
  std::shared_ptr<Server::Impl> server_;
  StreamClient client_;
  std::deque<std::string> replies_;  // acks and errors, ahead of updates
  std::size_t replies_bytes_ = 0;    // their bytes (bounded: kMaxReplyBytes)
  bool read_paused_ = false;
  bool counted_unauthenticated_ = false;
  asio::steady_timer auth_timer_;
  std::string out_;  // the message being written (kept: no allocation per write)
  beast::flat_buffer buffer_;
  bool writing_ = false, closing_ = false;
};

// --- HTTP -----------------------------------------------------------------------------------

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream&& stream, std::shared_ptr<Server::Impl> server, std::string address)
      : stream_(std::move(stream)), server_(std::move(server)), address_(std::move(address)) {
    ++server_->stats.connections;
  }
  ~HttpSession() { --server_->stats.connections; }

  void start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read();
    } else {
      beast::get_lowest_layer(stream_).expires_after(kReadDeadline);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  ++self->server_->stats.tls_failures;
                                  return;
                                }
                                self->read();
                              });
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->config.max_header_bytes));
    parser_->body_limit(server_->config.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(kReadDeadline);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    auto& stats = server_->stats;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return close();
    }
    if (ec) {
      // What was read of the request is no use: answer once and close.
      const Request& partial = parser_->get();
      if (ec == http::error::header_limit) {
        ++stats.too_large;
        return send(
            json_response(partial, 431, json_error("header_too_large", "request header too large")),
            false);
      }
      if (ec == http::error::body_limit) {
        ++stats.too_large;
        return send(
            json_response(partial, 413, json_error("body_too_large", "request body too large")),
            false);
      }
      ++stats.bad_requests;
      return send(json_response(partial, 400, json_error("bad_request", "malformed HTTP request")),
                  false);
    }
    ++stats.requests;
    Request req = parser_->release();
    if (const auto te = req[http::field::transfer_encoding]; !te.empty()) {
      // RFC 9112 section 6.3: a request whose last transfer coding is not chunked cannot be
      // framed; only chunked alone is taken. Answered once, then the connection closes.
      std::string coding(te);
      for (char& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      coding.erase(0, coding.find_first_not_of(" \t"));
      coding.erase(coding.find_last_not_of(" \t") + 1);
      if (coding != "chunked") {
        ++stats.bad_requests;
        return send(json_response(req, 400,
                                  json_error("bad_request",
                                             "Transfer-Encoding other than chunked is refused")),
                    false);
      }
    }
    const std::string_view target_of_request = req.target();
    const bool static_file =
        req.method() == http::verb::get &&
        server_->file(target_of_request.substr(0, target_of_request.find('?'))) != nullptr &&
        !websocket::is_upgrade(req);
    // The dashboard's own files cost nothing to serve (memory): never rate-limited, so a
    // flood cannot keep the page from loading. The API is, per address and token kind.
    if (!static_file &&
        !server_->allow(address_, server_->authenticated(req[http::field::authorization]))) {
      ++stats.rate_limited;
      auto res = json_response(req, 429, json_error("rate_limited", "too many requests"));
      res.set(http::field::retry_after, "1");
      return send(std::move(res), req.keep_alive());
    }
    const std::string_view target = req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (websocket::is_upgrade(req)) {
      if (path != "/v1/stream") {
        return send(json_response(req, 404, json_error("not_found", "no stream here")), false);
      }
      // A token in the Authorization header authenticates at once; browsers send
      // {"action":"auth"} first instead.
      const std::string_view auth = req[http::field::authorization];
      const bool authenticated =
          auth.starts_with("Bearer ") && ops::token_matches(auth.substr(7), server_->stream_token);
      if (!authenticated &&
          server_->unauthenticated >= max_unauthenticated(server_->config.max_connections)) {
        // The unauthenticated share is full: the rest of max_connections is kept for clients
        // that authenticate (each unauthenticated one has kAuthDeadline to do so).
        ++stats.unauthenticated_refused;
        auto res = json_response(
            req, 503,
            json_error("too_many_unauthenticated",
                       "too many stream connections waiting to authenticate; send the token in "
                       "the Authorization header, or retry"));
        res.set(http::field::retry_after, "5");
        return send(std::move(res), false);
      }
      beast::get_lowest_layer(stream_).expires_never();
      std::make_shared<WsSession<Stream>>(std::move(stream_), server_, authenticated)
          ->accept(std::move(req));
      return;
    }
    send(respond(req), req.keep_alive());
  }

  Response respond(const Request& req) {
    const std::string_view target = req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    const std::string_view origin = req[http::field::origin];
    const auto& allowed = server_->config.cors_origins;
    const bool cors =
        !origin.empty() && std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
    Response res;
    if (req.method() == http::verb::options) {
      res = json_response(req, cors ? 204 : 403,
                          cors ? "" : json_error("origin_not_allowed", "origin not allowed"));
      if (cors) {
        res.set(http::field::access_control_allow_methods, "GET, POST");
        res.set(http::field::access_control_allow_headers, "Authorization, Content-Type");
        res.set(http::field::access_control_max_age, "600");
      }
    } else if (const StaticFile* f =
                   req.method() == http::verb::get ? server_->file(path) : nullptr) {
      res = Response{http::status::ok, req.version()};
      res.set(http::field::content_type, f->content_type);
      res.set(http::field::cache_control, "no-cache");
      res.set("Content-Security-Policy",
              "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'");
      res.keep_alive(req.keep_alive());
      res.body().assign(f->bytes);
      res.prepare_payload();
    } else {
      const ApiResponse r = server_->rest(
          ApiRequest{req.method_string(), target, req[http::field::authorization], req.body()});
      res = json_response(req, r.status, r.body);
    }
    if (cors) {
      res.set(http::field::access_control_allow_origin, origin);
      res.set(http::field::vary, "Origin");
    }
    return res;
  }

  void send(Response res, bool keep_alive) {
    auto r = std::make_shared<Response>(std::move(res));
    r->keep_alive(keep_alive);
    http::async_write(
        stream_, *r,
        [self = this->shared_from_this(), r, keep_alive](beast::error_code ec, std::size_t) {
          if (ec || !keep_alive) return self->close();
          self->read();
        });
  }

  void close() {
    beast::error_code ignored;
    lowest_socket(stream_).shutdown(tcp::socket::shutdown_send, ignored);
  }

  Stream stream_;
  std::shared_ptr<Server::Impl> server_;
  std::string address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

// A connection's session over TLS (server_tls.cpp).
void start_tls_session(tcp::socket socket, ssl::context& tls, std::shared_ptr<Server::Impl> server,
                       std::string address);

}  // namespace detail
}  // namespace ztrade::gateway
