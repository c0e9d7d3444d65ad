// The wire for Python, from its one definition: enums, topics and the layout (ztrade.wire builds
// its IntEnums, TOPICS and numpy dtypes from them), the engine's recording reader, and the C++
// decoder's verdict on a frame (tests cross-check both sides with it).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "bindings.hpp"
#include "bus/codec.hpp"
#include "bus/schema.hpp"
#include "bus/topic.hpp"
#include "execution/journal.hpp"
#include "market_data/recording.hpp"
#include "risk/reject_reason.hpp"
#include "signals/signal_validator.hpp"

namespace py = pybind11;

namespace ztrade::py_bindings {

namespace {
template <class Enum, std::size_t N>
py::dict names_of(const wire::EnumName<Enum> (&names)[N]) {
  py::dict d;
  for (const auto& n : names) d[py::str(std::string(n.name))] = static_cast<int>(n.value);
  return d;
}
// Enums whose names come from a name function over 0..count-1.
template <class Enum, class NameOf>
py::dict names_by_index(std::size_t count, NameOf name_of) {
  py::dict d;
  for (std::size_t i = 0; i < count; ++i) {
    d[py::str(std::string(name_of(static_cast<Enum>(i))))] = static_cast<int>(i);
  }
  return d;
}
}  // namespace

void bind_wire(py::module_& m) {
  m.def(
      "wire_enums",
      [] {
        py::dict d;
        d["Side"] = names_of(wire::kSideNames);
        d["OrderType"] = names_of(wire::kOrderTypeNames);
        d["TimeInForce"] = names_of(wire::kTimeInForceNames);
        d["ExecType"] = names_of(wire::kExecTypeNames);
        d["ExecReject"] = names_of(wire::kExecRejectNames);
        d["ComponentState"] = names_of(wire::kComponentStateNames);
        d["HeartbeatFlag"] = names_of(wire::kHeartbeatFlagNames);
        d["BarrierKind"] = names_of(wire::kBarrierKindNames);
        d["RejectReason"] = names_by_index<risk::RejectReason>(
            risk::kRejectReasonCount, [](risk::RejectReason r) { return risk::reason_name(r); });
        d["TradingState"] = names_by_index<risk::TradingState>(
            3, [](risk::TradingState t) { return risk::state_name(t); });
        d["SignalProblem"] = names_by_index<signals::SignalProblem>(
            signals::kSignalProblemCount,
            [](signals::SignalProblem p) { return signals::problem_name(p); });
        return d;
      },
      "Every enum of the wire and of the engine's verdicts, name -> value, as the C++ engine "
      "defines them (ztrade.wire builds its IntEnums from this).");
  m.attr("WIRE_VERSION") = wire::kWireVersion;
  m.attr("WIRE_MAGIC") = wire::kMagic;
  m.def(
      "wire_schema",
      [] {
        py::list out;
        for (const auto& spec : wire::schema()) {
          py::list fields;
          for (const auto& f : spec.fields) {
            fields.append(py::make_tuple(std::string(f.name), f.offset, std::string(f.kind), f.size,
                                         std::string(f.meaning)));
          }
          py::dict d;
          d["name"] = std::string(spec.name);
          d["type"] = static_cast<int>(spec.type);
          d["size"] = spec.size;
          d["fields"] = fields;
          d["meaning"] = std::string(spec.meaning);
          out.append(d);
        }
        return out;
      },
      "The wire layout: a list of {name, type, size, meaning, fields=[(name, offset, kind, "
      "size, meaning)]}, the header first.");
  m.def(
      "wire_topics",
      [] {
        py::list out;
        for (const auto& t : bus::topics::kTopicTable) {
          py::dict d;
          d["name"] = std::string(t.name);
          d["prefix"] = std::string(t.prefix);
          d["suffix"] = std::string(t.suffix);
          d["body"] = std::string(t.body);
          d["publisher"] = std::string(t.publisher);
          d["meaning"] = std::string(t.meaning);
          out.append(d);
        }
        return out;
      },
      "Every topic of the bus: a list of {name, prefix, suffix, body, publisher, meaning} "
      "(ztrade.wire.TOPICS maps name -> prefix).");
  m.def(
      "read_recording",
      [](const std::string& path) {
        std::unique_ptr<market_data::RecordingReader> reader;
        try {
          reader = std::make_unique<market_data::RecordingReader>(path);
        } catch (const std::exception& e) {
          throw py::value_error(e.what());
        }
        py::list records;
        for (std::size_t i = 0; i < reader->size(); ++i) {
          const auto r = reader->record(i);
          records.append(py::make_tuple(
              py::str(r.topic.data(), r.topic.size()),
              py::bytes(reinterpret_cast<const char*>(r.frame.data()), r.frame.size())));
        }
        return py::make_tuple(records, reader->truncated_bytes());
      },
      py::arg("path"),
      "Reads a market-data recording with the engine's own reader: ([(topic, frame)], bytes "
      "of a cut-short last record skipped). Raises ValueError, naming the byte offset, for "
      "anything the engine would refuse to replay.");
  m.def(
      "wire_check",
      [](py::bytes frame) -> py::tuple {
        const std::string_view s = frame;
        wire::Frame f;
        const auto err = wire::decode(
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(s.data()), s.size()), f);
        if (err != wire::DecodeError::kOk) {
          return py::make_tuple(std::string(wire::error_name(err)), py::none());
        }
        return py::make_tuple(std::string("ok"), std::string(wire::type_name(f.header.type)));
      },
      py::arg("frame"), "The C++ decoder's verdict on a frame: (error name, type name or None).");
  m.def(
      "read_journal",
      [](const std::string& path) {
        py::list out;
        execution::ReplayStats stats;
        try {
          stats = execution::Journal::replay(
              path,
              [&](const execution::JournalRecord& r) {
                py::dict d;
                d["kind"] = static_cast<int>(r.kind);
                d["client_order_id"] = r.client_order_id;
                d["ts_ns"] = r.ts_ns;
                d["symbol"] = std::string(r.symbol.view());
                d["strategy"] = std::string(r.strategy.view());
                d["side"] = std::string(wire::enum_name(wire::kSideNames, r.side));
                d["quantity"] = r.quantity;
                d["price"] = r.price;
                out.append(d);
              },
              false);
        } catch (const std::runtime_error& e) {
          throw py::value_error(e.what());
        }
        return py::make_tuple(out, stats.torn_bytes);
      },
      py::arg("path"),
      "The records of an execution journal, read-only, in order: (list of dicts with kind - "
      "0 new, else the ExecType number -, client_order_id, ts_ns, symbol, strategy, side, "
      "quantity, price; bytes of a torn tail ignored).");
}

}  // namespace ztrade::py_bindings
