// ztrade-market-data: hosts the market-data component.
#include "apps/host.hpp"
#include "market_data/market_data_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  int rc = 0;
  const auto config = apps::load(argc, argv, "ztrade-market-data", rc);
  if (!config) return rc;
  apps::prepare(*config);
  zmq::context_t context;
  market_data::MarketDataComponent component(context, *config, ops::endpoints_for(*config));
  return component.run(apps::g_stop);
}
