// The gateway's history writer (engine/gateway/history.hpp): how many trades per second it
// commits to SQLite (WAL, batched transactions, its own thread) with none dropped.
//   ztrade_bench_gateway_history [--rate R] [--seconds S] [--dir D]
// Paced at R trades/s for S seconds (R 0: as fast as the gateway thread can hand them over,
// which shows the writer's ceiling). Prints one JSON line; asserts nothing.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "gateway/history.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  using Clock = std::chrono::steady_clock;
  double rate = 200'000, seconds = 10;
  std::string dir = std::filesystem::temp_directory_path().string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--rate") rate = std::atof(argv[i + 1]);
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    if (a == "--dir") dir = argv[i + 1];
  }
  const std::string path = dir + "/ztrade-history-bench.sqlite";
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  std::uint64_t offered = 0;
  double elapsed = 0;
  gateway::HistoryStats stats;
  {
    gateway::History history(path, 30, 1 << 20);
    wire::TradeMsg t{};
    const char* symbols[] = {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOG", "SPY"};
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration<double>(seconds);
    std::int64_t ts = 1'700'000'000'000'000'000;
    while (true) {
      const auto now = Clock::now();
      if (now >= end) break;
      // Paced: hand over what is due by now, in bursts, as a feed would.
      const auto due = rate > 0 ? static_cast<std::uint64_t>(
                                      std::chrono::duration<double>(now - start).count() * rate)
                                : offered + 1000;
      while (offered < due) {
        (void)t.symbol.assign(symbols[offered % 8]);
        t.price = 100 + static_cast<double>(offered % 100) * 0.01;
        t.size = 1 + static_cast<double>(offered % 7);
        t.trade_id = offered;
        t.exchange_ns = ts += 1000;
        (void)history.add(t);
        ++offered;
      }
      if (rate > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    history.flush();
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    stats = history.stats();
  }
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  std::printf(
      "{\"rate\": %.0f, \"seconds\": %.2f, \"offered\": %llu, \"written\": %llu, "
      "\"dropped\": %llu, \"errors\": %llu, \"batches\": %llu, \"written_per_s\": %.0f}\n",
      rate, elapsed, static_cast<unsigned long long>(offered),
      static_cast<unsigned long long>(stats.trades_written),
      static_cast<unsigned long long>(stats.dropped), static_cast<unsigned long long>(stats.errors),
      static_cast<unsigned long long>(stats.batches),
      static_cast<double>(stats.trades_written) / elapsed);
  return 0;
}
