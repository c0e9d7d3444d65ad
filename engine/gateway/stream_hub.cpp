#include "gateway/stream_hub.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include "gateway/json.hpp"
#include "ops/control_protocol.hpp"

namespace ztrade::gateway {

namespace {

constexpr std::size_t kMaxSymbolsPerClient = 10'000;

std::string error_reply(std::string_view code, std::string_view message) {
  return fmt::format(R"({{"type":"error","code":{},"message":{}}})", json_string(code),
                     json_string(message));
}

std::optional<Channel> channel_named(std::string_view name) {
  for (std::size_t i = 0; i < kChannelCount; ++i) {
    if (kChannelNames[i] == name) return static_cast<Channel>(i);
  }
  return std::nullopt;
}

}  // namespace

bool StreamClient::wants(Channel c, std::string_view symbol) const {
  const Subscription& s = subs_[static_cast<std::size_t>(c)];
  return s.all || s.symbols.contains(symbol);
}

void StreamClient::enqueue(Payload p) {
  if (queue_.size() >= max_queue_) {
    slow_ = true;  // the server closes it; nothing more is queued
    queue_.clear();
    pending_.clear();
    return;
  }
  queue_.push_back(std::move(p));
}

void StreamHub::flush(StreamClient& client, std::chrono::steady_clock::time_point now) {
  if (now != std::chrono::steady_clock::time_point::max()) {
    if (now - client.last_flush < client.conflate_) return;
    client.last_flush = now;
  }
  for (auto& [key, p] : client.pending_) {
    if (client.slow_) break;
    client.enqueue(std::move(p));
    if (client.slow_) ++stats_.slow_clients;
    ++stats_.delivered;
  }
  client.pending_.clear();
}

Payload StreamHub::update(Channel c, std::string_view symbol, std::string_view data) {
  std::string out = R"({"type":")";
  out += kUpdateTypes[static_cast<std::size_t>(c)];
  out += R"(","symbol":)";
  append_json_string(out, symbol);
  out += R"(,"data":)";
  out += data;
  out += '}';
  return std::make_shared<const std::string>(std::move(out));
}

std::string StreamHub::on_message(StreamClient& client, std::string_view text, bool& close) {
  close = false;
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  std::string_view action;
  if (parser.iterate(padded).get(doc) || doc["action"].get_string().get(action)) {
    ++stats_.bad_messages;
    return error_reply("bad_request", R"(expected a JSON object with an "action")");
  }
  if (action == "auth") {
    std::string_view token;
    if (doc["token"].get_string().get(token) || !ops::token_matches(token, token_)) {
      ++stats_.bad_messages;
      close = true;
      return error_reply("unauthorized", "a valid token is required");
    }
    client.authenticated_ = true;
    return R"({"type":"ack","action":"auth"})";
  }
  if (!client.authenticated_) {
    ++stats_.bad_messages;
    close = true;
    return error_reply("unauthorized", R"(authenticate first: {"action":"auth","token":"..."})");
  }
  if (action == "conflate") {
    int64_t ms = 0;
    if (doc["ms"].get_int64().get(ms) || ms < 0 || ms > 60'000) {
      ++stats_.bad_messages;
      return error_reply("bad_request", "conflate: \"ms\" must be an integer in [0, 60000]");
    }
    client.conflate_ = std::chrono::milliseconds(ms);
    if (ms == 0) flush(client);
    return fmt::format(R"({{"type":"ack","action":"conflate","ms":{}}})", ms);
  }
  if (action != "subscribe" && action != "unsubscribe") {
    ++stats_.bad_messages;
    return error_reply("bad_request", "action must be auth, subscribe, unsubscribe or conflate");
  }
  std::vector<Channel> channels;
  std::vector<std::string> symbols;
  simdjson::ondemand::array arr;
  if (doc["channels"].get_array().get(arr)) {
    ++stats_.bad_messages;
    return error_reply("bad_request", "\"channels\" must be an array of channel names");
  }
  for (auto v : arr) {
    std::string_view name;
    std::optional<Channel> c;
    if (v.get_string().get(name) || !(c = channel_named(name))) {
      ++stats_.bad_messages;
      return error_reply("bad_channel",
                         "channels are bars, trades, quotes, features, orders, positions, scanner");
    }
    channels.push_back(*c);
  }
  simdjson::ondemand::array syms;
  if (doc["symbols"].get_array().get(syms)) {
    symbols.emplace_back("*");  // no list: every symbol
  } else {
    for (auto v : syms) {
      std::string_view s;
      if (v.get_string().get(s) || s.empty() || s.size() > 16) {
        ++stats_.bad_messages;
        return error_reply("bad_symbol", "symbols are strings of 1 to 16 characters, or \"*\"");
      }
      symbols.emplace_back(s);
    }
  }
  const bool add = action == "subscribe";
  for (const Channel c : channels) {
    auto& sub = client.subs_[static_cast<std::size_t>(c)];
    for (const auto& s : symbols) {
      if (s == "*") {
        sub.all = add;
        if (!add) sub.symbols.clear();
      } else if (add) {
        if (sub.symbols.size() >= kMaxSymbolsPerClient) {
          return error_reply("too_many_symbols",
                             fmt::format("at most {} symbols per channel", kMaxSymbolsPerClient));
        }
        sub.symbols.insert(s);
      } else {
        sub.symbols.erase(s);
      }
    }
  }
  std::string ch, sy;
  for (const Channel c : channels) {
    if (!ch.empty()) ch += ',';
    append_json_string(ch, kChannelNames[static_cast<std::size_t>(c)]);
  }
  for (const auto& s : symbols) {
    if (!sy.empty()) sy += ',';
    append_json_string(sy, s);
  }
  return fmt::format(R"({{"type":"ack","action":{},"channels":[{}],"symbols":[{}]}})",
                     json_string(action), ch, sy);
}

}  // namespace ztrade::gateway
