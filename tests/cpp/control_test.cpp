// What operators' tools and clients send: the control protocol's parsing and token check, log
// lines that input cannot forge or flood, and the state file that keeps a HALT across restarts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ops/control_protocol.hpp"
#include "ops/log_limit.hpp"
#include "ops/state_file.hpp"

namespace ztrade::ops {
namespace {

TEST(ControlProtocol, KnownVerbsWithAnOptionalToken) {
  EXPECT_EQ(parse_control("STATE").verb, ControlVerb::kState);
  const auto halt = parse_control("HALT s3cret");
  EXPECT_EQ(halt.verb, ControlVerb::kHalt);
  EXPECT_EQ(halt.token, "s3cret");
  EXPECT_EQ(parse_control("RESUME").token, "");
  for (const char* bad : {"", "s3cret", "\ts3cret", "halt s3cret", "HALT\ns3cret", "x:s3cret",
                          "HALTs3cret", " HALT s3cret"}) {
    const auto r = parse_control(bad);
    EXPECT_EQ(r.verb, ControlVerb::kUnknown) << bad;
    EXPECT_TRUE(r.token.empty()) << bad;  // nothing of an unknown request is kept to be logged
  }
  EXPECT_EQ(verb_name(ControlVerb::kUnknown), "unknown");
}

TEST(ControlProtocol, TokenMatchesOnlyTheSecret) {
  const std::string secret(600, 'k');  // longer than the 255 bytes once read
  EXPECT_TRUE(token_matches(secret, secret));
  EXPECT_FALSE(token_matches(secret.substr(0, 599), secret));
  EXPECT_FALSE(token_matches(secret + "k", secret));
  EXPECT_FALSE(token_matches("", secret));
  EXPECT_FALSE(token_matches("", "")) << "no secret configured: nothing matches";
  std::string wrong = secret;
  wrong[300] = 'x';
  EXPECT_FALSE(token_matches(wrong, secret));
}

TEST(LogLimit, PrintableEscapesWhatCouldForgeALine) {
  EXPECT_EQ(fmt::format("{}", Printable{"AAPL"}), "AAPL");
  EXPECT_EQ(fmt::format("{}", Printable{"A\nB\x1b[2J\"\\"}), "A\\nB\\x1b[2J\\\"\\\\");
  EXPECT_EQ(fmt::format("{}", Printable{std::string(100, 'x')}),
            std::string(64, 'x') + "...(100 bytes)");
}

struct Lines {
  std::vector<std::string> lines;
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... args) {
    lines.push_back(fmt::format(f, std::forward<Args>(args)...));
  }
};

TEST(LogLimit, RepeatedLinesAreCountedNotWritten) {
  Lines log;
  LogLimiter limit(std::chrono::hours(1));
  for (int i = 0; i < 1000; ++i) limit.warn(log, "reject {}", i);
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(limit.suppressed(), 999u);
  LogLimiter now(std::chrono::milliseconds(0));
  now.warn(log, "a");
  now.warn(log, "b");
  EXPECT_EQ(log.lines.size(), 3u);
}

TEST(StateFile, ReplacedWholeAndReadBack) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ztrade-state-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "risk.state").string();
  EXPECT_FALSE(read_state_file(path));
  ASSERT_TRUE(write_state_file(path, "HALTED"));
  EXPECT_EQ(read_state_file(path).value_or(""), "HALTED");
  ASSERT_TRUE(write_state_file(path, "ACTIVE"));
  EXPECT_EQ(read_state_file(path).value_or(""), "ACTIVE");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_FALSE(write_state_file((dir / "missing" / "x").string(), "HALTED"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ztrade::ops
