// Feature benchmarks (measurements, not tests): per-update cost of every indicator and of
// FeatureComputer, and the batch path over 1,000,000 bars.
// Run: build/release/bench/ztrade_bench_features  (see docs/performance.md)
#include <benchmark/benchmark.h>

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "features/atr.hpp"
#include "features/bollinger.hpp"
#include "features/ema.hpp"
#include "features/feature_computer.hpp"
#include "features/log_return.hpp"
#include "features/macd.hpp"
#include "features/obv.hpp"
#include "features/rolling_stddev.hpp"
#include "features/rsi.hpp"
#include "features/sma.hpp"
#include "features/stochastic.hpp"
#include "features/vwap.hpp"
#include "series.hpp"

namespace ztrade {
namespace {

constexpr std::size_t kBars = 1'000'000;

const std::vector<Bar>& bars() {
  static const std::vector<Bar> b = test::random_walk(kBars, 42);
  return b;
}

// Feeds bars round-robin; one benchmark iteration = one update.
template <class F>
void run_updates(benchmark::State& state, F&& update) {
  const auto& b = bars();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(update(b[i]));
    if (++i == b.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Sma20(benchmark::State& s) {
  Sma x(20);
  run_updates(s, [&](const Bar& b) { return x.step(b.close); });
}
void BM_Ema12(benchmark::State& s) {
  Ema x(12);
  run_updates(s, [&](const Bar& b) { return x.step(b.close); });
}
void BM_Rsi14(benchmark::State& s) {
  Rsi x(14);
  run_updates(s, [&](const Bar& b) { return x.step(b.close); });
}
void BM_Macd12_26_9(benchmark::State& s) {
  Macd x(12, 26, 9);
  run_updates(s, [&](const Bar& b) { return x.step(b.close).hist; });
}
void BM_Bollinger20(benchmark::State& s) {
  Bollinger x(20);
  run_updates(s, [&](const Bar& b) { return x.step(b.close).upper; });
}
void BM_StdDev20(benchmark::State& s) {
  RollingStdDev x(20);
  run_updates(s, [&](const Bar& b) { return x.step(b.close); });
}
void BM_Atr14(benchmark::State& s) {
  Atr x(14);
  run_updates(s, [&](const Bar& b) { return x.step(b.high, b.low, b.close); });
}
void BM_Obv(benchmark::State& s) {
  Obv x;
  run_updates(s, [&](const Bar& b) { return x.step(b.close, b.volume); });
}
void BM_Stochastic14_3_3(benchmark::State& s) {
  Stochastic x(14, 3, 3);
  run_updates(s, [&](const Bar& b) { return x.step(b.high, b.low, b.close).d; });
}
void BM_Vwap(benchmark::State& s) {
  Vwap x;
  run_updates(s, [&](const Bar& b) { return x.step(b.close, b.volume, b.ts_ns); });
}
void BM_LogReturn(benchmark::State& s) {
  LogReturn x;
  run_updates(s, [&](const Bar& b) { return x.step(b.close); });
}
// The checked entry point (validates the bar, then the same work).
void BM_FeatureComputerUpdate(benchmark::State& s) {
  FeatureComputer fc;
  FeatureRow row{};
  run_updates(s, [&](const Bar& b) {
    fc.try_update(b, row);
    return row[4];
  });
}
void BM_FeatureComputerPeek(benchmark::State& s) {
  FeatureComputer fc;
  for (std::size_t i = 0; i < 100; ++i) fc.update(bars()[i]);
  run_updates(s, [&](const Bar& b) { return fc.peek(b)[4]; });
}

// Items = bars processed, plus the time per bar as a counter.
void set_bar_counters(benchmark::State& s, std::size_t bars_per_iteration) {
  const auto total = s.iterations() * static_cast<std::int64_t>(bars_per_iteration);
  s.SetItemsProcessed(total);
  s.counters["ns_per_bar"] = benchmark::Counter(
      static_cast<double>(total), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// A large array on transparent huge pages where the kernel allows it (THP "madvise" mode), as
// numpy allocates its large arrays. With 4 KiB pages the batch pays a TLB miss every ~42 rows,
// which would measure the allocator rather than the computation.
struct HugeArray {
  explicit HugeArray(std::size_t n) : size(n) {
    const std::size_t bytes = ((n * sizeof(double) + kHuge - 1) / kHuge) * kHuge;
    data.reset(static_cast<double*>(std::aligned_alloc(kHuge, bytes)));
    madvise(data.get(), bytes, MADV_HUGEPAGE);
  }
  std::span<double> span() { return {data.get(), size}; }
  static constexpr std::size_t kHuge = 2 << 20;
  struct Free {
    void operator()(double* p) const { std::free(p); }
  };
  std::unique_ptr<double[], Free> data;
  std::size_t size;
};

struct BatchInput {
  HugeArray open{kBars}, high{kBars}, low{kBars}, close{kBars}, volume{kBars};
  BatchInput() {
    const auto& b = bars();
    for (std::size_t i = 0; i < b.size(); ++i) {
      open.data[i] = b[i].open;
      high.data[i] = b[i].high;
      low.data[i] = b[i].low;
      close.data[i] = b[i].close;
      volume.data[i] = b[i].volume;
    }
  }
  BarColumns columns() {
    return {open.span(), high.span(), low.span(), close.span(), volume.span()};
  }
};

// The whole 12-feature matrix for 1M bars into a reused output; items = bars.
void BM_FeatureBatch1M(benchmark::State& s) {
  const auto& b = bars();
  BatchInput in;
  HugeArray out(b.size() * kFeatureCount);
  std::fill(out.data.get(), out.data.get() + out.size, 0.0);
  FeatureComputer fc;
  for (auto _ : s) {
    fc.compute_batch(in.columns(), out.span());
    benchmark::DoNotOptimize(out.data.get());
    benchmark::ClobberMemory();
  }
  set_bar_counters(s, b.size());
}

// The same with a fresh output per call, as a caller without a reusable buffer pays (the first
// touch of ~96 MB of new pages), for comparison with Python's compute_batch without out=.
void BM_FeatureBatch1M_FreshOutput(benchmark::State& s) {
  const auto& b = bars();
  BatchInput in;
  FeatureComputer fc;
  for (auto _ : s) {
    HugeArray out(b.size() * kFeatureCount);  // uninitialised, like numpy.empty
    fc.compute_batch(in.columns(), out.span());
    benchmark::DoNotOptimize(out.data.get());
    benchmark::ClobberMemory();
  }
  set_bar_counters(s, b.size());
}

BENCHMARK(BM_Sma20);
BENCHMARK(BM_Ema12);
BENCHMARK(BM_Rsi14);
BENCHMARK(BM_Macd12_26_9);
BENCHMARK(BM_Bollinger20);
BENCHMARK(BM_StdDev20);
BENCHMARK(BM_Atr14);
BENCHMARK(BM_Obv);
BENCHMARK(BM_Stochastic14_3_3);
BENCHMARK(BM_Vwap);
BENCHMARK(BM_LogReturn);
BENCHMARK(BM_FeatureComputerUpdate);
BENCHMARK(BM_FeatureComputerPeek);
BENCHMARK(BM_FeatureBatch1M)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FeatureBatch1M_FreshOutput)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ztrade

BENCHMARK_MAIN();
