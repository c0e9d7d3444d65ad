// The raw ZeroMQ floor the engine's latency is judged against: a chain of plain PUB/SUB hops
// with no engine code - a source process, (hops - 1) relay processes and a sink process, each
// with its own context, passing [topic][frame] messages of engine size over ipc:// (or tcp://).
// The source paces messages like the synthetic feed (sleep until each due time); the sink
// records send-to-receive latency per message on the one host clock.
//
// Usage: ztrade_bench_zmq_chain [--hops 3] [--rate 1000] [--duration 10] [--dir /tmp]
//                               [--transport ipc|tcp] [--port 7600] [--listeners N]
//                               [--cpus 0,1] [--json]
// --listeners adds N more subscribers to every stage's publisher that only receive (as the
// engine's other components and the launcher's tap do); --cpus pins every process of the
// chain to those CPUs (as engine.cpus does for the engine).
// Prints percentiles (microseconds) and how many messages were lost on the way.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <zmq.hpp>

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Options {
  int hops = 3;
  double rate = 1000;
  double duration_s = 10;
  std::string dir = "/tmp";
  std::string transport = "ipc";
  int port = 7600;
  bool json = false;
  int listeners = 0;
  std::string cpus;
  int owner_pid = 0;  // the parent's pid, fixed before forking, names the ipc sockets
};

// Engine-sized payload: a 32-byte header plus a 64-byte trade body.
struct Payload {
  std::uint64_t seq;
  std::int64_t send_ns;
  std::uint8_t warmup;
  std::uint8_t pad[87];
};
static_assert(sizeof(Payload) == 104);

std::string endpoint(const Options& o, int index) {
  if (o.transport == "tcp") return "tcp://127.0.0.1:" + std::to_string(o.port + index);
  return "ipc://" + o.dir + "/zmq-chain-" + std::to_string(o.owner_pid) + "-" +
         std::to_string(index) + ".sock";
}

constexpr std::string_view kTopic = "md.trade.SYN1";
constexpr std::size_t kMaxSamples = 20'000'000;

zmq::socket_t subscriber(zmq::context_t& ctx, const std::string& in) {
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::rcvhwm, 100000);
  sub.set(zmq::sockopt::subscribe, "");
  sub.connect(in);
  return sub;
}

// Reads one [topic][payload] message; false if either part is missing.
bool receive(zmq::socket_t& sub, std::array<char, 64>& topic, std::size_t& topic_size, Payload& p) {
  auto t = sub.recv(zmq::mutable_buffer(topic.data(), topic.size()));
  auto b = sub.recv(zmq::mutable_buffer(&p, sizeof(p)));
  if (!t || !b) return false;
  topic_size = t->size;
  return true;
}

// Relay: receive each message and publish it unchanged on the next endpoint.
void relay(const std::string& in, const std::string& out) {
  zmq::context_t ctx(1);
  zmq::socket_t pub(ctx, zmq::socket_type::pub);
  pub.set(zmq::sockopt::sndhwm, 100000);
  pub.set(zmq::sockopt::linger, 0);
  pub.bind(out);
  zmq::socket_t sub = subscriber(ctx, in);
  std::array<char, 64> topic{};
  std::size_t topic_size = 0;
  Payload p{};
  for (;;) {
    if (!receive(sub, topic, topic_size, p)) continue;
    pub.send(zmq::buffer(topic.data(), topic_size), zmq::send_flags::sndmore);
    pub.send(zmq::buffer(&p, sizeof(p)), zmq::send_flags::none);
    if (p.seq == 0) return;  // end marker, forwarded first
  }
}

// Listener: receives everything a stage publishes and drops it.
void listen_only(const std::string& in) {
  zmq::context_t ctx(1);
  zmq::socket_t sub = subscriber(ctx, in);
  std::array<char, 64> topic{};
  std::size_t topic_size = 0;
  Payload p{};
  for (;;) {
    if (receive(sub, topic, topic_size, p) && p.seq == 0) return;
  }
}

