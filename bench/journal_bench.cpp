// The cost of execution.journal_sync: one order's records (new + accepted in one write, then a
// fill) appended N times in each mode, into a directory on the disk under test (default: the
// current one). Prints the latency of an append (what the order path waits for) and what a
// batch sync costs. Usage: ztrade_bench_journal [N] [DIR]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "execution/journal.hpp"

namespace {
using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point t0) {
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
}

double at(std::vector<double>& v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}
}  // namespace

int main(int argc, char** argv) {
  using namespace ztrade::execution;
  const std::size_t n = argc > 1 ? static_cast<std::size_t>(std::atoll(argv[1])) : 2000;
  const std::filesystem::path dir = argc > 2 ? argv[2] : ".";
  std::printf("journal appends, %zu orders (2 appends each: new+accepted, fill), in %s\n", n,
              std::filesystem::absolute(dir).c_str());
  std::printf("%-8s %12s %12s %12s %14s\n", "sync", "p50 us", "p99 us", "max us", "orders/s");
  for (const auto& [name, mode] : kJournalSyncNames) {
    const auto path = dir / ("ztrade-journal-bench-" + std::to_string(::getpid()) + ".journal");
    std::filesystem::remove(path);
    std::vector<double> append_ns;
    append_ns.reserve(2 * n);
    const auto start = Clock::now();
    {
      Journal j(path.string(), mode);
      JournalRecord pair[2];
      pair[0].kind = JournalKind::kNew;
      pair[1].kind = JournalKind::kAccepted;
      JournalRecord fill;
      fill.kind = JournalKind::kFill;
      for (std::size_t i = 0; i < n; ++i) {
        pair[0].client_order_id = pair[1].client_order_id = fill.client_order_id = i + 1;
        auto t0 = Clock::now();
        if (!j.append(std::span(pair))) return 1;
        append_ns.push_back(ns_since(t0));
        t0 = Clock::now();
        if (!j.append(fill)) return 1;
        // "batch": execution ends a batch after each handled message; here after each order.
        if (!j.end_batch()) return 1;
        append_ns.push_back(ns_since(t0));
      }
    }
    const double seconds = ns_since(start) / 1e9;
    std::filesystem::remove(path);
    const double max = *std::max_element(append_ns.begin(), append_ns.end());
    std::printf("%-8.*s %12.1f %12.1f %12.1f %14.0f\n", static_cast<int>(name.size()), name.data(),
                at(append_ns, 0.5) / 1e3, at(append_ns, 0.99) / 1e3, max / 1e3,
                static_cast<double>(n) / seconds);
  }
  return 0;
}
