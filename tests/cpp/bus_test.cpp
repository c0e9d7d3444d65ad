// Bus: publish/subscribe over inproc and ipc, sequence accounting, and counted drops of
// malformed multipart messages.
#include <gtest/gtest.h>

#include <mutex>

#include <unistd.h>

#include <string>

#include "bus/publisher.hpp"
#include "bus/socket_options.hpp"
#include "bus/subscriber.hpp"
#include "bus/zap_authenticator.hpp"
#include "test_frames.hpp"

namespace ztrade::bus {
namespace {

using namespace std::chrono_literals;

TEST(SequenceTracker, ClassifiesEveryCase) {
  SequenceTracker t;
  EXPECT_EQ(t.observe(3, "a", 1), SeqVerdict::kFirst);
  EXPECT_EQ(t.observe(3, "a", 2), SeqVerdict::kInOrder);
  EXPECT_EQ(t.observe(3, "a", 5), SeqVerdict::kGap);
  EXPECT_EQ(t.observe(3, "a", 5), SeqVerdict::kDuplicate);
  EXPECT_EQ(t.observe(3, "a", 6), SeqVerdict::kInOrder);
  EXPECT_EQ(t.observe(3, "a", 1), SeqVerdict::kRestart);
  EXPECT_EQ(t.observe(4, "a", 10), SeqVerdict::kFirst) << "publishers are tracked separately";
  EXPECT_EQ(t.observe(3, "b", 9), SeqVerdict::kFirst) << "so are topics";
  EXPECT_EQ(t.streams(), 3u);
  const auto& c = t.counters();
  EXPECT_EQ(c.gaps, 1u);
  EXPECT_EQ(c.missing, 2u);
  EXPECT_EQ(c.duplicates, 1u);
  EXPECT_EQ(c.reordered, 0u);
  EXPECT_EQ(c.restarts, 1u);
}

TEST(SequenceTracker, APublisherRestartIsANewSessionNotAReordering) {
  // The restarted publisher's first messages went by while we reconnected: the first one seen
  // is 4 after 1000. It is tracked afresh - its gaps counted again, nothing "reordered".
  SequenceTracker t;
  for (std::uint64_t s = 1; s <= 1000; ++s) (void)t.observe(1, "md.bar.X", s);
  EXPECT_EQ(t.observe(1, "md.bar.X", 4), SeqVerdict::kRestart);
  for (std::uint64_t s = 5; s <= 200; ++s) {
    EXPECT_EQ(t.observe(1, "md.bar.X", s), SeqVerdict::kInOrder) << s;
  }
  EXPECT_EQ(t.observe(1, "md.bar.X", 203), SeqVerdict::kGap);
  EXPECT_EQ(t.counters().reordered, 0u);
  EXPECT_EQ(t.counters().missing, 2u);
}

TEST(SequenceTracker, StreamsAreBounded) {
  // Every message on a topic of its own (an outsider inventing strategy ids): the tracker
  // keeps at most kMaxStreams, forgetting (and counting) the rest.
  SequenceTracker t;
  SequenceStamper stamper;
  for (int i = 0; i < 3 * static_cast<int>(kMaxStreams); ++i) {
    const std::string topic = "sig.s" + std::to_string(i) + ".X";
    (void)t.observe(7, topic, stamper.next(topic));
  }
  EXPECT_LE(t.streams(), kMaxStreams);
  EXPECT_EQ(t.counters().evicted, 2 * kMaxStreams);
  EXPECT_EQ(stamper.evicted(), 2 * kMaxStreams);
}

PublisherConfig pub_at(std::string endpoint) {
  PublisherConfig c;
  c.endpoint = std::move(endpoint);
  return c;
}
SubscriberConfig sub_to(std::string endpoint, std::vector<std::string> topics) {
  SubscriberConfig c;
  c.endpoints = {std::move(endpoint)};
  c.topics = std::move(topics);
  return c;
}

using test::trade;

// PUB/SUB joins asynchronously: publish until the subscriber sees something.
void await_connected(Publisher& pub, Subscriber& sub) {
  Message m;
  for (int i = 0; i < 500; ++i) {
    pub.publish("warmup", trade(0), 0);
    if (sub.receive(m, 10ms)) return;
  }
  FAIL() << "subscriber never connected";
}

TEST(Bus, PublishesStampedFramesAndFiltersByTopicPrefix) {
  zmq::context_t ctx;
  Publisher pub(ctx, pub_at("inproc://bus-test-1"), 9);
  Subscriber sub(ctx, sub_to("inproc://bus-test-1", {"md.trade.", "warmup"}));
  await_connected(pub, sub);
  ASSERT_TRUE(pub.publish("md.trade.AAPL", trade(101.5), 123));
  ASSERT_TRUE(pub.publish("md.quote.AAPL", wire::QuoteMsg{}, 124));  // filtered out
  ASSERT_TRUE(pub.publish("md.trade.MSFT", trade(300.0), 125));
  Message m;
  std::vector<double> prices;
  while (sub.receive(m, 50ms)) {
    if (m.topic == "warmup") continue;
    wire::TradeMsg t{};
    ASSERT_TRUE(wire::body_as(m.frame, t));
    prices.push_back(t.price);
    EXPECT_EQ(m.frame.header.publisher_id, 9);
    EXPECT_GT(m.frame.header.send_ns, 0);
  }
  ASSERT_EQ(prices, (std::vector<double>{101.5, 300.0}));
  EXPECT_EQ(pub.last_seq("md.trade.AAPL"), 1u);
  EXPECT_EQ(pub.last_seq("md.quote.AAPL"), 1u);
  // Sequences are per topic, so filtering out the quote is not a gap.
  EXPECT_EQ(sub.sequences().counters().gaps, 0u);
}

TEST(Bus, WorksOverIpc) {
  zmq::context_t ctx;
  const std::string ep = "ipc:///tmp/ztrade-bus-test-" + std::to_string(::getpid()) + ".sock";
  Publisher pub(ctx, pub_at(ep), 1);
  Subscriber sub(ctx, sub_to(ep, {}));
  await_connected(pub, sub);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(pub.publish("md.trade.AAPL", trade(i), i));
  Message m;
  int got = 0;
  while (sub.receive(m, 100ms)) {
    if (m.topic == "md.trade.AAPL") ++got;
  }
  EXPECT_EQ(got, 1000);
  EXPECT_EQ(sub.sequences().counters().gaps, 0u);
  ::unlink(ep.substr(6).c_str());
}

TEST(Bus, MalformedMessagesAreCountedAndDropped) {
  zmq::context_t ctx;
  zmq::socket_t raw(ctx, zmq::socket_type::pub);
  raw.bind("inproc://bus-test-raw");
  Subscriber sub(ctx, sub_to("inproc://bus-test-raw", {}));
  // Join: a valid frame from a "publisher" we emulate by hand.
  std::array<std::byte, wire::kMaxFrameSize> buf{};
  wire::Header h;
  h.publisher_id = 2;
  auto send_valid = [&](std::uint64_t seq) {
    h.seq = seq;
    const auto n = wire::encode(h, trade(1.0), buf);
    raw.send(zmq::str_buffer("v"), zmq::send_flags::sndmore);
    raw.send(zmq::const_buffer(buf.data(), n));
  };
  Message m;
  bool joined = false;
  for (int i = 0; i < 500 && !joined; ++i) {
    send_valid(1);
    joined = sub.receive(m, 10ms);
  }
  ASSERT_TRUE(joined);
  while (sub.receive(m, 20ms)) {
  }
  const auto base = sub.counters();

  raw.send(zmq::str_buffer("only-topic"));  // one part
  raw.send(zmq::str_buffer("t"), zmq::send_flags::sndmore);
  raw.send(zmq::str_buffer("short"));  // truncated frame
  raw.send(zmq::str_buffer("t"), zmq::send_flags::sndmore);
  raw.send(zmq::const_buffer(buf.data(), 40), zmq::send_flags::sndmore);
  raw.send(zmq::str_buffer("extra"));  // three parts
  std::string big(1000, 'x');
  raw.send(zmq::str_buffer("t"), zmq::send_flags::sndmore);
  raw.send(zmq::buffer(big));  // oversized
  auto bad_magic = buf;
  bad_magic[0] = std::byte{1};
  raw.send(zmq::str_buffer("t"), zmq::send_flags::sndmore);
  raw.send(zmq::const_buffer(bad_magic.data(), wire::frame_size<wire::TradeMsg>()));
  send_valid(5);  // a gap after the join frames (seq 1 repeated, then 5)

  int valid = 0;
  while (sub.receive(m, 100ms)) ++valid;
  EXPECT_EQ(valid, 1);
  const auto& c = sub.counters();
  EXPECT_EQ(c.malformed_parts - base.malformed_parts, 3u);  // one part, three parts, oversized
  EXPECT_EQ(c.decode_errors[static_cast<int>(wire::DecodeError::kTooShort)], 1u);
  EXPECT_EQ(c.decode_errors[static_cast<int>(wire::DecodeError::kBadMagic)], 1u);
  EXPECT_EQ(c.dropped() - base.dropped(), 5u);
  EXPECT_GE(sub.sequences().counters().gaps, 1u);
}

}  // namespace
}  // namespace ztrade::bus

