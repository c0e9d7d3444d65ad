#include "apps/host.hpp"

#include "ops/env_file.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace ztrade::apps {

std::atomic<bool> g_stop{false};

namespace {
void on_signal(int) {
  g_stop.store(true);
}
}  // namespace

// Adds an env file's variables (ops/env_file.hpp) to the environment; variables already set
// win. Values are never printed.
bool load_env_file(const std::string& path, const char* program) {
  const ops::EnvFile file = ops::read_env_file(path);
  if (!file.error.empty()) {
    std::cerr << program << ": " << file.error << "\n";
    return false;
  }
  ops::add_to_environment(file);
  return true;
}

std::optional<ops::EngineConfig> load(int argc, char** argv, const char* program, int& exit_code) {
  std::string path;
  std::string env_file = std::getenv("ZTRADE_ENV_FILE") ? std::getenv("ZTRADE_ENV_FILE") : "";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--env-file" && i + 1 < argc) {
      env_file = argv[++i];
    } else if ((arg == "--config" || arg == "-c") && i + 1 < argc) {
      path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      path = arg.substr(9);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: " << program << " --config FILE [--env-file FILE]\n"
                << "  --config: the engine's TOML configuration (see docs/configuration.md).\n"
                << "  Any key can be overridden with ZTRADE__<section>__<key>=<value>.\n"
                << "  --env-file (or $ZTRADE_ENV_FILE): KEY=VALUE lines added to the\n"
                << "  environment (secrets: tokens, venue keys); set variables win.\n";
      exit_code = 0;
      return std::nullopt;
    } else {
      std::cerr << program << ": unknown argument '" << arg << "' (try --help)\n";
      exit_code = 2;
      return std::nullopt;
    }
  }
  if (path.empty()) {
    std::cerr << program << ": --config FILE is required (try --help)\n";
    exit_code = 2;
    return std::nullopt;
  }
  if (!env_file.empty() && !load_env_file(env_file, program)) {
    exit_code = 2;
    return std::nullopt;
  }
  const ops::ConfigResult r = ops::load_config(path, ops::process_environment());
  if (!r.ok()) {
    std::cerr << program << ": invalid configuration (" << r.errors.size() << " problem"
              << (r.errors.size() == 1 ? "" : "s") << "):\n";
    for (const auto& e : r.errors) std::cerr << "  " << e << "\n";
    exit_code = 2;
    return std::nullopt;
  }
  return r.config;
}

namespace {
// Holds an exclusive lock on <run_dir>/<component>.lock for the life of the process (the
// kernel releases it when the process ends, however it ends).
bool lock_component(const std::string& run_dir, const char* component, const char* program) {
  const std::string path = run_dir + "/" + component + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::cerr << program << ": cannot open " << path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {};
    const ssize_t n = ::pread(fd, holder, sizeof(holder) - 1, 0);
    std::cerr << program << ": " << component << " already runs on the run directory " << run_dir
              << " (" << path << " is held" << (n > 0 ? " by pid " : "")
              << (n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : std::string())
              << "): stop it first, or use another engine.run_dir\n";
    ::close(fd);
    return false;
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only for the message above; the lock is what matters.
  }
  return true;  // fd stays open: the lock lasts as long as the process
}
}  // namespace

bool prepare(const ops::EngineConfig& config, const char* program,
             std::initializer_list<const char*> components) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  std::error_code ec;
  const std::filesystem::path run_dir(config.engine.run_dir);
  const bool created = std::filesystem::create_directories(run_dir, ec);
  if (ec || !std::filesystem::is_directory(run_dir, ec)) {
    std::cerr << program << ": engine.run_dir " << config.engine.run_dir
              << ": cannot use it as a directory"
              << (ec ? ": " + ec.message() : std::string(": a file of that name exists")) << "\n";
    return false;
  }
  // Only this user may reach the sockets and the journal through a directory we make (one that
  // exists is the operator's to set: docs/operations.md, trust boundaries).
  if (created) {
    std::filesystem::permissions(run_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  for (const char* c : components) {
    if (!lock_component(config.engine.run_dir, c, program)) return false;
  }
  if (!config.engine.cpus.empty()) {
    // Before any thread starts (ZeroMQ's I/O threads, the ops server): they inherit it. On a
    // small VM, keeping the pipeline on one vCPU turns cross-CPU wake-ups (IPIs) into local
    // context switches (docs/performance.md).
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu : config.engine.cpus) CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
      std::cerr << program << ": engine.cpus: cannot run on those CPUs: " << std::strerror(errno)
                << "\n";
      return false;
    }
  }
  return true;
}

}  // namespace ztrade::apps
