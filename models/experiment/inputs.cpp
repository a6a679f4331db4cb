#include "aidc/experiment/inputs.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace aidc::experiment {

std::string resolve_relative(const std::string& from_file, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(from_file).parent_path() / p).lexically_normal().string();
}

bool set_pointer(nlohmann::json& doc, const std::string& pointer, const nlohmann::json& value,
                 std::string& why) {
  try {
    const nlohmann::json::json_pointer ptr(pointer);
    if (ptr.empty()) {
      why = "the pointer must name a value inside the scenario, not the whole document";
      return false;
    }
    if (!doc.contains(ptr.parent_pointer())) {
      why = fmt::format(
          "the scenario has nothing at \"{}\" to set a value in (got {}, expected a "
          "pointer whose parent exists)",
          ptr.parent_pointer().to_string(), pointer);
      return false;
    }
    const nlohmann::json& parent = doc[ptr.parent_pointer()];
    if (!parent.is_object() && !parent.is_array()) {
      why = fmt::format("\"{}\" is {}, not an object or array", ptr.parent_pointer().to_string(),
                        type_name(parent));
      return false;
    }
    if (parent.is_array() && !doc.contains(ptr)) {
      why = fmt::format("\"{}\" is past the end of the array (got {}, expected an index below {})",
                        pointer, ptr.back(), parent.size());
      return false;
    }
    doc[ptr] = value;
    return true;
  } catch (const nlohmann::json::exception& e) {
    why = fmt::format("not a usable JSON pointer (got \"{}\": {})", pointer, e.what());
    return false;
  }
}

void apply_settings(nlohmann::json& doc, const ParamReader& settings) {
  if (!settings.expect_object()) return;
  for (const auto& [pointer, value] : settings.node().items()) {
    std::string why;
    if (!set_pointer(doc, pointer, value, why)) settings.error(pointer, why);
  }
}

bool check_name(const ParamReader& r, std::string_view key, const std::string& name) {
  bool ok = !name.empty() && name[0] != '.' && name[0] != '-';
  for (const char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.');
  }
  if (!ok) {
    r.error(key,
            fmt::format("got \"{}\", expected a name of letters, digits, '_', '-' and '.'", name));
  }
  return ok;
}

}  // namespace aidc::experiment
