#include "gateway/gateway_component.hpp"

#include <chrono>
#include <functional>

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>

#include "bus/socket_options.hpp"
#include "bus/topic.hpp"
#include "gateway/dashboard_files.hpp"
#include "gateway/json.hpp"
#include "gateway/views.hpp"
#include "ops/control_protocol.hpp"

namespace ztrade::gateway {

using namespace std::chrono_literals;

namespace {

constexpr auto kControlTimeout = 2s;  // an operator command waits this long for risk

std::unique_ptr<zmq::socket_t> control_socket(zmq::context_t& context, const ops::Wiring& w) {
  auto s = std::make_unique<zmq::socket_t>(context, zmq::socket_type::req);
  s->set(zmq::sockopt::linger, 0);
  bus::apply_curve(*s, w.curve, false);  // nothing when CURVE is off
  s->connect(w.endpoints.risk_control);
  return s;
}

}  // namespace

GatewayComponent::GatewayComponent(zmq::context_t& context, const ops::Wiring& wiring,
                                   const GatewayConfig& config, GatewaySecrets secrets,
                                   std::map<std::string, std::string> venues)
    : config_(config),
      log_(ops::make_logger("gateway", wiring.log_level)),
      context_(context),
      wiring_(wiring),
      secrets_(std::move(secrets)),
      venues_(std::move(venues)),
      pub_(context, wiring.publisher(wiring.endpoints.gateway, wiring.endpoints.external.gateway),
           0),
      sub_(context,
           wiring.subscriber(
               {wiring.endpoints.market_data, wiring.endpoints.signals, wiring.endpoints.risk,
                wiring.endpoints.execution},
               {bus::topics::kHeartbeat, bus::topics::kBar, bus::topics::kTrade,
                bus::topics::kQuote, bus::topics::kFeatures, bus::topics::kSignal,
                bus::topics::kNewOrder, bus::topics::kRiskReject, bus::topics::kExecutionReport,
                bus::topics::kPosition, bus::topics::kExecutionMark})),
      state_(config),
      scanner_(config.scanner),
      history_(config.history_db.empty()
                   ? nullptr
                   : std::make_unique<History>(wiring.in_run_dir(config.history_db),
                                               config.history_retention_days, config.history_queue,
                                               config.nice, config.cpus, config.idle_priority)),
      hub_(secrets_.token),
      api_(state_, secrets_.token, sources()),
      ops_(config.ops_port) {
  if (secrets_.token.empty()) {
    throw std::runtime_error("gateway: $" + config.token_env +
                             " is not set: every request needs its bearer token");
  }
  if (const auto it = venues_.find("*"); it != venues_.end()) default_venue_ = it->second;
  server_ = std::make_unique<Server>(
      io_, config, [this](const ApiRequest& r) { return api_.handle(r); }, hub_, secrets_.token,
      dashboard_files(), secrets_.operator_token);
  log_->info("serving http{}://{}:{} (REST /v1, stream /v1/stream, dashboard /){}",
             config.tls_cert.empty() ? "" : "s", config.bind, server_->port(),
             history_ ? fmt::format("; history in {}", history_->path()) : "");
}

GatewayComponent::~GatewayComponent() = default;

ApiSources GatewayComponent::sources() {
  ApiSources s;
  s.operator_token = secrets_.operator_token;
  s.history = history_.get();
  s.scanner = &scanner_;
  s.control = [this](std::string_view verb) { return send_control(verb); };
  s.summary_extra = [this] { return summary_extra(); };
  s.venue_of = [this](std::string_view symbol) {
    const auto it = venues_.find(std::string(symbol));
    return it == venues_.end() ? default_venue_ : it->second;
  };
  return s;
}

void GatewayComponent::on_message(const bus::Message& m) {
  state_.on_message(m);
  const auto type = m.frame.header.type;
  const bool clients = server_->has_stream_clients();
  // An update to the stream's clients; its JSON is written only when there are any.
  const auto push = [&](Channel c, std::string_view symbol, const auto& json) {
    if (clients) server_->push(c, symbol, StreamHub::update(c, symbol, json()));
  };
  switch (type) {
    case wire::MsgType::kBar: {
      wire::BarMsg b{};
      if (!wire::body_as(m.frame, b) || b.flags != 0) break;  // closed bars only
      latency_.on_bar(b.symbol.view(), b.start_ns, m.frame.header.send_ns);
      scanner_.on_bar(b);
      if (history_) (void)history_->add(b);
      push(Channel::kBars, b.symbol.view(), [&] { return bar_json(b); });
      break;
    }
    case wire::MsgType::kTrade: {
      wire::TradeMsg t{};
      if (!wire::body_as(m.frame, t)) break;
      if (history_) (void)history_->add(t);
      push(Channel::kTrades, t.symbol.view(), [&] { return trade_json(t); });
      break;
    }
    case wire::MsgType::kQuote: {
      wire::QuoteMsg q{};
      if (!wire::body_as(m.frame, q)) break;
      push(Channel::kQuotes, q.symbol.view(), [&] { return quote_json(q); });
      break;
    }
    case wire::MsgType::kFeatures: {
      wire::FeaturesMsg f{};
      if (!wire::body_as(m.frame, f)) break;
      scanner_.on_features(f);
      push(Channel::kFeatures, f.symbol.view(), [&] { return features_json(f); });
      break;
    }
    case wire::MsgType::kNewOrder:
    case wire::MsgType::kExecutionReport: {
      std::string_view symbol;
      std::uint64_t id = 0;
      wire::NewOrderMsg o{};
      wire::ExecutionReportMsg r{};
      if (type == wire::MsgType::kNewOrder && wire::body_as(m.frame, o)) {
        latency_.on_order(o.symbol.view(), m.frame.header.event_ns, m.frame.header.send_ns);
        symbol = o.symbol.view();
        id = o.client_order_id;
      } else if (type == wire::MsgType::kExecutionReport && wire::body_as(m.frame, r)) {
        symbol = r.symbol.view();
        id = r.client_order_id;
      } else {
        break;
      }
      if (!clients) break;  // (the order's lookup is work only a client needs)
      if (const OrderView* v = state_.find_order(id)) {
        push(Channel::kOrders, symbol, [&] { return order_json(*v); });
      }
      break;
    }
    case wire::MsgType::kPosition: {
      wire::PositionMsg p{};
      if (!wire::body_as(m.frame, p) || p.symbol.view().empty()) break;
      push(Channel::kPositions, p.symbol.view(), [&] { return position_json(p); });
      break;
    }
    case wire::MsgType::kHeartbeat:
      if (upstreams_.on_heartbeat(m.frame)) ops::heartbeat_tick(heartbeat_, pub_, upstreams_, true);
      break;
    default:
      break;
  }
}

std::string GatewayComponent::send_control(std::string_view verb) {
  // Rare (an operator's click): a request of its own, waited for here, bounded.
  auto req = control_socket(context_, wiring_);
  const std::string request = fmt::format("{} {}", verb, secrets_.control_token);
  if (!req->send(zmq::buffer(request), zmq::send_flags::dontwait)) return "ERROR risk unreachable";
  zmq::pollitem_t item{req->handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, kControlTimeout) == 0) return "ERROR risk did not answer";
  zmq::message_t reply;
  if (!req->recv(reply, zmq::recv_flags::dontwait)) return "ERROR risk did not answer";
  log_->warn("operator {} through the gateway: {}", verb, reply.to_string_view());
  return reply.to_string();
}

