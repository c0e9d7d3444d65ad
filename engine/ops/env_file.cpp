#include "ops/env_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <string_view>
#include <unordered_set>

extern char** environ;

namespace ztrade::ops {

namespace {
bool is_name(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (const char c : key) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

EnvFile failed(std::string error) {
  EnvFile out;
  out.error = std::move(error);
  return out;
}
}  // namespace

EnvFile read_env_file(const std::string& path) {
  // What the path is, before opening it: a FIFO would block the open, /dev/zero never ends.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return failed("cannot read env file " + path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return failed("env file " + path + " is a directory, not a file");
  if (!S_ISREG(st.st_mode)) {
    return failed("env file " + path + " is not a regular file (a device, FIFO or socket)");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxEnvFileBytes) {
    return failed("env file " + path + " is " + std::to_string(st.st_size) +
                  " bytes: more than an env file of secrets holds (at most " +
                  std::to_string(kMaxEnvFileBytes) + "); is it the right file?");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return failed("cannot read env file " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > kMaxEnvFileBytes) {
    return failed("env file " + path + " grew past " + std::to_string(kMaxEnvFileBytes) +
                  " bytes while it was read");
  }
  if (text.starts_with("\xEF\xBB\xBF")) {
    return failed("env file " + path +
                  " starts with a byte-order mark (UTF-8 BOM): save it without one");
  }
  EnvFile out;
  std::string_view rest = text;
  int line_no = 0;
  auto fail_at = [&](std::string_view why) {
    return failed(path + ":" + std::to_string(line_no) + ": " + std::string(why));
  };
  while (!rest.empty()) {
    ++line_no;
    const auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#') continue;
    line.remove_prefix(start);
    if (line.starts_with("export ")) line.remove_prefix(7);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return fail_at("expected KEY=VALUE (no '=')");
    std::string_view key = line.substr(0, eq);
    if (!key.empty() && (key.back() == ' ' || key.back() == '\t')) {
      return fail_at("spaces around '=': write KEY=VALUE (as a shell would read it)");
    }
    if (!is_name(key)) {
      return fail_at(
          "the key is not a variable name (letters, digits and _, not starting "
          "with a digit)");
    }
    std::string_view value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      return fail_at("spaces around '=': write KEY=VALUE (as a shell would read it)");
    }
    out.vars.emplace_back(std::string(key), std::string(value));
  }
  return out;
}

void add_to_environment(const EnvFile& file) {
  // The new environment block lives for the process's life (environ points into it).
  // (A deque: its strings never move, so earlier blocks' pointers stay valid.)
  static std::deque<std::string> added;
  static std::vector<char*> block;
  std::unordered_set<std::string_view> present;
  std::size_t n = 0;
  for (char** e = environ; e && *e; ++e, ++n) {
    const std::string_view entry(*e);
    present.insert(entry.substr(0, entry.find('=')));
  }
  const std::size_t first_new = added.size();
  for (const auto& [key, value] : file.vars) {
    if (!present.insert(key).second) continue;  // set already (or earlier in the file): it wins
    added.push_back(key + "=" + value);
  }
  if (added.size() == first_new) return;
  std::vector<char*> next;
  next.reserve(n + added.size() - first_new + 1);
  for (char** e = environ; e && *e; ++e) next.push_back(*e);
  for (std::size_t i = first_new; i < added.size(); ++i) next.push_back(added[i].data());
  next.push_back(nullptr);
  block.swap(next);  // the old block (if ours) is no longer referenced once environ moves
  environ = block.data();
}

}  // namespace ztrade::ops
