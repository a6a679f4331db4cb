#pragma once
/// Which fleet plan earns the most: a search over decision variables set by JSON pointer
/// (NLopt's derivative-free methods on the unit box, integers and categories rounded, each
/// rounded point evaluated once on the same replications: common random numbers), then KN
/// ranking and selection of the best few candidates on fresh replications, which states the
/// probability that the pick is the best within an indifference zone.

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aidc/experiment/compare.hpp"
#include "aidc/experiment/selection.hpp"

namespace aidc::experiment {

/// One decision variable.
struct Variable {
  enum class Kind { integer, continuous, categorical, date };
  std::string name;
  std::string pointer;
  Kind kind = Kind::continuous;
  double low = 0, high = 0;            // integer, continuous; date: days from `from`
  double step = 1;                     // integer and date: the grid of allowed values
  std::vector<nlohmann::json> values;  // categorical
  std::string from;                    // date: the day 0 of low and high (YYYY-MM-DD)

  /// The number of allowed values (0 for a continuous variable).
  std::size_t levels() const;
  /// The value at u in [0, 1]: low + u (high - low), rounded to the step for an integer or a
  /// date (a date is written YYYY-MM-DD); for a category, the floor(u x count)-th value.
  nlohmann::json at(double u) const;
};

/// A bound on a metric that a feasible plan must meet, on its mean over the replications.
struct Constraint {
  std::string metric;
  std::optional<double> at_least, at_most;
  /// How far `mean` is outside the bound (0 when it is met).
  double violation(double mean) const;
};

/// What the search maximises: a statistic of one metric over the replications.
struct Objective {
  enum class Statistic { mean, lower_bound, cvar };
  std::string metric = "finance_npv_usd";
  Statistic statistic = Statistic::mean;
  double level = 0.1;  // cvar: the mean of the worst `level` share of the replications
  bool maximize = true;
};

struct OptimizeSpec {
  std::string file;
  std::string name;
  std::string description;
  std::string base_file;
  nlohmann::json base_doc;
  std::vector<Variable> variables;
  std::vector<Constraint> constraints;
  Objective objective;
  std::string algorithm = "direct";  // direct, crs2, bobyqa, cobyla, sbplx
  std::size_t evaluations = 40;      // the search's budget of distinct points
  std::size_t replications = 2;      // per point during the search
  std::size_t refine = 5;            // replications of the best points once the search ends
  std::size_t candidates = 4;        // how many go to the selection
  SelectionSpec selection;           // indifference in the objective metric's units
  std::uint64_t seed = 0;
  std::string hash;  // the file, the base scenario and the program version
};

/// Reads and checks an optimization file (errors name the file and the JSON pointer).
OptimizeSpec read_optimize(const nlohmann::json& doc, const std::string& file);

/// The score of a plan that misses a constraint lies below this (by how far it misses), and
/// every feasible plan's above it.
inline constexpr double kInfeasibleScore = -1e300;
inline bool is_infeasible_score(double score) { return score <= kInfeasibleScore / 2; }

/// One evaluated point of the search.
struct Candidate {
  std::vector<nlohmann::json> values;  // by variable
  std::vector<double> samples;         // the objective metric, replication 0, 1, ...
  std::vector<double> constraint_means;
  bool feasible = true;
  double score = 0;  // the objective statistic, or below every feasible one when infeasible
  std::size_t first_evaluation = 0;  // the search's evaluation that first reached it
};

struct OptimizeResult {
  std::vector<Candidate> candidates;       // in the order the search reached them
  std::vector<double> best_score_by_eval;  // the search's progress
  std::vector<std::size_t> finalists;      // candidates that went to the selection
  SelectionResult selection;               // over the finalists, on fresh replications
  std::size_t best = 0;                    // the candidate selected
  std::size_t search_runs = 0;             // runs of the candidates' samples, wherever they ran
  std::size_t selection_runs = 0;
  std::size_t runs_now = 0;  // runs made by this call (a resumed one reuses others)
  std::string stop_reason;   // NLopt's
};

/// One run the search needs: a plan and a replication.
struct PlanRun {
  std::vector<nlohmann::json> values;
  std::size_t replication = 0;
};
/// The metrics read from each run: the objective's, then each constraint's.
std::vector<std::string> optimize_metrics(const OptimizeSpec& spec);
/// One run of a plan: the values of `metrics` (NaN for one the run lacks). What a worker
/// computes, wherever it runs.
std::vector<double> plan_run_values(const OptimizeSpec& spec, const PlanRun& run,
                                    const std::vector<std::string>& metrics);
/// Runs plans elsewhere (MPI ranks): plan_run_values() of each, in the order given.
using PlanExecutor = std::function<std::vector<std::vector<double>>(
    const std::vector<PlanRun>& runs, const std::vector<std::string>& metrics)>;

struct OptimizeOptions {
  unsigned threads = 0;
  /// Runs the plans after the first; by default on `threads` threads of this process.
  PlanExecutor executor;
  /// Candidates already evaluated (by a run that was stopped), in the order they were
  /// reached: their results are reused, so the same search replays without running them.
  std::vector<Candidate> known;
  /// Called with each candidate (its index and state) when its samples grow, one call at a
  /// time.
  std::function<void(std::size_t, const Candidate&)> evaluated;
};

/// optimize.db in an output folder: every candidate and its samples, committed as the
/// search goes, so that an optimization that is stopped resumes (--resume).
class OptimizeStore {
 public:
  /// Creates the database, or opens it when `resume` (refusing another optimization's).
  OptimizeStore(const OptimizeSpec& spec, const std::string& dir, bool resume);
  ~OptimizeStore();
  OptimizeStore(const OptimizeStore&) = delete;
  OptimizeStore& operator=(const OptimizeStore&) = delete;
  std::vector<Candidate> known();
  void record(std::size_t index, const Candidate& c);

 private:
  /// The search maximizes; a minimized objective's samples and scores are negated while it
  /// runs. The database holds them as the metric reads: +1 or -1 to convert.
  [[nodiscard]] double sense() const { return spec_.objective.maximize ? 1.0 : -1.0; }
  struct Impl;
  const OptimizeSpec& spec_;
  std::unique_ptr<Impl> impl_;
};

/// The scenario of a point: the base with the variables set.
nlohmann::json optimize_point_doc(const OptimizeSpec& spec,
                                  const std::vector<nlohmann::json>& values);

OptimizeResult run_optimize(const OptimizeSpec& spec, const OptimizeOptions& options);

/// The best plan against the base scenario as a comparison of two plans, "base" and "best",
/// on first_stage replications of the optimization's seed (common random numbers): every
/// line of their statements with intervals and paired differences.
ComparisonSpec versus_base(const OptimizeSpec& spec, const OptimizeResult& result);

/// The output files of a finished optimization: optimize.json (the best plan, the finalists
/// with intervals, the runs used), candidates.csv, progress.csv and best.json (the best plan
/// as a scenario, ready to run).
std::vector<std::pair<std::string, std::string>> optimize_outputs(const OptimizeSpec& spec,
                                                                  const OptimizeResult& result);

}  // namespace aidc::experiment