bool pin(const std::string& list) {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::size_t at = 0;
  while (at < list.size()) {
    const int cpu = std::atoi(list.c_str() + at);
    if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
    CPU_SET(cpu, &set);
    const auto comma = list.find(',', at);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return sched_setaffinity(0, sizeof(set), &set) == 0;
}

struct SinkResult {
  std::vector<std::int64_t> latencies;
  std::uint64_t last_seq = 0;
  std::uint64_t missing = 0;
};

void sink(const std::string& in, int report_fd) {
  zmq::context_t ctx(1);
  zmq::socket_t sub = subscriber(ctx, in);
  SinkResult r;
  r.latencies.reserve(1 << 20);
  std::array<char, 64> topic{};
  std::size_t topic_size = 0;
  Payload p{};
  for (;;) {
    const bool ok = receive(sub, topic, topic_size, p);
    const std::int64_t arrived = now_ns();
    if (!ok) continue;
    if (p.seq == 0) break;
    if (p.warmup) continue;
    if (r.last_seq != 0 && p.seq > r.last_seq + 1) r.missing += p.seq - r.last_seq - 1;
    r.last_seq = p.seq;
    if (r.latencies.size() < kMaxSamples) r.latencies.push_back(arrived - p.send_ns);
  }
  // Report back: count, missing, then the samples.
  const std::uint64_t n = r.latencies.size();
  auto write_all = [&](const void* data, std::size_t size) {
    const char* c = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t w = write(report_fd, c, size);
      if (w <= 0) return;
      c += w;
      size -= static_cast<std::size_t>(w);
    }
  };
  write_all(&n, sizeof(n));
  write_all(&r.missing, sizeof(r.missing));
  write_all(r.latencies.data(), n * sizeof(std::int64_t));
}

