#pragma once
// Where accepted orders are executed: a broker adapter. Execution hands it every order it
// accepts and every price event; the broker reports what happens to an order - fills,
// cancels - through the OrderManager, which journals each before it is published. Adapters
// live in engine/brokers/<name>/ and are listed in engine/brokers/brokers.hpp.
#include <cstdint>
#include <string_view>

namespace ztrade::execution {

class Broker {
 public:
  virtual ~Broker() = default;
  // A price event for symbol at market time ts_ns (a bar's open at its start, or a trade);
  // positions mark to `mark` (0: to price). Returns the fills it caused.
  virtual int on_price(std::string_view symbol, double price, std::int64_t ts_ns,
                       double mark = 0) = 0;
  // An order execution just accepted (state New in the OrderManager). Returns fills made now.
  virtual int on_order(std::uint64_t client_order_id) = 0;
  // Orders executed on less information than they should have had (the simulated broker: a
  // price event its history no longer held); 0 for a broker that cannot have any.
  virtual std::uint64_t degraded_fills() const noexcept { return 0; }
};

}  // namespace ztrade::execution
