#pragma once
// A machine-readable description of every wire struct (name, offset, kind, size and meaning
// of each field), so other languages and the docs read the layout from the one definition in
// messages.hpp instead of restating it: the Python module builds its numpy dtypes from this
// table, and docs/wire-format.md's tables are generated from it (scripts/gen_docs.py). A test
// checks that each description covers its struct exactly (every byte either a field or padding
// named "reserved"/"_pad", no overlaps).
#include <cstddef>
#include <span>
#include <string_view>

#include "bus/messages.hpp"

namespace ztrade::wire {

// Field kinds, as numpy type codes: 'f8' double, 'i8'/'u8' 64-bit ints, 'u4', 'u2', 'u1', 'i1'
// smaller ints, 'S' fixed NUL-padded text, 'f8[n]' arrays of n doubles, 'V' reserved bytes.
struct FieldSpec {
  std::string_view name;
  std::size_t offset;
  std::string_view kind;
  std::size_t size;  // bytes
  std::string_view meaning;
};

struct MessageSpec {
  std::string_view name;  // "header" or the type_name() of a body
  MsgType type;           // MsgType{} for the header
  std::size_t size;
  std::span<const FieldSpec> fields;
  std::string_view meaning;
};

// The header first, then one entry per MsgType in numeric order.
std::span<const MessageSpec> schema() noexcept;

}  // namespace ztrade::wire
