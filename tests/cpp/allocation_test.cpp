// The hot path allocates nothing: counts global operator new calls while indicators and a
// FeatureComputer process bars. Its own executable, because it replaces operator new.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#include "allocation_counter.hpp"
#include "features/atr.hpp"
#include "features/bollinger.hpp"
#include "features/feature_computer.hpp"
#include "features/obv.hpp"
#include "features/rolling_stddev.hpp"
#include "features/stochastic.hpp"
#include "features/vwap.hpp"
#include "series.hpp"

namespace {
std::atomic<long> g_allocations{0};
}

long ztrade::test::allocations() noexcept {
  return g_allocations.load(std::memory_order_relaxed);
}

// Every form of operator new counts and every form of delete frees, so nothing allocated by
// one family is freed by another (ASan checks that): plain, array, nothrow and over-aligned.
namespace {
void* counted(std::size_t size) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* counted_aligned(std::size_t size, std::align_val_t align) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(align);
  return std::aligned_alloc(a, (std::max<std::size_t>(size, 1) + a - 1) / a * a);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = counted(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = counted(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  if (void* p = counted_aligned(size, align)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) {
  if (void* p = counted_aligned(size, align)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return counted_aligned(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return counted_aligned(size, align);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace ztrade {
namespace {

TEST(Allocation, NoneWhileUpdatingOrPeeking) {
  const auto bars = test::random_walk(5000, 61);
  FeatureComputer fc;
  Bollinger bb(20);
  Stochastic stoch(14, 3, 3);
  Atr atr(14);
  Obv obv;
  Vwap vwap;
  RollingStdDev sd(20);
  FeatureRow row{};
  double sink = 0;
  const long before = g_allocations.load();
  for (const Bar& b : bars) {
    sink += fc.peek(b)[1];
    ASSERT_TRUE(fc.try_update(b, row));
    sink += row[2] + bb.update(b.close).upper + stoch.update(b.high, b.low, b.close).k +
            stoch.peek(b.high, b.low, b.close).d + atr.update(b.high, b.low, b.close) +
            obv.update(b.close, b.volume) + vwap.update(b) + sd.update(b.close) +
            bb.peek(b.close).lower;
  }
  EXPECT_EQ(g_allocations.load() - before, 0) << "allocations on the update path";
  volatile double observed = sink;  // keeps the work from being optimised away
  (void)observed;
}

}  // namespace
}  // namespace ztrade
