#include "brokers/alpaca_paper/parse.hpp"

#include <cmath>

#include "venues/common/decimal.hpp"
#include "venues/common/json.hpp"
#include "venues/common/timestamp.hpp"

namespace ztrade::brokers::alpaca_paper {

namespace od = simdjson::ondemand;
using simdjson::SUCCESS;

namespace {

struct StatusName {
  std::string_view text;
  Status status;
};
// Order statuses and trade_updates events alike (the event names are the statuses' verbs).
constexpr StatusName kStatusNames[] = {
    {"new", Status::kNew},
    {"partially_filled", Status::kPartiallyFilled},
    {"partial_fill", Status::kPartiallyFilled},
    {"filled", Status::kFilled},
    {"fill", Status::kFilled},
    {"done_for_day", Status::kDoneForDay},
    {"canceled", Status::kCanceled},
    {"expired", Status::kExpired},
    {"replaced", Status::kReplaced},
    {"rejected", Status::kRejected},
    {"trade_bust", Status::kTradeBust},
    {"trade_correct", Status::kTradeBust},
};

// A decimal string, or null (read as 0). False for anything else.
bool decimal_or_null(od::value v, double& out) noexcept {
  bool null = false;
  if (v.is_null().get(null) != SUCCESS) return false;
  if (null) {
    out = 0;
    return true;
  }
  std::string_view text;
  return v.get_string().get(text) == SUCCESS && venues::parse_double(text, out) &&
         std::isfinite(out);
}

bool text_or_null(od::value v, std::string_view& out) noexcept {
  bool null = false;
  if (v.is_null().get(null) != SUCCESS) return false;
  if (null) {
    out = {};
    return true;
  }
  return v.get_string().get(out) == SUCCESS;
}

// Calls each(key, value) for every field of `o`, in one pass; false when the object is
// malformed or each() returns false.
template <class Each>
bool for_each_field(od::object& o, Each each) noexcept {
  for (auto f : o) {
    std::string_view key;
    od::value v;
    if (f.unescaped_key().get(key) != SUCCESS || f.value().get(v) != SUCCESS) return false;
    if (!each(key, v)) return false;
  }
  return true;
}

// Calls each(object) for every element of the array `body` is; false when it is not one, an
// element is not an object, or each() returns false.
template <class Each>
bool for_each_object(od::parser& parser, simdjson::padded_string_view body, Each each) noexcept {
  od::document doc;
  od::array list;
  if (parser.iterate(body).get(doc) != SUCCESS || doc.get_array().get(list) != SUCCESS) {
    return false;
  }
  for (auto element : list) {
    od::object o;
    if (element.get_object().get(o) != SUCCESS || !each(o)) return false;
  }
  return true;
}

// Reads an Order object in one pass over its fields.
bool read_order(od::object o, OrderView& out) noexcept {
  bool have_id = false, have_symbol = false;
  const bool read = for_each_field(o, [&](std::string_view key, od::value v) {
    std::string_view text;
    if (key == "id") {
      if (v.get_string().get(text) != SUCCESS || !out.id.assign(text)) return false;
      have_id = true;
    } else if (key == "client_order_id") {
      if (v.get_string().get(text) != SUCCESS || !out.client_order_id.assign(text)) return false;
    } else if (key == "symbol") {
      if (v.get_string().get(text) != SUCCESS || !out.symbol.assign(text)) return false;
      have_symbol = true;
    } else if (key == "side") {
      if (v.get_string().get(text) != SUCCESS) return false;
      out.side = text == "buy"    ? wire::Side::kBuy
                 : text == "sell" ? wire::Side::kSell
                                  : wire::Side::kNone;
    } else if (key == "status") {
      if (v.get_string().get(text) != SUCCESS) return false;
      out.status = status_from(text);
    } else if (key == "qty") {
      if (!decimal_or_null(v, out.qty)) return false;
    } else if (key == "filled_qty") {
      if (!decimal_or_null(v, out.filled_qty)) return false;
    } else if (key == "filled_avg_price") {
      if (!decimal_or_null(v, out.filled_avg_price)) return false;
    } else if (key == "limit_price") {
      if (!decimal_or_null(v, out.limit_price)) return false;
    }
    return true;
  });
  // An order the broker could not act on: no id to cancel it by, no symbol to book it to.
  return read && have_id && have_symbol && !out.id.view().empty() && !out.symbol.view().empty();
}

}  // namespace

Status status_from(std::string_view text) noexcept {
  for (const auto& s : kStatusNames) {
    if (s.text == text) return s.status;
  }
  return Status::kOther;
}

std::string_view status_text(Status s) noexcept {
  for (const auto& n : kStatusNames) {
    if (n.status == s) return n.text;
  }
  return "other";
}

StreamMessage Parser::stream(simdjson::padded_string_view frame, TradeUpdate& u) noexcept {
  od::document doc;
  od::object top;
  if (parser_.iterate(frame).get(doc) != SUCCESS || doc.get_object().get(top) != SUCCESS) {
    return StreamMessage::kMalformed;
  }
  std::string_view stream;
  if (!venues::json::string(top, "stream", stream)) return StreamMessage::kMalformed;
  od::object data;
  if (venues::json::field(top, "data").get_object().get(data) != SUCCESS) {
    return StreamMessage::kMalformed;
  }
  if (stream == "authorization") {
    std::string_view status;
    if (!venues::json::string(data, "status", status)) return StreamMessage::kMalformed;
    return status == "authorized" ? StreamMessage::kAuthorized : StreamMessage::kUnauthorized;
  }
  if (stream == "listening") return StreamMessage::kListening;
  if (stream != "trade_updates") return StreamMessage::kOther;
  u = TradeUpdate{};
  bool have_event = false, have_order = false;
  const bool read = for_each_field(data, [&](std::string_view key, od::value v) {
    std::string_view text;
    if (key == "event") {
      if (v.get_string().get(u.event_text) != SUCCESS) return false;
      u.event = status_from(u.event_text);
      have_event = true;
    } else if (key == "order") {
      od::object o;
      if (v.get_object().get(o) != SUCCESS || !read_order(o, u.order)) return false;
      have_order = true;
    } else if (key == "price") {
      return decimal_or_null(v, u.price);
    } else if (key == "qty") {
      return decimal_or_null(v, u.qty);
    } else if (key == "position_qty") {
      u.has_position_qty = true;
      return decimal_or_null(v, u.position_qty);
    } else if (key == "timestamp") {
      if (!text_or_null(v, text)) return false;
      return text.empty() || venues::parse_rfc3339_ns(text, u.timestamp_ns);
    }
    return true;
  });
  if (!read) return StreamMessage::kMalformed;
  if (!have_event || !have_order) return StreamMessage::kMalformed;
  return StreamMessage::kTradeUpdate;
}

bool Parser::order(simdjson::padded_string_view body, OrderView& out) noexcept {
  od::document doc;
  od::object o;
  out = OrderView{};
  return parser_.iterate(body).get(doc) == SUCCESS && doc.get_object().get(o) == SUCCESS &&
         read_order(o, out);
}

bool Parser::orders(simdjson::padded_string_view body,
                    const std::function<void(const OrderView&)>& each) noexcept {
  return for_each_object(parser_, body, [&](od::object& o) {
    OrderView view;
    if (!read_order(o, view)) return false;
    each(view);
    return true;
  });
}

bool Parser::positions(simdjson::padded_string_view body,
                       const std::function<void(const PositionView&)>& each) noexcept {
  return for_each_object(parser_, body, [&](od::object& o) {
    PositionView p;
    bool have_symbol = false, have_qty = false;
    const bool read = for_each_field(o, [&](std::string_view key, od::value v) {
      std::string_view text;
      if (key == "symbol") {
        if (v.get_string().get(text) != SUCCESS || !p.symbol.assign(text)) return false;
        have_symbol = true;
      } else if (key == "qty") {
        have_qty = true;
        return decimal_or_null(v, p.qty);
      } else if (key == "avg_entry_price") {
        return decimal_or_null(v, p.avg_entry_price);
      }
      return true;
    });
    if (!read || !have_symbol || !have_qty || p.symbol.view().empty()) return false;
    each(p);
    return true;
  });
}

bool Parser::error(simdjson::padded_string_view body, ErrorView& out) noexcept {
  od::document doc;
  od::object o;
  out = ErrorView{};
  if (parser_.iterate(body).get(doc) != SUCCESS || doc.get_object().get(o) != SUCCESS) {
    return false;
  }
  std::string_view message;
  if (!venues::json::uint(o, "code", out.code)) return false;
  if (venues::json::optional_string(o, "message", message) == venues::json::Field::kInvalid) {
    return false;
  }
  out.message.assign_truncated(message);
  return true;
}

bool Parser::clock(simdjson::padded_string_view body, ClockView& out) noexcept {
  od::document doc;
  od::object o;
  out = ClockView{};
  if (parser_.iterate(body).get(doc) != SUCCESS || doc.get_object().get(o) != SUCCESS) {
    return false;
  }
  std::string_view ts, next_open, next_close;
  return venues::json::boolean(o, "is_open", out.is_open) &&
         venues::json::string(o, "timestamp", ts) &&
         venues::parse_rfc3339_ns(ts, out.timestamp_ns) &&
         venues::json::string(o, "next_open", next_open) &&
         venues::parse_rfc3339_ns(next_open, out.next_open_ns) &&
         venues::json::string(o, "next_close", next_close) &&
         venues::parse_rfc3339_ns(next_close, out.next_close_ns);
}

}  // namespace ztrade::brokers::alpaca_paper