double percentile(std::vector<std::int64_t>& v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q / 100.0 * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

int usage(const char* why) {
  std::fprintf(stderr,
               "error: %s\nusage: ztrade_bench_zmq_chain [--hops N] [--rate MSG_PER_S] "
               "[--duration S] [--dir DIR] [--transport ipc|tcp] [--port P] [--json]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--json") {
      o.json = true;
      continue;
    }
    if (!(v = value())) return usage("missing value after an option");
    if (a == "--hops")
      o.hops = std::atoi(v);
    else if (a == "--rate")
      o.rate = std::atof(v);
    else if (a == "--duration")
      o.duration_s = std::atof(v);
    else if (a == "--dir")
      o.dir = v;
    else if (a == "--transport")
      o.transport = v;
    else if (a == "--port")
      o.port = std::atoi(v);
    else if (a == "--listeners")
      o.listeners = std::atoi(v);
    else if (a == "--cpus")
      o.cpus = v;
    else
      return usage("unknown option");
  }
  if (o.hops < 1 || o.hops > 16) return usage("--hops must be 1..16");
  if (!(o.rate > 0) || !(o.duration_s > 0)) return usage("--rate and --duration must be > 0");
  if (o.transport != "ipc" && o.transport != "tcp") return usage("--transport is ipc or tcp");
  if (o.listeners < 0 || o.listeners > 8) return usage("--listeners must be 0..8");
  if (!o.cpus.empty() && !pin(o.cpus)) return usage("--cpus: cannot pin to that CPU list");

  o.owner_pid = static_cast<int>(getpid());
  // Endpoint i is bound by stage i (0 = source); stage i + 1 connects to it.
  int report[2];
  if (pipe(report) != 0) return 1;
  std::vector<pid_t> children;
  const pid_t sink_pid = fork();
  if (sink_pid == 0) {
    close(report[0]);
    sink(endpoint(o, o.hops - 1), report[1]);
    _exit(0);
  }
  children.push_back(sink_pid);
  close(report[1]);
  for (int stage = o.hops - 1; stage >= 1; --stage) {
    const pid_t pid = fork();
    if (pid == 0) {
      relay(endpoint(o, stage - 1), endpoint(o, stage));
      _exit(0);
    }
    children.push_back(pid);
  }
  for (int stage = 0; stage < o.hops; ++stage) {
    for (int l = 0; l < o.listeners; ++l) {
      const pid_t pid = fork();
      if (pid == 0) {
        listen_only(endpoint(o, stage));
        _exit(0);
      }
      children.push_back(pid);
    }
  }

  {
    zmq::context_t ctx(1);
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    pub.set(zmq::sockopt::sndhwm, 100000);
    pub.set(zmq::sockopt::linger, 5000);
    pub.bind(endpoint(o, 0));
    Payload p{};
    auto send = [&](std::uint64_t seq, bool warmup) {
      p.seq = seq;
      p.warmup = warmup ? 1 : 0;
      p.send_ns = now_ns();
      pub.send(zmq::buffer(kTopic.data(), kTopic.size()), zmq::send_flags::sndmore);
      pub.send(zmq::buffer(&p, sizeof(p)), zmq::send_flags::none);
    };
    // Warm-up: a second of paced messages lets every subscription reach its publisher (the
    // slow-joiner window) and the processes settle; the sink ignores these.
    std::uint64_t seq = 1;
    const auto period = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / o.rate));
    auto due = Clock::now();
    const auto warm_end = due + std::chrono::seconds(1);
    while (due < warm_end) {
      std::this_thread::sleep_until(due);
      send(seq++, true);
      due += std::chrono::milliseconds(1);
    }
    const auto start = Clock::now();
    const auto n = static_cast<std::uint64_t>(o.rate * o.duration_s);
    for (std::uint64_t i = 0; i < n; ++i) {
      std::this_thread::sleep_until(start + period * static_cast<std::int64_t>(i));
      send(seq++, false);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    send(0, false);  // end marker
  }

  std::uint64_t count = 0, missing = 0;
  std::vector<std::int64_t> lat;
  if (read(report[0], &count, sizeof(count)) == sizeof(count) &&
      read(report[0], &missing, sizeof(missing)) == sizeof(missing)) {
    lat.resize(count);
    std::size_t got = 0;
    auto* bytes = reinterpret_cast<char*>(lat.data());
    while (got < count * sizeof(std::int64_t)) {
      const ssize_t r = read(report[0], bytes + got, count * sizeof(std::int64_t) - got);
      if (r <= 0) break;
      got += static_cast<std::size_t>(r);
    }
    lat.resize(got / sizeof(std::int64_t));
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
  }
  const double expected = o.rate * o.duration_s;
  const double p50 = percentile(lat, 50), p99 = percentile(lat, 99), p999 = percentile(lat, 99.9);
  const double mx =
      lat.empty() ? 0 : static_cast<double>(*std::max_element(lat.begin(), lat.end())) / 1000.0;
  if (o.json) {
    std::printf(
        "{\"hops\": %d, \"listeners\": %d, \"cpus\": \"%s\", \"transport\": \"%s\", "
        "\"rate\": %.0f, \"duration_s\": %.1f, "
        "\"expected\": %.0f, \"count\": %zu, \"missing\": %llu, \"p50_us\": %.2f, "
        "\"p99_us\": %.2f, \"p999_us\": %.2f, \"max_us\": %.2f}\n",
        o.hops, o.listeners, o.cpus.c_str(), o.transport.c_str(), o.rate, o.duration_s, expected,
        lat.size(), static_cast<unsigned long long>(missing), p50, p99, p999, mx);
  } else {
    std::printf(
        "raw ZeroMQ chain: %d hop(s) over %s at %.0f msg/s for %.1f s, %d listener(s) "
        "a stage, cpus %s\n",
        o.hops, o.transport.c_str(), o.rate, o.duration_s, o.listeners,
        o.cpus.empty() ? "any" : o.cpus.c_str());
    std::printf("  received %zu of %.0f (missing %llu)\n", lat.size(), expected,
                static_cast<unsigned long long>(missing));
    std::printf("  latency us: p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n", p50, p99, p999, mx);
  }
  return 0;
}
