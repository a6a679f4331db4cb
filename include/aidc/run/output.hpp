#pragma once
/// What a run writes: summary.json, timeseries.csv and a readable table. The same
/// scenario and seed give byte-identical files; wall-clock figures go elsewhere.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "aidc/workload/simulation.hpp"

namespace aidc {

/// summary.json, with a stable key order.
struct FinanceResult;

// Each takes the run's statements when the caller already has them (compute_finance()); with
// null they are computed when the scenario has a finance section.

nlohmann::ordered_json summary_json(const Scenario& scenario, const RunResult& result,
                                    const FinanceResult* finance = nullptr);
/// The "finance" object of summary.json.
nlohmann::ordered_json finance_json(const Scenario& scenario, const FinanceResult& finance);
/// The `pool` of timeseries.csv's entity rows: one per period, after its pools, holding the
/// lines of the company as a whole (tax, interest, debt) and no GPU-hours.
inline constexpr const char* kEntityRow = "(entity)";

/// timeseries.csv: one row per reporting period and pool, and with statements an entity row
/// per period; the money columns of all rows add up to the summary's totals.
std::string timeseries_csv(const Scenario& scenario, const RunResult& result,
                           const FinanceResult* finance = nullptr);
/// A table for the terminal.
std::string summary_table(const Scenario& scenario, const RunResult& result,
                          const FinanceResult* finance = nullptr);

/// Whether a folder of outputs is described by a manifest.json written last.
enum class Manifest { none, write };

/// Writes `files` (name, content) into `dir` so that none is half-written: each goes to a
/// temporary name, is synced to disk and renamed into place; `dir` is created only here.
/// With Manifest::write the old manifest.json is removed before the first rename and a new
/// one, naming each file with a hash of its content, is renamed into place last
/// (models/run/output_folder.cpp).
void write_files_atomically(const std::string& dir,
                            const std::vector<std::pair<std::string, std::string>>& files,
                            Manifest manifest = Manifest::none);

/// Refuses (ScenarioError) a folder of outputs without manifest.json, or with a file that
/// does not match it: the outputs of an interrupted writer, or of different runs.
void verify_output_folder(const std::string& dir);

/// Refuses (ScenarioError) an output folder that cannot be written: `dir` exists as a file, a
/// part of its path is a file, or the nearest existing folder is not writable. Run before any
/// work, so a bad --out costs nothing.
void check_out_folder(const std::string& dir);
/// The same for an output file (aidc report --out): refuses an existing folder.
void check_out_file(const std::string& path);
/// The bytes of a file, empty when it cannot be read.
std::string read_all(const std::filesystem::path& path);

/// A short, stable hash of a JSON document (FNV-1a over its compact text), in hex.
std::string document_hash(const nlohmann::json& doc);

}  // namespace aidc