namespace ztrade::bus {
namespace {

// CURVE: a subscriber holding the publisher's public key receives (encrypted); one expecting
// another server key completes no handshake and receives nothing. Over ipc: libzmq applies no
// security mechanism to inproc, which never leaves the process.
TEST(Bus, CurveEncryptionAndServerAuthentication) {
  if (!zmq_has("curve")) GTEST_SKIP() << "libzmq built without CURVE";
  char server_pub[41], server_sec[41], client_pub[41], client_sec[41], other_pub[41], other_sec[41];
  ASSERT_EQ(zmq_curve_keypair(server_pub, server_sec), 0);
  ASSERT_EQ(zmq_curve_keypair(client_pub, client_sec), 0);
  ASSERT_EQ(zmq_curve_keypair(other_pub, other_sec), 0);
  zmq::context_t ctx;
  const std::string ep = "ipc:///tmp/ztrade-curve-" + std::to_string(::getpid()) + ".sock";
  PublisherConfig pc = pub_at(ep);
  pc.curve = {server_pub, server_sec, ""};
  Publisher pub(ctx, pc, 5);
  SubscriberConfig good = sub_to(ep, {});
  good.curve = {client_pub, client_sec, server_pub};
  SubscriberConfig bad = sub_to(ep, {});
  bad.curve = {client_pub, client_sec, other_pub};
  Subscriber trusted(ctx, good);
  Subscriber fooled(ctx, bad);
  await_connected(pub, trusted);
  Message m;
  for (int i = 0; i < 20; ++i) pub.publish("md.trade.AAPL", trade(i), i);
  int got = 0;
  while (trusted.receive(m, 50ms)) ++got;
  EXPECT_GE(got, 20);
  EXPECT_FALSE(fooled.receive(m, 200ms)) << "wrong server key: no data";
  EXPECT_THROW(apply_curve(pub.socket(), {"short", server_sec, ""}, true), std::invalid_argument);
  ::unlink(ep.substr(6).c_str());
}

// Client authentication: with a ZAP handler on the server's context, only allow-listed client
// keys complete the handshake; the refusal is reported with the client's key.
TEST(Bus, CurveClientAllowList) {
  if (!zmq_has("curve")) GTEST_SKIP() << "libzmq built without CURVE";
  char server_pub[41], server_sec[41], ok_pub[41], ok_sec[41], bad_pub[41], bad_sec[41];
  ASSERT_EQ(zmq_curve_keypair(server_pub, server_sec), 0);
  ASSERT_EQ(zmq_curve_keypair(ok_pub, ok_sec), 0);
  ASSERT_EQ(zmq_curve_keypair(bad_pub, bad_sec), 0);
  zmq::context_t server_ctx, client_ctx;
  std::vector<std::string> refused;
  std::mutex mutex;
  ZapAuthenticator auth(server_ctx, {ok_pub}, [&](std::string_view key, std::string_view) {
    std::lock_guard lock(mutex);
    refused.emplace_back(key);
  });
  EXPECT_THROW(ZapAuthenticator(server_ctx, {}), zmq::error_t) << "one handler per context";
  const std::string ep = "ipc:///tmp/ztrade-zap-" + std::to_string(::getpid()) + ".sock";
  PublisherConfig pc = pub_at(ep);
  pc.curve = {server_pub, server_sec, ""};
  Publisher pub(server_ctx, pc, 6);
  SubscriberConfig good = sub_to(ep, {});
  good.curve = {ok_pub, ok_sec, server_pub};
  SubscriberConfig bad = sub_to(ep, {});
  bad.curve = {bad_pub, bad_sec, server_pub};
  Subscriber allowed(client_ctx, good);
  Subscriber stranger(client_ctx, bad);
  await_connected(pub, allowed);
  Message m;
  for (int i = 0; i < 20; ++i) pub.publish("md.trade.AAPL", trade(i), i);
  int got = 0;
  while (allowed.receive(m, 50ms)) ++got;
  EXPECT_GE(got, 20);
  EXPECT_FALSE(stranger.receive(m, 200ms)) << "a key off the list must receive nothing";
  EXPECT_GE(auth.accepted(), 1u);
  EXPECT_GE(auth.refused(), 1u);
  {
    std::lock_guard lock(mutex);
    ASSERT_FALSE(refused.empty());
    EXPECT_EQ(refused.front(), bad_pub);
  }
  ::unlink(ep.substr(6).c_str());
}

}  // namespace
}  // namespace ztrade::bus
