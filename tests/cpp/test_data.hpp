#pragma once
// Loads the TA-Lib reference sample (tests/data/talib) for the conformance tests.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/bar.hpp"

namespace ztrade::test {

inline std::string data_path(const std::string& name) {
  return std::string(ZTRADE_TEST_DATA_DIR) + "/" + name;
}

// A CSV with a header row; empty fields read as NaN (TA-Lib's "no value yet").
struct Table {
  std::map<std::string, std::vector<double>> columns;
  std::size_t rows = 0;
  const std::vector<double>& operator[](const std::string& name) const {
    auto it = columns.find(name);
    if (it == columns.end()) throw std::runtime_error("no column " + name);
    return it->second;
  }
};

inline Table read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> names;
  {
    std::stringstream header(line);
    std::string name;
    while (std::getline(header, name, ',')) names.push_back(name);
  }
  Table table;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::size_t start = 0;
    for (std::size_t c = 0; c < names.size(); ++c) {
      const std::size_t end = line.find(',', start);
      const std::string field =
          line.substr(start, end == std::string::npos ? std::string::npos : end - start);
      table.columns[names[c]].push_back(field.empty() ? NAN : std::stod(field));
      start = end == std::string::npos ? line.size() : end + 1;
    }
    ++table.rows;
  }
  return table;
}

inline std::vector<Bar> bars_of(const Table& t) {
  std::vector<Bar> bars(t.rows);
  for (std::size_t i = 0; i < t.rows; ++i) {
    bars[i] = {t["open"][i],   t["high"][i],
               t["low"][i],    t["close"][i],
               t["volume"][i], static_cast<std::int64_t>(t["ts"][i]) * 1'000'000'000};
  }
  return bars;
}

}  // namespace ztrade::test
