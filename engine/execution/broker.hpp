#pragma once
// Where accepted orders are executed: a broker adapter. Execution hands it every order it
// accepts, every cancel request and every price event; the broker reports what happens to an
// order - fills, cancels, rejections - through the OrderManager, which journals each before it
// is published. Adapters live in engine/brokers/<name>/ and are listed in
// engine/brokers/adapters.hpp.
//
// A broker that talks to a venue does its I/O on an io_context that execution runs on its own
// thread, together with the bus (ExecutionComponent::run): every callback runs there, so the
// OrderManager is never touched from two threads and nothing locks.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace ztrade::execution {

class Broker {
 public:
  virtual ~Broker() = default;
  // A price event for symbol at market time ts_ns (a bar's open at its start, or a trade);
  // positions mark to `mark` (0: to price). `volume`: what traded in it (the bar's volume, the
  // trade's size; NaN: unknown). Returns the fills it caused.
  virtual int on_price(std::string_view symbol, double price, std::int64_t ts_ns, double mark = 0,
                       double volume = std::numeric_limits<double>::quiet_NaN()) = 0;
  // An order execution just accepted (state New in the OrderManager). Returns fills made now.
  virtual int on_order(std::uint64_t client_order_id) = 0;
  // A request to cancel an open order; client_order_id 0: every open order (the kill switch).
  // The cancel is reported when the broker has done it (at once for the simulator).
  virtual void on_cancel(std::uint64_t client_order_id, std::int64_t now_ns) = 0;
  // Orders executed on less information than they should have had (the simulated broker: a
  // price event its history no longer held); 0 for a broker that cannot have any.
  virtual std::uint64_t degraded_fills() const noexcept { return 0; }

  // The io_context the broker's I/O runs on; nullptr for a broker without I/O.
  virtual boost::asio::io_context* io() noexcept { return nullptr; }
  // Once, before the first message and after the journal is recovered: connect, compare the
  // journal with the broker's state. Throws std::runtime_error when the broker cannot be used.
  virtual void start() {}
  // Ready for orders (connected and reconciled). Execution reports ready only then.
  virtual bool ready() const noexcept { return true; }
  // Market data has ended. Returns true once the broker has settled: nothing is open at the
  // broker any more, or its wait is over (the adapter's config says how long, and whether to
  // cancel what is left). Called until it returns true.
  virtual bool settle(std::int64_t /*now_ns*/) { return true; }
  // Found state at the broker the journal cannot explain and was told not to adopt it: risk
  // should take no new exposure (REDUCING).
  virtual bool reduce_only() const noexcept { return false; }
  // The process is stopping: close connections (the journal is flushed by execution).
  virtual void stop() {}
  // Prometheus lines of the broker's own (connections, requests, drops), and a JSON object
  // for /status ("" when it has nothing to add).
  virtual void render_metrics(std::string& /*out*/) const {}
  virtual std::string status_json() const { return {}; }
};

}  // namespace ztrade::execution
