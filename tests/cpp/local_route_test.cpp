// The inline deployment's in-process route (bus/local_route.hpp): a publish reaches exactly
// the subscribers that would have received it over sockets, through the same receive path;
// what a handler publishes waits until it returns (no component re-enters itself); sockets
// still carry everything to observers, in publish order, once the cascade is over.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "bus/local_route.hpp"
#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "test_frames.hpp"

namespace ztrade::bus {
namespace {

using namespace std::chrono_literals;

using test::trade;

PublisherConfig local_pub(const std::string& endpoint, LocalRoute& route) {
  PublisherConfig c;
  c.endpoint = endpoint;
  c.local = &route;
  return c;
}

SubscriberConfig local_sub(std::vector<std::string> from, std::vector<std::string> topics,
                           LocalRoute& route) {
  SubscriberConfig c;
  c.endpoints = std::move(from);
  c.topics = std::move(topics);
  c.local = &route;
  return c;
}

std::vector<double> prices(Subscriber& sub) {
  std::vector<double> out;
  Message m;
  while (sub.receive(m, 0ms)) {
    wire::TradeMsg t{};
    if (wire::body_as(m.frame, t)) out.push_back(t.price);
  }
  return out;
}

TEST(LocalRoute, DeliversBySourceAndTopicPrefixThroughTheUsualReceive) {
  zmq::context_t ctx;
  LocalRoute route;
  Publisher a(ctx, local_pub("inproc://route-a", route), 1);
  Publisher b(ctx, local_pub("inproc://route-b", route), 2);
  Subscriber from_a(ctx, local_sub({"inproc://route-a"}, {"md.trade."}, route));
  Subscriber from_both(ctx, local_sub({"inproc://route-a", "inproc://route-b"}, {}, route));
  ASSERT_TRUE(a.publish("md.trade.AAPL", trade(1), 10));
  ASSERT_TRUE(a.publish("md.quote.AAPL", trade(2), 11));  // not a prefix from_a takes
  ASSERT_TRUE(b.publish("md.trade.AAPL", trade(3), 12));  // not a source from_a takes
  EXPECT_EQ(prices(from_a), (std::vector<double>{1}));
  EXPECT_EQ(prices(from_both), (std::vector<double>{1, 2, 3}));
  // Sequenced per publisher and topic, as over sockets: no gap, nothing dropped.
  EXPECT_EQ(from_both.sequences().counters().gaps, 0u);
  EXPECT_EQ(from_both.counters().received, 3u);
  EXPECT_EQ(from_both.counters().dropped(), 0u);
}

// Two "components" on one thread: `first` answers each trade with a publish of its own. The
// answer is handled after the handler that published it returned, in publish order.
TEST(LocalRoute, AHandlersPublishWaitsUntilItReturnsAndObserversSeeEverythingInOrder) {
  zmq::context_t ctx;
  LocalRoute route;
  Publisher source(ctx, local_pub("inproc://route-src", route), 1);
  Publisher answers(ctx, local_pub("inproc://route-ans", route), 2);
  Subscriber first(ctx, local_sub({"inproc://route-src"}, {}, route));
  Subscriber second(ctx, local_sub({"inproc://route-ans"}, {}, route));
  // An observer outside the process, on the answering publisher's socket.
  Subscriber observer(ctx, SubscriberConfig{{"inproc://route-ans"}, {}, 1000, {}, nullptr});
  std::vector<std::string> log;
  int depth = 0, deepest = 0;
  route.set_pump([&] {
    while (route.pending()) {
      Message m;
      while (first.receive(m, 0ms)) {
        deepest = std::max(deepest, ++depth);
        wire::TradeMsg t{};
        ASSERT_TRUE(wire::body_as(m.frame, t));
        log.push_back("first " + std::to_string(t.price));
        answers.publish("answer", trade(t.price * 10), 0);
        answers.publish("answer", trade(t.price * 100), 0);
        log.push_back("first done");
        --depth;
      }
      while (second.receive(m, 0ms)) {
        wire::TradeMsg t{};
        ASSERT_TRUE(wire::body_as(m.frame, t));
        log.push_back("second " + std::to_string(t.price));
      }
    }
  });
  // The observer's subscription joins asynchronously: publish until it hears an answer.
  Message m;
  for (int i = 0; i < 500 && !observer.receive(m, 10ms); ++i) source.publish("warmup", trade(0), 0);
  while (observer.receive(m, 10ms)) {
  }
  log.clear();
  source.publish("md.trade.AAPL", trade(1), 0);
  EXPECT_EQ(log, (std::vector<std::string>{"first 1.000000", "first done", "second 10.000000",
                                           "second 100.000000"}));
  EXPECT_EQ(deepest, 1);
  std::vector<double> seen;
  std::vector<std::uint64_t> seqs;
  while (observer.receive(m, 100ms)) {
    wire::TradeMsg t{};
    ASSERT_TRUE(wire::body_as(m.frame, t));
    seen.push_back(t.price);
    seqs.push_back(m.frame.header.seq);
    if (seen.size() == 2) break;
  }
  EXPECT_EQ(seen, (std::vector<double>{10, 100}));
  EXPECT_EQ(seqs.size(), 2u);
  if (seqs.size() == 2) {
    EXPECT_EQ(seqs[1], seqs[0] + 1);
  }
  EXPECT_EQ(observer.sequences().counters().gaps, 0u);
}

TEST(LocalRoute, AFullInboxIsACountedDrop) {
  zmq::context_t ctx;
  LocalRoute route;
  Publisher pub(ctx, local_pub("inproc://route-full", route), 1);
  Subscriber sub(ctx, local_sub({"inproc://route-full"}, {}, route));
  const std::size_t n = LocalRoute::kInboxSlots + 10;
  for (std::size_t i = 0; i < n; ++i) pub.publish("t", trade(static_cast<double>(i)), 0);
  const auto got = prices(sub);
  ASSERT_EQ(got.size(), LocalRoute::kInboxSlots - 1);  // one slot is kept free
  EXPECT_EQ(got.front(), 0);
  EXPECT_EQ(sub.counters().local_overflows, n - got.size());
  EXPECT_EQ(sub.counters().dropped(), n - got.size());
  EXPECT_EQ(pub.counters().sent, n);  // the socket still sent every one
}

TEST(LocalRoute, AThrowingPumpIsKeptForTheHost) {
  zmq::context_t ctx;
  LocalRoute route;
  Publisher pub(ctx, local_pub("inproc://route-throw", route), 1);
  route.set_pump([] { throw std::runtime_error("boom"); });
  EXPECT_TRUE(pub.publish("t", trade(1), 0));  // publish itself never throws
  EXPECT_THROW(route.rethrow_failure(), std::runtime_error);
}

}  // namespace
}  // namespace ztrade::bus
