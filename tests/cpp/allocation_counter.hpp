#pragma once
// Heap allocations made by this process so far: allocation_test.cpp replaces the global
// operator new to count them (the allocation tests are one executable for that reason).
namespace ztrade::test {
long allocations() noexcept;
}  // namespace ztrade::test
