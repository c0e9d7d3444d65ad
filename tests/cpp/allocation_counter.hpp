#pragma once
// Heap allocations made by this process so far: allocation_counter.cpp replaces the global
// operator new to count them, in the executables it is linked into (the allocation tests, one
// executable for that reason, and the Alpaca broker bench).
namespace ztrade::test {
long allocations() noexcept;
}  // namespace ztrade::test
