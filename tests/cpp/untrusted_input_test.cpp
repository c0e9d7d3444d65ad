// Input from outside the engine, read by the lowest layers: env files (secrets), times in
// files, and text written into JSON. Each refusal names what is wrong and never echoes a
// secret; nothing from outside can break a JSON document.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/epoch_time.hpp"
#include "core/json_text.hpp"
#include "ops/env_file.hpp"

namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("ztrade-untrusted-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace

namespace ztrade {

TEST(EnvFile, ReadsPairsCommentsExportAndQuotes) {
  const auto f = ops::read_env_file(
      write_file("ok.env", "# keys\nexport A_KEY='s3cr3t'\nB=\"two words\"\r\n\nC=plain\n"));
  ASSERT_TRUE(f.error.empty()) << f.error;
  ASSERT_EQ(f.vars.size(), 3u);
  EXPECT_EQ(f.vars[0].second, "s3cr3t");
  EXPECT_EQ(f.vars[1].second, "two words");
  EXPECT_EQ(f.vars[2].first, "C");
}

TEST(EnvFile, NamesEachMistakeAndNeverTheValue) {
  const auto bom = ops::read_env_file(write_file("bom.env", "\xEF\xBB\xBFKEY=secret-value\n"));
  EXPECT_NE(bom.error.find("byte-order mark"), std::string::npos) << bom.error;
  const auto spaced = ops::read_env_file(write_file("spaced.env", "KEY = secret-value\n"));
  EXPECT_NE(spaced.error.find("spaces around '='"), std::string::npos) << spaced.error;
  EXPECT_NE(spaced.error.find(":1:"), std::string::npos) << spaced.error;
  const auto bad_key = ops::read_env_file(write_file("badkey.env", "OK=1\nMY-KEY=secret-value\n"));
  EXPECT_NE(bad_key.error.find(":2:"), std::string::npos) << bad_key.error;
  for (const auto* e : {&bom, &spaced, &bad_key}) {
    EXPECT_EQ(e->error.find("secret-value"), std::string::npos) << e->error;
    EXPECT_TRUE(e->vars.empty());
  }
  const auto dir = ops::read_env_file(std::filesystem::temp_directory_path().string());
  EXPECT_NE(dir.error.find("is a directory"), std::string::npos) << dir.error;
  const auto missing = ops::read_env_file("/nonexistent/ztrade.env");
  EXPECT_NE(missing.error.find("cannot read"), std::string::npos) << missing.error;
}

TEST(EnvFile, RefusesDevicesFifosAndHugeFilesWithoutReadingThem) {
  // /dev/zero never ends and a FIFO blocks the open: both are refused before reading.
  const auto zero = ops::read_env_file("/dev/zero");
  EXPECT_NE(zero.error.find("not a regular file"), std::string::npos) << zero.error;
  const auto fifo = std::filesystem::temp_directory_path() /
                    ("ztrade-untrusted-" + std::to_string(::getpid()) + "-fifo");
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto from_fifo = ops::read_env_file(fifo.string());
  EXPECT_NE(from_fifo.error.find("not a regular file"), std::string::npos) << from_fifo.error;
  std::filesystem::remove(fifo);
  const auto huge =
      ops::read_env_file(write_file("huge.env", std::string(ops::kMaxEnvFileBytes + 1, '#')));
  EXPECT_NE(huge.error.find("bytes"), std::string::npos) << huge.error;
}

TEST(EnvFile, ManyVariablesLoadInLinearTime) {
  // 100k variables took 18 s per process with a setenv each (quadratic); added at once they
  // take milliseconds. The bound is loose (a slow sanitizer build), the difference is not.
  std::string text;
  for (int i = 0; i < 100'000; ++i) text += "ZTRADE_TEST_BULK_" + std::to_string(i) + "=v\n";
  const auto f = ops::read_env_file(write_file("bulk.env", text));
  ASSERT_TRUE(f.error.empty()) << f.error;
  ::setenv("ZTRADE_TEST_BULK_7", "already set", 1);
  const auto start = std::chrono::steady_clock::now();
  ops::add_to_environment(f);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_STREQ(std::getenv("ZTRADE_TEST_BULK_99999"), "v");
  EXPECT_STREQ(std::getenv("ZTRADE_TEST_BULK_7"), "already set");  // set variables win
}

TEST(EpochTime, UnitsAreToldApartByMagnitude) {
  const std::int64_t ns = 1'704'067'200'000'000'000;  // 2024-01-01T00:00:00Z
  EXPECT_EQ(epoch_ns_of_ts("1704067200"), ns);
  EXPECT_EQ(epoch_ns_of_ts("1704067200000"), ns);
  EXPECT_EQ(epoch_ns_of_ts("1704067200000000"), ns);
  EXPECT_EQ(epoch_ns_of_ts("1704067200000000000"), ns);
  EXPECT_EQ(epoch_ns_of_ts(" 1704067200.123456789\r"), ns + 123'456'789);
  EXPECT_EQ(epoch_ns_of_ts("1704067200.5"), ns + 500'000'000);
  EXPECT_EQ(epoch_ns_of_ts("1.7040672e9"), ns);
  EXPECT_EQ(epoch_ns_of_ts("0"), 0);
  // Not a time between 1970 and 2262, in any unit: refused, never published as INT64_MIN.
  for (const char* bad : {"-1", "abc", "", "1e30", "nan", "inf", "99999999999999999999",
                          "9300000000", "1704067200x"}) {
    EXPECT_FALSE(epoch_ns_of_ts(bad).has_value()) << bad;
  }
  EXPECT_EQ(epoch_ns_of_ts_ns("1704067200000000000"), ns);
  EXPECT_FALSE(epoch_ns_of_ts_ns("-5").has_value());
  EXPECT_FALSE(epoch_ns_of_ts_ns("1.5").has_value());
}

TEST(JsonText, OutsideTextCannotBreakTheDocument) {
  EXPECT_EQ(json_string("a\"b\\c\n"), R"("a\"b\\c\u000a")");
  EXPECT_EQ(json_string("\x1b[2J"), R"("\u001b[2J")");
  EXPECT_EQ(json_string("caf\xC3\xA9"), "\"caf\xC3\xA9\"");           // valid UTF-8 kept
  EXPECT_EQ(json_string("bad\xFF\xC3"), R"("bad\ufffd\ufffd")");      // invalid replaced
  EXPECT_EQ(json_string("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");  // a surrogate
  EXPECT_EQ(json_string("\xC0\xAF"), R"("\ufffd\ufffd")");            // overlong '/'
}

}  // namespace ztrade
