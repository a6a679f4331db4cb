#pragma once
/// `aidc report`: turns the output folder of `aidc run`, `aidc compare` or `aidc sweep` into one
/// self-contained HTML page. Vega-Lite, compiled into the program, draws the charts from data
/// inlined in the page, so the page opens offline.

#include <filesystem>
#include <string>

namespace aidc::report {

/// What an output folder holds, recognised by its files.
enum class FolderKind { run, compare, sweep, optimize, fit };

/// "run", "compare", "sweep", "optimize" or "fit".
const char* folder_kind_name(FolderKind kind);

/// The kind of `dir`: sweep.json makes a sweep, comparison.json a comparison, summary.json and
/// timeseries.csv a run. Throws ScenarioError naming the folder (or the missing file) otherwise.
FolderKind detect_folder(const std::filesystem::path& dir);

/// The report page of `dir`. Throws ScenarioError naming the file on missing or malformed input.
std::string build_report_html(const std::filesystem::path& dir);

}  // namespace aidc::report
