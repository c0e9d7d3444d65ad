#include "market_data/live_source.hpp"

#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bus/publisher.hpp"
#include "ops/metrics.hpp"
#include "venues/adapters.hpp"
#include "venues/websocket/client.hpp"
#include "venues/websocket/venue_session.hpp"

namespace ztrade::market_data {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Counts and times what one venue hands over: receive (socket read) to published.
struct VenueSink : venues::MarketSink {
  VenueSink(LiveSink& o, bool bars) : out(o), venue_bars(bars) {}
  LiveSink& out;
  bool venue_bars;
  ops::LatencyHistogram receive_to_publish;
  void on_trade(const wire::TradeMsg& t) noexcept override {
    out.on_trade(t, venue_bars);
    receive_to_publish.record_ns(bus::wall_clock_ns() - t.receive_ns);
  }
  void on_quote(const wire::QuoteMsg& q) noexcept override {
    out.on_quote(q);
    receive_to_publish.record_ns(bus::wall_clock_ns() - q.receive_ns);
  }
  void on_bar(const wire::BarMsg& b) noexcept override { out.on_bar(b); }
};

}  // namespace

struct LiveSource::Impl {
  struct Venue {
    std::string name;
    venues::SymbolMap symbols;
    std::unique_ptr<VenueSink> sink;
    std::unique_ptr<venues::websocket::VenueSession> session;
    std::unique_ptr<venues::websocket::Client> client;
  };

  asio::io_context io;
  std::vector<std::unique_ptr<Venue>> venues;
  std::shared_ptr<spdlog::logger> log;

  void add(const std::string& name, const venues::VenueConfig& s, LiveSink& out);
};

void LiveSource::Impl::add(const std::string& name, const venues::VenueConfig& s, LiveSink& out) {
  const venues::SessionFactory make = venues::session_factory(name);
  if (!make) throw std::runtime_error(name + ": no such venue adapter");
  auto v = std::make_unique<Venue>();
  v->name = name;
  for (const auto& [venue_symbol, engine_symbol] : s.symbols) {
    v->symbols.add(venue_symbol, engine_symbol);
  }
  venues::websocket::ClientConfig cc;
  cc.name = name;
  const auto url = venues::websocket::parse_url(s.url);
  if (!url || !url->tls) throw std::runtime_error(name + ": not a wss:// URL: " + s.url);
  cc.url = *url;
  cc.ca_file = s.ca_file;
  cc.connect_timeout = std::chrono::milliseconds(static_cast<long>(s.connect_timeout_s * 1000));
  cc.idle_timeout = std::chrono::milliseconds(static_cast<long>(s.idle_timeout_s * 1000));
  // The sink first (the session keeps a reference to it), told whether the venue sends bars.
  auto sink = std::make_unique<VenueSink>(out, false);
  auto made = make(s, v->symbols, *sink, log);
  sink->venue_bars = made.venue_bars;
  v->sink = std::move(sink);
  v->session = std::move(made.session);
  v->client = std::make_unique<venues::websocket::Client>(io, std::move(cc), *v->session, log);
  log->info("{}: {} symbol(s), channels {}, endpoint {}", name, v->symbols.size(),
            fmt::join(s.channels, ","), s.url);
  venues.push_back(std::move(v));
}

LiveSource::LiveSource(const MarketDataConfig& config, LiveSink& out,
                       std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>()) {
  impl_->log = std::move(log);
  for (const auto& [name, venue] : config.venues) {
    if (venue.enabled) impl_->add(name, venue, out);
  }
}

LiveSource::~LiveSource() = default;

std::size_t LiveSource::venues() const noexcept {
  return impl_->venues.size();
}

void LiveSource::run(const std::atomic<bool>& stop, const std::function<void()>& tick) {
  for (auto& v : impl_->venues) v->client->start();
  asio::co_spawn(
      impl_->io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(impl_->io);
        while (!stop) {
          tick();
          timer.expires_after(100ms);
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        for (auto& v : impl_->venues) v->client->stop("shutting down");
      },
      asio::detached);
  impl_->io.run();
}

void LiveSource::render_metrics(std::string& out) const {
  const std::int64_t now = bus::wall_clock_ns();
  for (const auto& v : impl_->venues) {
    const auto& c = v->client->stats();
    const auto& p = v->session->parse_counters();
    const std::string l = fmt::format(R"(component="market-data",venue="{}")", v->name);
    ops::metric(out, "ztrade_venue_connected", l, c.connected ? 1 : 0);
    // 1 once the venue's client has stopped for good (e.g. refused keys): no reconnect follows.
    ops::metric(out, "ztrade_venue_stopped", l, v->client->stopped() ? 1 : 0);
    ops::metric(out, "ztrade_venue_connects_total", l, static_cast<double>(c.connects));
    ops::metric(out, "ztrade_venue_reconnects_total", l, static_cast<double>(c.disconnects));
    ops::metric(out, "ztrade_venue_stale_total", l, static_cast<double>(c.stale));
    ops::metric(out, "ztrade_venue_connect_attempts_total", l, static_cast<double>(c.attempts));
    ops::metric(out, "ztrade_venue_messages_total", l, static_cast<double>(c.frames));
    ops::metric(out, "ztrade_venue_bytes_total", l, static_cast<double>(c.bytes));
    ops::metric(out, "ztrade_venue_events_total", l, static_cast<double>(p.events));
    ops::metric(out, "ztrade_venue_parse_errors_total", l, static_cast<double>(p.parse_errors));
    ops::metric(out, "ztrade_venue_ignored_total", l, static_cast<double>(p.ignored));
    ops::metric(out, "ztrade_venue_unknown_symbol_total", l, static_cast<double>(p.unknown_symbol));
    ops::metric(out, "ztrade_venue_gaps_total", l, static_cast<double>(p.gaps));
    ops::metric(out, "ztrade_venue_missing_total", l, static_cast<double>(p.missing));
    ops::metric(out, "ztrade_venue_duplicates_total", l, static_cast<double>(p.duplicates));
    ops::metric(out, "ztrade_venue_checksum_failures_total", l,
                static_cast<double>(p.checksum_failures));
    ops::metric(out, "ztrade_venue_book_resyncs_total", l,
                static_cast<double>(v->session->book_resyncs()));
    ops::metric(out, "ztrade_venue_errors_total", l, static_cast<double>(p.venue_errors));
    ops::metric(out, "ztrade_venue_seconds_since_last_message", l,
                c.last_frame_ns == 0 ? -1 : static_cast<double>(now - c.last_frame_ns) / 1e9);
    v->sink->receive_to_publish.render(out, "ztrade_venue_receive_to_publish_seconds", l);
  }
}

std::string LiveSource::status_json() const {
  std::string out = "{";
  for (const auto& v : impl_->venues) {
    const auto& c = v->client->stats();
    const auto& p = v->session->parse_counters();
    if (out.size() > 1) out += ",";
    out += fmt::format(
        R"("{}":{{"connected":{},"connects":{},"messages":{},"events":{},"parse_errors":{},)"
        R"("gaps":{},"checksum_failures":{},"stopped":{}}})",
        v->name, c.connected, c.connects, c.frames, p.events, p.parse_errors, p.gaps,
        p.checksum_failures, v->client->stopped());
  }
  return out + "}";
}

}  // namespace ztrade::market_data