void GatewayComponent::poll_risk_state() {
  // STATE needs no token; asked every second without blocking the loop.
  const auto now = std::chrono::steady_clock::now();
  if (!state_req_) state_req_ = control_socket(context_, wiring_);
  if (state_pending_) {
    zmq::message_t reply;
    if (state_req_->recv(reply, zmq::recv_flags::dontwait)) {
      const std::string_view text = reply.to_string_view();
      risk_state_ = text.starts_with("OK ") ? std::string(text.substr(3)) : "unknown";
      state_pending_ = false;
    } else if (now - state_sent_ > 3s) {
      state_req_.reset();  // a REQ socket waits for its reply forever: start again
      state_pending_ = false;
      risk_state_ = "unknown";
    }
    return;
  }
  if (now - state_sent_ < 1s) return;
  if (state_req_->send(zmq::str_buffer("STATE"), zmq::send_flags::dontwait)) {
    state_pending_ = true;
    state_sent_ = now;
  }
}

std::string GatewayComponent::summary_extra() const {
  const auto [p50, p90, p99] = latency_.p50_p90_p99_us();
  const auto& seq = sub_.sequences().counters();
  const auto srv = server_->stats();
  std::string history = "null";
  if (history_) {
    const auto h = history_->stats();
    history = fmt::format(R"({{"bars":{},"trades":{},"dropped":{},"queued":{},"errors":{}}})",
                          h.bars_written, h.trades_written, h.dropped, h.queued, h.errors);
  }
  return fmt::format(R"("gaps":{},"missing":{},"dropped":{},"risk_state":{},)"
                     R"("tick_to_order_us":{{"count":{},"p50":{},"p90":{},"p99":{}}},)"
                     R"("stream":{{"clients":{},"slow_disconnects":{},"updates":{}}},"history":{})",
                     seq.gaps, seq.missing, sub_.counters().dropped(), json_string(risk_state_),
                     latency_.count(), p50, p90, p99, srv.stream_clients, srv.slow_disconnects,
                     hub_.stats().updates, history);
}

