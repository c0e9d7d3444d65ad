// The signal bridge's rules for external strategies: the decision time a client may claim, and
// the declared strategies' readiness and lockstep progress.
#include <gtest/gtest.h>

#include "signals/external_strategies.hpp"
#include "signals/signal_validator.hpp"

namespace ztrade::signals {
namespace {

constexpr std::int64_t kMin = 60'000'000'000;

TEST(DecisionTime, AClientMayOnlyNameTheNextBar) {
  const LastBar last{10 * kMin, kMin};
  EXPECT_EQ(decision_time(last, 0), 10 * kMin) << "an earlier time is not believed";
  EXPECT_EQ(decision_time(last, 10 * kMin), 10 * kMin);
  EXPECT_EQ(decision_time(last, 11 * kMin), 11 * kMin) << "the bar the bridge has not seen yet";
  EXPECT_EQ(decision_time(last, 11 * kMin + 1), 10 * kMin) << "no further ahead than that";
  EXPECT_EQ(decision_time(last, 1'900'000'000'000'000'000), 10 * kMin) << "a wall clock";
  EXPECT_EQ(decision_time({10 * kMin, 0}, 11 * kMin), 10 * kMin) << "no bar length known";
}

TEST(ExternalStrategies, ReadyOnceEachHasSaidSoAndTheSlowestSetsTheBarrier) {
  StrategyConfig c;
  c.names = {"a", "b"};
  c.timeout_s = 5;
  ExternalStrategies s(c, 0);
  EXPECT_FALSE(s.all_ready());
  EXPECT_FALSE(s.on_heartbeat("intruder", wire::ComponentState::kReady, 1)) << "not declared";
  EXPECT_TRUE(s.on_heartbeat("a", wire::ComponentState::kReady, 1));
  EXPECT_FALSE(s.all_ready());
  EXPECT_TRUE(s.on_heartbeat("b", wire::ComponentState::kReady, 1));
  EXPECT_TRUE(s.all_ready());
  EXPECT_EQ(s.decided_through(3), 0u);
  s.on_decided("a", 3, 2);
  EXPECT_EQ(s.decided_through(3), 0u) << "b has decided nothing yet";
  s.on_decided("b", 2, 2);
  EXPECT_EQ(s.decided_through(3), 2u);
  s.on_decided("b", 5, 3);
  EXPECT_EQ(s.decided_through(3), 3u) << "never past what the bridge has published";
  // b fails: the lockstep goes on without it; a falls silent: so does it, after the timeout.
  s.on_heartbeat("b", wire::ComponentState::kFailed, 4);
  s.on_decided("a", 4, 4);
  EXPECT_EQ(s.decided_through(9), 4u);
  EXPECT_EQ(s.check_timeouts(4 + 5'000'000'000LL), 0);
  EXPECT_EQ(s.check_timeouts(5 + 5'000'000'000LL), 1);
  EXPECT_EQ(s.decided_through(9), 9u);
  EXPECT_TRUE(s.on_heartbeat("a", wire::ComponentState::kReady, 6'000'000'000LL));
  EXPECT_EQ(s.decided_through(9), 4u) << "heard again: back in the lockstep";
}

TEST(ExternalStrategies, OneNeverHeardLeavesTheStartAfterTheTimeout) {
  StrategyConfig c;
  c.names = {"late"};
  c.timeout_s = 1;
  ExternalStrategies s(c, 0);
  EXPECT_FALSE(s.all_ready());
  EXPECT_EQ(s.check_timeouts(2'000'000'000), 1);
  EXPECT_TRUE(s.all_ready());
}

}  // namespace
}  // namespace ztrade::signals
