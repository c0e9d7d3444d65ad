// WebSocket clients for bench/gateway_bench.py: N connections to the gateway's /v1/stream, each
// authenticating and subscribing to every channel and symbol, reading as fast as they can for
// S seconds on one thread (Beast, asynchronous). Prints one JSON line: messages (updates and
// replies), frames and bytes received, the fewest messages any client got, and how many
// connections the gateway closed (slow clients).
//   ztrade_bench_ws_fanout HOST PORT TOKEN CLIENTS SECONDS [CONFLATE_MS]
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct Client : std::enable_shared_from_this<Client> {
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::string host, token, conflate;
  std::uint64_t messages = 0, frames = 0, bytes = 0;  // messages: updates and replies
  bool closed = false;
  Client(asio::io_context& io, std::string h, std::string t, std::string c)
      : ws(io), host(std::move(h)), token(std::move(t)), conflate(std::move(c)) {}

  void start(const tcp::endpoint& ep) {
    beast::get_lowest_layer(ws).async_connect(
        ep, [self = shared_from_this()](beast::error_code ec) {
          if (ec) return self->fail();
          self->ws.async_handshake(self->host, "/v1/stream", [self](beast::error_code ec2) {
            if (ec2) return self->fail();
            self->send_all();
          });
        });
  }
  void send_all() {
    auto msgs = std::make_shared<std::vector<std::string>>(std::vector<std::string>{
        R"({"action":"auth","token":")" + token + R"("})",
        R"({"action":"subscribe","channels":["bars","trades","quotes","features","orders","positions","scanner"],"symbols":["*"]})"});
    if (!conflate.empty()) msgs->push_back(R"({"action":"conflate","ms":)" + conflate + "}");
    send(msgs, 0);
  }
  void send(std::shared_ptr<std::vector<std::string>> msgs, std::size_t i) {
    if (i == msgs->size()) return read();
    ws.async_write(asio::buffer((*msgs)[i]),
                   [self = shared_from_this(), msgs, i](beast::error_code ec, std::size_t) {
                     if (ec) return self->fail();
                     self->send(msgs, i + 1);
                   });
  }
  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return self->fail();
      // Updates come in arrays: count each ({"type": opens one, replies included).
      const auto data = self->buffer.cdata();
      const std::string_view text(static_cast<const char*>(data.data()), data.size());
      for (auto at = text.find(R"({"type":)"); at != std::string_view::npos;
           at = text.find(R"({"type":)", at + 1)) {
        ++self->messages;
      }
      ++self->frames;
      self->bytes += n;
      self->buffer.consume(self->buffer.size());
      self->read();
    });
  }
  void fail() { closed = true; }
};

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s HOST PORT TOKEN CLIENTS SECONDS [CONFLATE_MS]\n", argv[0]);
    return 2;
  }
  asio::io_context io;
  const tcp::endpoint ep(asio::ip::make_address(argv[1]),
                         static_cast<unsigned short>(std::atoi(argv[2])));
  const int n = std::atoi(argv[4]);
  const double seconds = std::atof(argv[5]);
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < n; ++i) {
    clients.push_back(std::make_shared<Client>(io, argv[1], argv[3], argc > 6 ? argv[6] : ""));
    clients.back()->start(ep);
  }
  const auto start = std::chrono::steady_clock::now();
  io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(seconds)));
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::uint64_t messages = 0, frames = 0, bytes = 0, least = UINT64_MAX, closed = 0;
  for (const auto& c : clients) {
    messages += c->messages;
    frames += c->frames;
    bytes += c->bytes;
    least = std::min(least, c->messages);
    closed += c->closed;
  }
  std::printf(
      "{\"clients\": %d, \"seconds\": %.2f, \"messages\": %llu, \"frames\": %llu, "
      "\"bytes\": %llu, \"per_client_min\": %llu, \"closed\": %llu}\n",
      n, elapsed, static_cast<unsigned long long>(messages),
      static_cast<unsigned long long>(frames), static_cast<unsigned long long>(bytes),
      static_cast<unsigned long long>(least), static_cast<unsigned long long>(closed));
  return 0;
}
