// ztrade-market-data: hosts the market-data component.
#include "apps/host.hpp"
#include "market_data/market_data_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  return apps::host(
      argc, argv, "ztrade-market-data", "market-data", [](auto& ctx, auto& cfg, auto& wiring) {
        return market_data::MarketDataComponent(ctx, wiring, cfg.market_data, ops::lockstep(cfg));
      });
}
