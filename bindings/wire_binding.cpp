// ztrade._core.wire_schema / wire_check: the wire layout for Python (which builds numpy dtypes
// from it, so the layout is defined once, in engine/bus/messages.hpp) and the C++ decoder's
// verdict on a frame, used by tests to cross-check both sides.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "bus/codec.hpp"
#include "bus/schema.hpp"

namespace py = pybind11;

namespace ztrade::py_bindings {

void bind_wire(py::module_& m) {
  m.attr("WIRE_VERSION") = wire::kWireVersion;
  m.attr("WIRE_MAGIC") = wire::kMagic;
  m.def(
      "wire_schema",
      [] {
        py::list out;
        for (const auto& spec : wire::schema()) {
          py::list fields;
          for (const auto& f : spec.fields) {
            fields.append(
                py::make_tuple(std::string(f.name), f.offset, std::string(f.kind), f.size));
          }
          py::dict d;
          d["name"] = std::string(spec.name);
          d["type"] = static_cast<int>(spec.type);
          d["size"] = spec.size;
          d["fields"] = fields;
          out.append(d);
        }
        return out;
      },
      "The wire layout: a list of {name, type, size, fields=[(name, offset, kind, size)]}, "
      "the header first.");
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
}

}  // namespace ztrade::py_bindings
