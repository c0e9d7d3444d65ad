// Wire codec: round trips of every message type, and every way a frame can be rejected.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "bus/codec.hpp"
#include "bus/schema.hpp"

namespace ztrade::wire {
namespace {

template <class Body>
Frame round_trip(const Body& body, std::vector<std::byte>& storage) {
  Header h;
  h.publisher_id = 7;
  h.seq = 42;
  h.event_ns = 1'700'000'000'000'000'000;
  h.send_ns = h.event_ns + 5;
  storage.resize(frame_size<Body>());
  EXPECT_EQ(encode(h, body, storage), frame_size<Body>());
  Frame f;
  EXPECT_EQ(decode(storage, f), DecodeError::kOk);
  EXPECT_EQ(f.header.type, BodyTraits<Body>::kType);
  EXPECT_EQ(f.header.publisher_id, 7);
  EXPECT_EQ(f.header.seq, 42u);
  EXPECT_EQ(f.header.send_ns, h.event_ns + 5);
  return f;
}

TEST(Wire, RoundTripsEveryType) {
  std::vector<std::byte> buf;
  BarMsg bar{};
  ASSERT_TRUE(bar.symbol.assign("AAPL"));
  bar.close = 187.25;
  bar.interval_ns = 60'000'000'000;
  BarMsg bar_out{};
  ASSERT_TRUE(body_as(round_trip(bar, buf), bar_out));
  EXPECT_EQ(bar_out.symbol.view(), "AAPL");
  EXPECT_EQ(bar_out.close, 187.25);
  EXPECT_EQ(bar_out.interval_ns, 60'000'000'000);

  SignalMsg sig{};
  ASSERT_TRUE(sig.symbol.assign("BTC-USD"));
  ASSERT_TRUE(sig.strategy.assign("macd_rsi"));
  ASSERT_TRUE(sig.metadata.assign(R"({"why":"cross"})"));
  sig.strength = -0.5;
  sig.direction = -1;
  sig.features[1] = NAN;
  SignalMsg sig_out{};
  ASSERT_TRUE(body_as(round_trip(sig, buf), sig_out));
  EXPECT_EQ(sig_out.strategy.view(), "macd_rsi");
  EXPECT_EQ(sig_out.metadata.view(), R"({"why":"cross"})");
  EXPECT_EQ(sig_out.strength, -0.5);
  EXPECT_TRUE(std::isnan(sig_out.features[1]));
  BarMsg wrong{};
  EXPECT_FALSE(body_as(round_trip(sig, buf), wrong)) << "type-checked extraction";

  ExecutionReportMsg er{};
  er.exec_type = ExecType::kPartialFill;
  er.cum_qty = 5;
  ExecutionReportMsg er_out{};
  ASSERT_TRUE(body_as(round_trip(er, buf), er_out));
  EXPECT_EQ(er_out.exec_type, ExecType::kPartialFill);

  // The remaining types, by size and type tag.
  round_trip(TradeMsg{}, buf);
  round_trip(QuoteMsg{}, buf);
  round_trip(FeaturesMsg{}, buf);
  round_trip(NewOrderMsg{}, buf);
  round_trip(CancelOrderMsg{}, buf);
  round_trip(PositionMsg{}, buf);
  round_trip(RiskRejectMsg{}, buf);
  round_trip(HeartbeatMsg{}, buf);
}

TEST(Wire, FixedStringRejectsTooLongOrNul) {
  Symbol s;
  EXPECT_TRUE(s.assign("ABCDEFGHIJKLMNOP"));  // exactly 16
  EXPECT_EQ(s.view(), "ABCDEFGHIJKLMNOP");
  EXPECT_FALSE(s.assign("ABCDEFGHIJKLMNOPQ"));
  EXPECT_EQ(s.view(), "ABCDEFGHIJKLMNOP") << "unchanged on failure";
  EXPECT_FALSE(s.assign(std::string_view("A\0B", 3)));
}

TEST(Wire, RejectsBadFrames) {
  std::vector<std::byte> buf(frame_size<BarMsg>());
  ASSERT_EQ(encode(Header{}, BarMsg{}, buf), buf.size());
  Frame f;
  EXPECT_EQ(decode(std::span(buf).first(10), f), DecodeError::kTooShort);
  EXPECT_EQ(decode(std::span(buf).first(buf.size() - 1), f), DecodeError::kSizeMismatch);
  auto longer = buf;
  longer.push_back(std::byte{0});
  EXPECT_EQ(decode(longer, f), DecodeError::kSizeMismatch);
  auto bad = buf;
  bad[0] = std::byte{0};
  EXPECT_EQ(decode(bad, f), DecodeError::kBadMagic);
  bad = buf;
  bad[2] = std::byte{99};
  EXPECT_EQ(decode(bad, f), DecodeError::kBadVersion);
  bad = buf;
  bad[3] = std::byte{0};
  EXPECT_EQ(decode(bad, f), DecodeError::kUnknownType);
  bad[3] = std::byte{200};
  EXPECT_EQ(decode(bad, f), DecodeError::kUnknownType);
  bad = buf;
  bad[3] = static_cast<std::byte>(MsgType::kTrade);  // a bar's body labelled as a trade
  EXPECT_EQ(decode(bad, f), DecodeError::kSizeMismatch);
  EXPECT_EQ(decode(std::span<const std::byte>{}, f), DecodeError::kTooShort);
}

TEST(Wire, RandomBytesNeverCrashAndRarelyDecode) {
  std::mt19937_64 rng(1);
  std::vector<std::byte> buf;
  int ok = 0;
  for (int i = 0; i < 200000; ++i) {
    buf.resize(rng() % 300);
    for (auto& b : buf) b = static_cast<std::byte>(rng());
    Frame f;
    if (decode(buf, f) == DecodeError::kOk) ++ok;
  }
  EXPECT_EQ(ok, 0);
}

}  // namespace
}  // namespace ztrade::wire

namespace ztrade::wire {
namespace {

// The schema table other languages use must describe each struct byte for byte.
TEST(WireSchema, CoversEveryStructExactly) {
  const auto specs = schema();
  ASSERT_EQ(specs.size(), 1u + kMaxMsgType);
  EXPECT_EQ(specs[0].name, "header");
  EXPECT_EQ(specs[0].size, sizeof(Header));
  for (std::size_t i = 1; i < specs.size(); ++i) {
    const auto& m = specs[i];
    EXPECT_EQ(static_cast<std::size_t>(m.type), i) << m.name;
    EXPECT_EQ(m.size, body_size_of(m.type)) << m.name;
    EXPECT_EQ(m.name, type_name(m.type));
  }
  for (const auto& m : specs) {
    std::vector<int> owner(m.size, 0);
    for (const auto& f : m.fields) {
      ASSERT_LE(f.offset + f.size, m.size) << m.name << "." << f.name;
      for (std::size_t b = f.offset; b < f.offset + f.size; ++b) ++owner[b];
    }
    for (std::size_t b = 0; b < m.size; ++b) {
      EXPECT_EQ(owner[b], 1) << m.name << " byte " << b << " is covered " << owner[b] << " times";
    }
  }
}

}  // namespace
}  // namespace ztrade::wire
