// The ranges of limits.hpp, checked with the value's pointer and the range in the message.

#include "limits.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace aidc::reading {

bool within(const ParamReader& r, std::string_view key, double value, double lo, double hi,
            std::string_view range) {
  if (value >= lo && value <= hi) return true;
  std::string shown = fmt::format("{}", value);
  if (key.empty()) {
    shown = brief(r.node());
  } else if (r.has(key)) {
    shown = brief(r.node().at(key));
  }
  r.error(key, fmt::format("out of range (got {}, expected {})", shown, range));
  return false;
}

}  // namespace aidc::reading
