#pragma once
/// Parameter sweeps: a base scenario, parameters set by JSON pointer, a design that picks the
/// points (grid, random, Latin hypercube, one-at-a-time, Saltelli), and replications per
/// point. Results go into an SQLite database one run at a time, so a sweep that is killed
/// resumes where it stopped; points split into shards that run in separate processes and
/// merge afterwards.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace aidc::experiment {

/// One swept parameter and where its values come from.
struct Parameter {
  enum class Kind { values, range, distribution };
  std::string name;
  std::string pointer;
  Kind kind = Kind::values;
  std::vector<nlohmann::json> values;  // Kind::values, and the levels of Kind::range
  double low = 0, high = 0;            // range, or the uniform/triangular bounds
  std::string distribution;            // uniform, triangular, normal, lognormal
  double mode = 0, mean = 0, sd = 0;
  bool integer = false;                // sampled values are rounded to whole numbers
  std::optional<nlohmann::json> base;  // the one-at-a-time base (default: the base scenario's)

  /// The value at quantile u in (0, 1): for a list, the element floor(u * size); for a
  /// range, low + u * (high - low); for a distribution, its inverse CDF.
  nlohmann::json at_quantile(double u) const;
  /// The one-at-a-time low and high: a list's first and last, a range's ends, a uniform or
  /// triangular distribution's bounds, and the 5th and 95th percentiles otherwise.
  std::pair<nlohmann::json, nlohmann::json> low_high() const;
};

enum class Design { grid, random, latin_hypercube, oat, saltelli };

struct SweepSpec {
  std::string file;
  std::string name;
  std::string description;
  std::string base_file;
  nlohmann::json base_doc;  // with the sweep's fixed "set" applied
  std::vector<Parameter> parameters;
  Design design = Design::grid;
  std::size_t samples = 0;  // points (random, latin_hypercube) or base samples N (saltelli)
  std::size_t replications = 1;
  std::uint64_t seed = 0;
  std::vector<std::string> metrics;              // empty: every metric of the first run
  std::vector<std::string> sensitivity_metrics;  // for the tornado and Sobol outputs
  std::string hash;  // identifies the sweep: its file, the base scenario and the version
};

const char* design_name(Design d);

/// Reads and checks a sweep file (errors name the file and the JSON pointer).
SweepSpec read_sweep(const nlohmann::json& doc, const std::string& file);

/// The parameter values of every point, in point order; the same for the same spec.
std::vector<std::vector<nlohmann::json>> design_points(const SweepSpec& spec);

/// Which points a process runs: those with point % count == index - 1.
struct Shard {
  std::size_t index = 1;
  std::size_t count = 1;
  bool owns(std::size_t point) const { return point % count == index - 1; }
  bool whole() const { return count == 1; }
};
/// Parses "K/N" (1 <= K <= N); throws ScenarioError naming the option otherwise.
Shard parse_shard(const std::string& text);
/// The shard of a Slurm array task: task SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1 of
/// SLURM_ARRAY_TASK_COUNT, read through `getenv`. Throws ScenarioError naming the variable
/// when one is missing or not a whole number, or when the array's ids have gaps.
Shard shard_from_slurm_array(const std::function<const char*(const char*)>& getenv);

/// Validates the scenario of every point `shard` owns (all by default) before anything runs;
/// a problem names its point and values. Returns the number of points checked.
std::size_t check_points(const SweepSpec& spec, const Shard& shard = {});

/// The runs a sweep may have unless --max-runs says otherwise.
inline constexpr std::uint64_t kDefaultMaxSweepRuns = 1'000'000;
/// The number of points of the design (as a double: it may be astronomical).
double design_size(const SweepSpec& spec);
/// Throws ScenarioError at /design when points x replications exceeds `max_runs`.
void check_design_size(const SweepSpec& spec, std::uint64_t max_runs);

/// One run of a sweep.
struct SweepJob {
  std::size_t point = 0;
  std::size_t replication = 0;
};
/// The values of `metrics` for one run of the sweep (NaN for a metric the run lacks): what
/// run_sweep() records for the job, wherever it runs.
std::vector<double> sweep_job_values(const SweepSpec& spec,
                                     const std::vector<std::vector<nlohmann::json>>& points,
                                     const SweepJob& job, const std::vector<std::string>& metrics);
/// Runs `jobs` and calls record(i, sweep_job_values(..., jobs[i], metrics)) for each job as
/// it finishes, one call at a time, in any order. An executor may run them in other
/// processes (MPI ranks); results do not depend on where or in which order they ran.
using SweepExecutor =
    std::function<void(const std::vector<SweepJob>& jobs, const std::vector<std::string>& metrics,
                       const std::function<void(std::size_t, const std::vector<double>&)>& record)>;

struct SweepOptions {
  std::string out_dir;
  std::uint64_t max_runs = kDefaultMaxSweepRuns;
  unsigned threads = 0;
  bool resume = false;
  Shard shard;
  /// Called after each run, one call at a time: (runs done, runs in all) for this process.
  std::function<void(std::size_t, std::size_t)> progress;
  /// Runs the jobs after the first; by default on `threads` threads of this process.
  SweepExecutor executor;
};

struct SweepSummary {
  std::size_t points = 0;          // in the whole sweep
  std::size_t runs_total = 0;      // this shard's runs
  std::size_t runs_resumed = 0;    // found already done in the database
  std::size_t runs_done = 0;       // run by this call
  std::vector<std::string> files;  // written into out_dir
};

/// Runs the sweep (or this process's shard of it) into options.out_dir: sweep.db, and when
/// the sweep is whole, runs.csv, points.csv, sweep.json and the sensitivity files.
SweepSummary run_sweep(const SweepSpec& spec, const SweepOptions& options);

/// Merges the databases of the shards in `shard_dirs` into out_dir and writes the outputs
/// of the whole sweep. Every shard must belong to `spec` and every run must be present.
SweepSummary merge_sweep(const SweepSpec& spec, const std::vector<std::string>& shard_dirs,
                         const std::string& out_dir);

/// The number of runs recorded in a sweep database (0 when there is none yet).
std::size_t count_recorded_runs(const std::string& db_path);

}  // namespace aidc::experiment
