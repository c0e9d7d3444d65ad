#include "ops/env_file.hpp"

#include <fstream>

namespace ztrade::ops {

EnvFile read_env_file(const std::string& path) {
  EnvFile out;
  std::ifstream in(path);
  if (!in) {
    out.error = "cannot read env file " + path;
    return out;
  }
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      out.error = path + ":" + std::to_string(line_no) + ": expected KEY=VALUE";
      out.vars.clear();
      return out;
    }
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out.vars.emplace_back(line.substr(0, eq), std::move(value));
  }
  return out;
}

}  // namespace ztrade::ops