void GatewayComponent::publish_metrics() {
  std::string m;
  const std::string c = "component=\"gateway\"";
  ops::render_bus(m, "gateway", pub_, sub_);
  const auto s = server_->stats();
  ops::metric(m, "ztrade_gateway_requests_total", c, static_cast<double>(s.requests));
  ops::metric(m, "ztrade_gateway_connections", c, static_cast<double>(s.connections));
  ops::metric(m, "ztrade_gateway_connections_refused_total", c,
              static_cast<double>(s.refused_connections));
  ops::metric(m, "ztrade_gateway_rate_limited_total", c, static_cast<double>(s.rate_limited));
  ops::metric(m, "ztrade_gateway_bad_requests_total", c,
              static_cast<double>(s.bad_requests + s.too_large + hub_.stats().bad_messages));
  ops::metric(m, "ztrade_gateway_tls_failures_total", c, static_cast<double>(s.tls_failures));
  ops::metric(m, "ztrade_gateway_stream_clients", c, static_cast<double>(s.stream_clients));
  ops::metric(m, "ztrade_gateway_stream_connects_total", c, static_cast<double>(s.stream_connects));
  ops::metric(m, "ztrade_gateway_stream_slow_disconnects_total", c,
              static_cast<double>(s.slow_disconnects));
  ops::metric(m, "ztrade_gateway_stream_unauthenticated", c,
              static_cast<double>(s.unauthenticated_streams));
  ops::metric(m, "ztrade_gateway_stream_auth_timeouts_total", c,
              static_cast<double>(s.auth_timeouts));
  ops::metric(m, "ztrade_gateway_stream_unauthenticated_refused_total", c,
              static_cast<double>(s.unauthenticated_refused));
  ops::metric(m, "ztrade_gateway_stream_reads_paused_total", c,
              static_cast<double>(s.reads_paused));
  ops::metric(m, "ztrade_gateway_stream_updates_total", c,
              static_cast<double>(hub_.stats().updates));
  ops::metric(m, "ztrade_gateway_stream_delivered_total", c,
              static_cast<double>(hub_.stats().delivered));
  ops::metric(m, "ztrade_gateway_symbols", c, static_cast<double>(state_.symbols().size()));
  ops::metric(m, "ztrade_gateway_symbols_dropped_total", c,
              static_cast<double>(state_.symbols_dropped()));
  if (history_) {
    const auto h = history_->stats();
    ops::metric(m, "ztrade_gateway_history_rows_written_total", c + ",kind=\"bar\"",
                static_cast<double>(h.bars_written));
    ops::metric(m, "ztrade_gateway_history_rows_written_total", c + ",kind=\"trade\"",
                static_cast<double>(h.trades_written));
    ops::metric(m, "ztrade_gateway_history_dropped_total", c, static_cast<double>(h.dropped));
    ops::metric(m, "ztrade_gateway_history_errors_total", c, static_cast<double>(h.errors));
    ops::metric(m, "ztrade_gateway_history_gaps_total", c, static_cast<double>(h.gaps));
    ops::metric(m, "ztrade_gateway_history_queued", c, static_cast<double>(h.queued));
  }
  const auto [p50, p90, p99] = latency_.p50_p90_p99_us();
  ops::metric(m, "ztrade_gateway_tick_to_order_microseconds", c + ",quantile=\"0.5\"", p50);
  ops::metric(m, "ztrade_gateway_tick_to_order_microseconds", c + ",quantile=\"0.99\"", p99);
  ops_.snapshot().publish(
      std::move(m),
      fmt::format(R"({{"component":"gateway","ready":{},"port":{},"stream_clients":{},)"
                  R"("symbols":{},"risk_state":{}}})",
                  upstreams_.all_heard(), server_->port(), s.stream_clients,
                  state_.symbols().size(), json_string(risk_state_)),
      upstreams_.all_heard());
}

void GatewayComponent::tick() {
  ops::heartbeat_tick(heartbeat_, pub_, upstreams_);
  poll_risk_state();
  server_->flush_conflated();
  if (scanner_.version() != scanner_pushed_ && server_->has_stream_clients()) {
    scanner_pushed_ = scanner_.version();
    server_->push(Channel::kScanner, "*",
                  StreamHub::update(Channel::kScanner, "*", scanner_.results_json()));
  }
  if (ops_.due()) publish_metrics();
}

int GatewayComponent::run(const std::atomic<bool>& stop) {
  // One thread: the HTTP/WebSocket connections on the io_context, and the bus read in a batch
  // every batch_ms - the gateway needs no microseconds, and one wake-up per batch instead of
  // one per message keeps it off the CPUs the trading path needs. It also runs niced.
  yield_thread(config_.nice, config_.cpus, config_.idle_priority);
  boost::asio::steady_timer timer(io_);
  const auto batch = std::chrono::milliseconds(config_.batch_ms);
  auto next_tick = std::chrono::steady_clock::now();
  bus::Message m;
  std::function<void()> turn = [&] {
    if (stop) {
      server_->stop();
      io_.stop();
      return;
    }
    while (sub_.receive(m, 0ms)) on_message(m);
    if (const auto now = std::chrono::steady_clock::now(); now >= next_tick) {
      tick();
      next_tick = now + 50ms;
    }
    timer.expires_after(batch);
    timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) turn();
    });
  };
  turn();
  io_.run();
  if (history_) history_->flush();
  const auto s = server_->stats();
  log_->info("stopped: requests={} stream_connects={} slow_disconnects={} symbols={}{}", s.requests,
             s.stream_connects, s.slow_disconnects, state_.symbols().size(),
             history_ ? fmt::format(" history bars={} trades={} dropped={}",
                                    history_->stats().bars_written,
                                    history_->stats().trades_written, history_->stats().dropped)
                      : "");
  return 0;
}

}  // namespace ztrade::gateway
