#pragma once
// The WebSocket push's subscriptions, queues and conflation, without a socket (the server in
// gateway/server.cpp moves the bytes). A client subscribes and unsubscribes by channel and
// symbol with JSON messages and is acknowledged; each update is serialized once and shared by
// every client that wants it. Each client's queue is bounded: one that falls `client_queue`
// messages behind is marked slow and dropped by the server - never waited for, so a slow
// client cannot slow the gateway, the other clients or the engine.
//
// Client messages (text frames):
//   {"action":"auth","token":"..."}                           (unless the upgrade had a token)
//   {"action":"subscribe","channels":["bars","orders"],"symbols":["AAPL"]}   ("*": every symbol)
//   {"action":"unsubscribe","channels":[...],"symbols":[...]}
//   {"action":"conflate","ms":250}     latest value per channel and symbol every 250 ms; 0: off
// Answers: {"type":"ack",...} or {"type":"error","code":..,"message":..}. Updates come in JSON
// arrays of one or more (as Alpaca's stream sends them), each
//   {"type":"bar","symbol":"AAPL","data":{...}} (bar, trade, quote, features, order, position,
//   scanner).
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace ztrade::gateway {

enum class Channel : std::uint8_t {
  kBars,
  kTrades,
  kQuotes,
  kFeatures,
  kOrders,
  kPositions,
  kScanner
};
inline constexpr std::size_t kChannelCount = 7;
// Channel names on the wire, and the "type" of the updates each carries (by Channel).
inline constexpr std::array<std::string_view, kChannelCount> kChannelNames{
    "bars", "trades", "quotes", "features", "orders", "positions", "scanner"};
inline constexpr std::array<std::string_view, kChannelCount> kUpdateTypes{
    "bar", "trade", "quote", "features", "order", "position", "scanner"};

using Payload = std::shared_ptr<const std::string>;

class StreamClient {
 public:
  explicit StreamClient(std::size_t max_queue, bool authenticated)
      : max_queue_(max_queue), authenticated_(authenticated) {}

  [[nodiscard]] bool authenticated() const noexcept { return authenticated_; }
  [[nodiscard]] bool slow() const noexcept { return slow_; }
  [[nodiscard]] bool wants(Channel c, std::string_view symbol) const;
  [[nodiscard]] std::deque<Payload>& queue() noexcept { return queue_; }
  [[nodiscard]] std::chrono::milliseconds conflate() const noexcept { return conflate_; }
  std::chrono::steady_clock::time_point last_flush{};  // conflated values last sent

 private:
  friend class StreamHub;
  void enqueue(Payload p);
  struct Subscription {
    bool all = false;
    std::set<std::string, std::less<>> symbols;
  };
  std::array<Subscription, kChannelCount> subs_{};
  std::deque<Payload> queue_;
  std::map<std::pair<std::uint8_t, std::string>, Payload, std::less<>> pending_;  // conflated
  std::size_t max_queue_;
  std::chrono::milliseconds conflate_{0};
  bool authenticated_ = false;
  bool slow_ = false;
};

struct StreamStats {
  std::uint64_t updates = 0, delivered = 0, slow_clients = 0, bad_messages = 0, conflated = 0;
};

class StreamHub {
 public:
  // `token`: what {"action":"auth"} must present.
  explicit StreamHub(std::string token) : token_(std::move(token)) {}

  // A client's text message: the JSON answer to send back. `close` is set when the client
  // must be disconnected (failed authentication).
  [[nodiscard]] std::string on_message(StreamClient& client, std::string_view text, bool& close);

  // Hands an update to every subscribed client: queued, or held as the latest value when the
  // client conflates. Clients that overflow are marked slow(). True if anyone wanted it.
  template <class Clients>
  bool publish(Clients& clients, Channel c, std::string_view symbol, const Payload& p) {
    ++stats_.updates;
    bool any = false;
    for (auto& client : clients) {
      StreamClient& s = client_of(client);
      if (!s.authenticated_ || s.slow_ || !s.wants(c, symbol)) continue;
      any = true;
      if (s.conflate_.count() > 0) {
        auto [it, fresh] =
            s.pending_.try_emplace({static_cast<std::uint8_t>(c), std::string(symbol)}, p);
        if (!fresh) {
          it->second = p;
          ++stats_.conflated;
        }
      } else {
        s.enqueue(p);
        if (s.slow_) ++stats_.slow_clients;
        ++stats_.delivered;
      }
    }
    return any;
  }
  // Moves every conflated latest value into its client's queue once the client's conflation
  // interval has passed since the last time (`now`: steady clock; none: at once).
  void flush(StreamClient& client, std::chrono::steady_clock::time_point now =
                                       std::chrono::steady_clock::time_point::max());
  [[nodiscard]] const StreamStats& stats() const noexcept { return stats_; }
  void count_slow() noexcept { ++stats_.slow_clients; }

  // {"type":<type>,"symbol":..,"data":<data>}, serialized once for every client.
  [[nodiscard]] static Payload update(Channel c, std::string_view symbol, std::string_view data);

 private:
  template <class T>
  static StreamClient& client_of(T& c) {
    if constexpr (std::is_same_v<std::decay_t<T>, StreamClient>) {
      return c;
    } else {
      return c->client();  // a session holding its StreamClient
    }
  }
  std::string token_;
  StreamStats stats_;
};

}  // namespace ztrade::gateway
