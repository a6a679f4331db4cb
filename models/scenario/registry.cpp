// The messages of a registry that does not find the model a file names.

#include "aidc/scenario/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace aidc::registry_detail {

std::string selected_name(const ParamReader& reader, const std::string& kind,
                          const std::string& selector, const std::vector<std::string>& names) {
  if (!reader.has(selector)) {
    reader.error(selector, fmt::format("missing required key (expected a {} name: {})", kind,
                                       fmt::join(names, ", ")));
    return "";
  }
  std::string name = reader.string(selector, "");
  if (std::find(names.begin(), names.end(), name) != names.end()) return name;
  if (!reader.node().at(selector).is_string()) return "";
  const std::string guess = nearest(name, names);
  reader.error(selector,
               fmt::format("unknown {} \"{}\"{} (expected one of: {})", kind, name,
                           guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess),
                           fmt::join(names, ", ")));
  return "";
}

}  // namespace aidc::registry_detail
