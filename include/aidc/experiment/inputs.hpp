#pragma once
/// What comparison and sweep files share: paths relative to the file that names them, and
/// replacement values set in a scenario by JSON pointer before it is validated.

#include <nlohmann/json.hpp>
#include <string>

#include "aidc/scenario/param_reader.hpp"

namespace aidc::experiment {

/// `path` as seen from the folder of `from_file` (unchanged when absolute).
std::string resolve_relative(const std::string& from_file, const std::string& path);

/// Sets doc[pointer] = value. The pointer's parent must exist (a misspelled pointer must
/// not create a new key that nothing reads); on failure returns false and says why.
bool set_pointer(nlohmann::json& doc, const std::string& pointer, const nlohmann::json& value,
                 std::string& why);

/// Applies an object {"/json/pointer": value, ...}, recording problems at its keys.
void apply_settings(nlohmann::json& doc, const ParamReader& settings);

/// Records a problem unless `name` is usable as a folder and column name: letters, digits,
/// "_", "-" and ".", not starting with "." or "-".
bool check_name(const ParamReader& r, std::string_view key, const std::string& name);

}  // namespace aidc::experiment
