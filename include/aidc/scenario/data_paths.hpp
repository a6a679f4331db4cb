#pragma once
/// Data files a scenario names (job traces, demand series and price-index CSVs): each path
/// is resolved against the scenario file's folder and, unless outside paths are allowed,
/// must stay inside it, so a scenario received from someone else cannot make aidc read any
/// other file. Symbolic links are followed before the check.

#include <optional>
#include <string>
#include <string_view>

#include "aidc/scenario/param_reader.hpp"

namespace aidc {

/// Whether data files may lie outside the scenario's folder (the command line's
/// `--allow-outside-paths`). Process-wide: set it before loading scenarios.
void allow_outside_paths(bool allow);
bool outside_paths_allowed();

/// The data file named by the string at `key` of `r`, resolved against the folder of the
/// scenario file `r` reports to; nullopt, with a problem recorded at `key`, when it is
/// missing, empty or leaves that folder.
std::optional<std::string> data_file_path(const ParamReader& r, std::string_view key);

}  // namespace aidc
