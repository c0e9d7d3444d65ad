// How a host hands components what they need: the wiring derived from the whole config, and
// each component's own section - never the whole config. The components below are built from
// a Wiring and a section alone; what they create lands where the wiring and section say.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <zmq.hpp>

#include "execution/execution_component.hpp"
#include "market_data/market_data_component.hpp"
#include "ops/host_wiring.hpp"

namespace {

using namespace ztrade;

// A fresh run directory per test, removed afterwards.
struct RunDir {
  std::filesystem::path path;
  explicit RunDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("ztrade-wiring-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~RunDir() { std::filesystem::remove_all(path); }
};

ops::EngineConfig threads_config(const std::string& run_dir) {
  ops::EngineConfig c;
  c.engine.run_dir = run_dir;
  c.engine.deployment = "threads";
  c.engine.log_level = "warn";
  c.bus.send_hwm = 1234;
  c.bus.receive_hwm = 4321;
  c.market_data.ops_port = c.signal_bridge.ops_port = c.risk.ops_port = c.execution.ops_port = 0;
  return c;
}

TEST(Wiring, CarriesTheEnginesBusSettingsAndEndpoints) {
  const ops::EngineConfig c = threads_config("/tmp/somewhere");
  const ops::Wiring w = ops::wiring_for(c);
  EXPECT_EQ(w.run_dir, "/tmp/somewhere");
  EXPECT_EQ(w.log_level, "warn");
  EXPECT_EQ(w.endpoints.risk, "inproc://ztrade-risk");
  EXPECT_EQ(w.endpoints.external.risk, "ipc:///tmp/somewhere/risk.sock");
  const auto p = w.publisher(w.endpoints.risk, w.endpoints.external.risk);
  EXPECT_EQ(p.send_hwm, 1234);
  EXPECT_EQ(p.also_bind, "ipc:///tmp/somewhere/risk.sock");
  const auto s = w.subscriber({w.endpoints.market_data}, {"bar."});
  EXPECT_EQ(s.receive_hwm, 4321);
  ASSERT_EQ(s.topics.size(), 1u);
  EXPECT_EQ(s.topics[0], "bar.");
  EXPECT_TRUE(s.curve.public_key.empty());  // CURVE off
}

TEST(Wiring, FilesASectionNamesAreUnderTheRunDirUnlessAbsolute) {
  ops::Wiring w;
  w.run_dir = "run";
  EXPECT_EQ(w.in_run_dir("orders.journal"), "run/orders.journal");
  EXPECT_EQ(w.in_run_dir("/var/lib/ztrade/orders.journal"), "/var/lib/ztrade/orders.journal");
}

TEST(Wiring, ExecutionJournalsWhereItsSectionSays) {
  RunDir dir("execution");
  ops::EngineConfig c = threads_config(dir.path.string());
  c.execution.journal = "desk-a.journal";
  zmq::context_t context;
  const ops::Wiring w = ops::wiring_for(c);
  {
    execution::ExecutionComponent execution(context, w, c.execution);
    EXPECT_TRUE(execution.orders().open_orders().empty());
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path / "desk-a.journal"));
}

TEST(Wiring, MarketDataRecordsWhereItsSectionSays) {
  RunDir dir("market-data");
  ops::EngineConfig c = threads_config(dir.path.string());
  c.market_data.venue = "synthetic";
  c.market_data.record_file = "capture.rec";
  zmq::context_t context;
  const ops::Wiring w = ops::wiring_for(c);
  { market_data::MarketDataComponent market(context, w, c.market_data); }
  EXPECT_TRUE(std::filesystem::exists(dir.path / "capture.rec"));
}

}  // namespace
