// The messages of a registry that does not find the model a file names.

#include "aidc/scenario/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

namespace aidc::registry_detail {

void report_unknown(const ParamReader& reader, const std::string& kind, const std::string& selector,
                    const std::vector<std::string>& names) {
  if (!reader.has(selector)) {
    reader.error(selector, fmt::format("missing required key (expected a {} name: {})", kind,
                                       fmt::join(names, ", ")));
    return;
  }
  const nlohmann::json& value = reader.node().at(selector);
  if (!value.is_string()) return;
  const auto& name = value.get_ref<const std::string&>();
  const std::string guess = nearest(name, names);
  reader.error(selector,
               fmt::format("unknown {} \"{}\"{} (expected one of: {})", kind, name,
                           guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess),
                           fmt::join(names, ", ")));
}

}  // namespace aidc::registry_detail
