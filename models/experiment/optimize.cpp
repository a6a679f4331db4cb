// The search of aidc optimize (NLopt on the unit box, each rounded point evaluated once under
// common random numbers), the refinement of the best points, and KN selection among them.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <nlopt.hpp>
#include <numeric>

#include "aidc/experiment/optimize.hpp"
#include "aidc/experiment/runner.hpp"
#include "aidc/experiment/statistics.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::experiment {

namespace {

/// A plan's scenario, with the optimization's seed; a problem names the plan's values.
Scenario load_plan(const OptimizeSpec& spec, const std::vector<nlohmann::json>& values) {
  try {
    Scenario s = load_scenario(optimize_point_doc(spec, values), spec.base_file);
    s.seed = spec.seed;
    return s;
  } catch (const ScenarioError& e) {
    std::string point;
    for (std::size_t j = 0; j < values.size(); ++j)
      point += fmt::format("{}{}={}", j ? ", " : "", spec.variables[j].name, brief(values[j]));
    std::vector<Diagnostic> ds = e.diagnostics();
    for (auto& d : ds) d.message = fmt::format("plan ({}): {}", point, d.message);
    throw ScenarioError(std::move(ds));
  }
}

nlopt::algorithm nlopt_algorithm(const std::string& name) {
  if (name == "crs2") return nlopt::GN_CRS2_LM;
  if (name == "bobyqa") return nlopt::LN_BOBYQA;
  if (name == "cobyla") return nlopt::LN_COBYLA;
  if (name == "sbplx") return nlopt::LN_SBPLX;
  return nlopt::GN_DIRECT_L;
}

/// Thrown from the objective to end the search once its budget of points is spent.
struct BudgetSpent {};

class Evaluator {
 public:
  Evaluator(const OptimizeSpec& spec, const OptimizeOptions& options)
      : spec_(spec), options_(options) {
    for (const Candidate& c : options.known) {
      index_[key(c.values)] = candidates_.size();
      candidates_.push_back(c);
    }
  }

  std::vector<Candidate>& candidates() { return candidates_; }
  std::size_t runs() const { return runs_; }

  std::vector<nlohmann::json> values_at(const double* x) const {
    std::vector<nlohmann::json> v;
    for (std::size_t j = 0; j < spec_.variables.size(); ++j)
      v.push_back(spec_.variables[j].at(x[j]));
    return v;
  }

  /// The candidate at `values`, evaluated on replications 0 .. replications-1 (more are
  /// added to a known candidate with fewer).
  std::size_t evaluate(const std::vector<nlohmann::json>& values, std::size_t replications,
                       std::size_t evaluation) {
    const std::string k = key(values);
    auto it = index_.find(k);
    if (it == index_.end()) {
      Candidate c;
      c.values = values;
      c.first_evaluation = evaluation;
      it = index_.emplace(k, candidates_.size()).first;
      candidates_.push_back(std::move(c));
    }
    Candidate& c = candidates_[it->second];
    if (c.samples.size() < replications) extend(c, replications);
    return it->second;
  }

  /// Runs of the objective metric for (candidate, replication) pairs, in parallel.
  std::vector<double> observe(const std::vector<std::pair<std::size_t, std::size_t>>& wanted,
                              const std::vector<std::size_t>& systems, std::size_t offset) {
    std::vector<PlanRun> runs;
    runs.reserve(wanted.size());
    for (const auto& [system, r] : wanted)
      runs.push_back({candidates_[systems[system]].values, offset + r});
    const auto values = execute(runs);
    std::vector<double> out;
    out.reserve(values.size());
    for (const auto& v : values) out.push_back(spec_.objective.maximize ? v[0] : -v[0]);
    return out;
  }

  /// Runs of plans, here on threads or by the options' executor (MPI ranks).
  std::vector<std::vector<double>> execute(const std::vector<PlanRun>& runs) {
    runs_ += runs.size();
    if (runs.empty()) return {};
    if (options_.executor) return options_.executor(runs, metrics_);
    std::vector<std::vector<double>> out(runs.size());
    parallel_for(runs.size(), options_.threads,
                 [&](std::size_t i) { out[i] = plan_run_values(spec_, runs[i], metrics_); });
    return out;
  }

 private:
  static std::string key(const std::vector<nlohmann::json>& values) {
    return nlohmann::json(values).dump();
  }

  double value(const Metrics& m, const std::string& metric) const {
    const auto it = std::find(m.names.begin(), m.names.end(), metric);
    if (it == m.names.end()) {
      const bool objective = metric == spec_.objective.metric;
      std::size_t i = 0;
      while (!objective && i < spec_.constraints.size() && spec_.constraints[i].metric != metric)
        ++i;
      throw ScenarioError({Diagnostic{
          spec_.file, objective ? "/objective/metric" : fmt::format("/constraints/{}/metric", i),
          fmt::format("got \"{}\", expected a metric of the run (the columns of aidc run "
                      "--replications' replications.csv)",
                      metric)}});
    }
    return m.values[static_cast<std::size_t>(it - m.names.begin())];
  }

  void extend(Candidate& c, std::size_t replications) {
    const std::size_t first = c.samples.size();
    // The values of `metrics_` for each new replication: the objective's, then each
    // constraint's. The first run of all is made here, to check the metrics' names.
    std::vector<std::vector<double>> runs;
    std::size_t from = first;
    if (!checked_) {
      const Metrics m = run_metrics(load_plan(spec_, c.values), first);
      ++runs_;
      std::vector<double> v{value(m, spec_.objective.metric)};
      for (const Constraint& k : spec_.constraints) v.push_back(value(m, k.metric));
      runs.push_back(std::move(v));
      checked_ = true;
      ++from;
    }
    std::vector<PlanRun> todo;
    for (std::size_t r = from; r < replications; ++r) todo.push_back({c.values, r});
    for (auto& v : execute(todo)) runs.push_back(std::move(v));
    // Constraint means over every replication so far: keep the sums by way of the means.
    std::vector<double> sums(spec_.constraints.size(), 0.0);
    for (std::size_t j = 0; j < c.constraint_means.size(); ++j)
      sums[j] = c.constraint_means[j] * static_cast<double>(first);
    for (const auto& v : runs) {
      c.samples.push_back(spec_.objective.maximize ? v[0] : -v[0]);
      for (std::size_t j = 0; j < spec_.constraints.size(); ++j) sums[j] += v[j + 1];
    }
    c.constraint_means.assign(spec_.constraints.size(), 0.0);
    double violation = 0;
    for (std::size_t j = 0; j < spec_.constraints.size(); ++j) {
      c.constraint_means[j] = sums[j] / static_cast<double>(c.samples.size());
      const double scale = std::max(1.0, std::abs(spec_.constraints[j].at_least.value_or(
                                             spec_.constraints[j].at_most.value_or(1.0))));
      violation += spec_.constraints[j].violation(c.constraint_means[j]) / scale;
    }
    c.feasible = violation == 0;
    c.score = c.feasible ? statistic(c.samples) : kInfeasibleScore * (1 + violation) / 2;
    if (options_.evaluated)
      options_.evaluated(static_cast<std::size_t>(&c - candidates_.data()), c);
  }

  /// The objective statistic of signed samples (larger is better).
  double statistic(std::vector<double> samples) const {
    const Estimate e = estimate(samples);
    switch (spec_.objective.statistic) {
      case Objective::Statistic::mean:
        return e.mean;
      case Objective::Statistic::lower_bound:
        return e.ci95_low();
      case Objective::Statistic::cvar: {
        std::sort(samples.begin(), samples.end());
        const auto n = static_cast<std::size_t>(
            std::ceil(spec_.objective.level * static_cast<double>(samples.size())));
        const auto worst = std::max<std::size_t>(1, n);
        return std::accumulate(samples.begin(),
                               samples.begin() + static_cast<std::ptrdiff_t>(worst), 0.0) /
               static_cast<double>(worst);
      }
    }
    return e.mean;
  }

  const OptimizeSpec& spec_;
  const OptimizeOptions& options_;
  std::vector<std::string> metrics_ = optimize_metrics(spec_);
  bool checked_ = false;
  std::vector<Candidate> candidates_;
  std::map<std::string, std::size_t> index_;
  std::size_t runs_ = 0;
};

}  // namespace

std::vector<std::string> optimize_metrics(const OptimizeSpec& spec) {
  std::vector<std::string> out{spec.objective.metric};
  for (const Constraint& c : spec.constraints) out.push_back(c.metric);
  return out;
}

std::vector<double> plan_run_values(const OptimizeSpec& spec, const PlanRun& run,
                                    const std::vector<std::string>& metrics) {
  return metric_values(run_metrics(load_plan(spec, run.values), run.replication), metrics);
}

OptimizeResult run_optimize(const OptimizeSpec& spec, const OptimizeOptions& options) {
  Evaluator ev(spec, options);
  OptimizeResult result;
  const std::size_t d = spec.variables.size();

  // The search: NLopt proposes points in [0, 1]^d; each is rounded to its plan, and a plan
  // already evaluated costs nothing. The budget counts distinct plans.
  // Plans reached in this search, new or found in the database of a stopped one: counting
  // both makes a resumed search replay the same steps to the same end.
  std::vector<bool> reached;
  std::size_t evaluations = 0;
  double best = -std::numeric_limits<double>::infinity();
  const auto objective = [&](const std::vector<double>& x) {
    const std::size_t c = ev.evaluate(ev.values_at(x.data()), spec.replications, evaluations);
    if (reached.size() <= c) reached.resize(c + 1, false);
    if (!reached[c]) {
      reached[c] = true;
      ++evaluations;
      best = std::max(best, ev.candidates()[c].score);
      result.best_score_by_eval.push_back(best);
    }
    if (evaluations >= spec.evaluations) throw BudgetSpent{};
    return ev.candidates()[c].score;
  };
  nlopt::srand(spec.seed);  // CRS2's random points: the same search for the same file
  nlopt::opt opt(nlopt_algorithm(spec.algorithm), static_cast<unsigned>(d));
  opt.set_lower_bounds(std::vector<double>(d, 0.0));
  opt.set_upper_bounds(std::vector<double>(d, 1.0));
  opt.set_maxeval(static_cast<int>(std::min<std::size_t>(20 * spec.evaluations, 2'000'000)));
  struct Context {
    const decltype(objective)* f;
    std::exception_ptr error;
  } context{&objective, nullptr};
  opt.set_max_objective(
      [](unsigned n, const double* x, double* /*grad*/, void* data) {
        auto* ctx = static_cast<Context*>(data);
        try {
          return (*ctx->f)(std::vector<double>(x, x + n));
        } catch (...) {
          ctx->error = std::current_exception();
          throw nlopt::forced_stop();
        }
      },
      &context);
  // Local methods start at the centre, with a first step of a quarter of the box.
  std::vector<double> x(d, 0.5);
  opt.set_initial_step(std::vector<double>(d, 0.25));
  double value = 0;
  try {
    const nlopt::result why = opt.optimize(x, value);
    result.stop_reason =
        why == nlopt::MAXEVAL_REACHED ? "the evaluation limit of NLopt" : "NLopt converged";
  } catch (const nlopt::forced_stop&) {
    result.stop_reason = "the budget of distinct plans";
  } catch (const std::exception&) {
    if (!context.error) throw;
  }
  if (context.error) {
    try {
      std::rethrow_exception(context.error);
    } catch (const BudgetSpent&) {
      result.stop_reason = "the budget of distinct plans";
    }
  }

  // Refinement: the best feasible plans get `refine` replications (the first ones reused).
  std::vector<std::size_t> order(ev.candidates().size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto by_score = [&](std::size_t a, std::size_t b) {
    const Candidate& ca = ev.candidates()[a];
    const Candidate& cb = ev.candidates()[b];
    return ca.score > cb.score || (ca.score == cb.score && a < b);
  };
  std::sort(order.begin(), order.end(), by_score);
  const std::size_t shortlist = std::min(order.size(), 2 * spec.candidates);
  for (std::size_t i = 0; i < shortlist; ++i) {
    if (ev.candidates()[order[i]].feasible)
      ev.evaluate(ev.candidates()[order[i]].values, std::max(spec.refine, spec.replications),
                  evaluations);
  }
  std::sort(order.begin(), order.end(), by_score);
  for (const std::size_t c : order) {
    if (result.finalists.size() == spec.candidates) break;
    if (ev.candidates()[c].feasible) result.finalists.push_back(c);
  }
  if (result.finalists.empty()) {
    throw ScenarioError({Diagnostic{
        spec.file, "/constraints",
        fmt::format("no plan of the {} evaluated meets every constraint; widen the variables' "
                    "ranges, loosen the constraints or raise /search/evaluations",
                    ev.candidates().size())}});
  }
  // The runs the search needed, wherever they ran (a resumed search finds some in its
  // database); runs_now counts those run by this call.
  for (const Candidate& c : ev.candidates()) result.search_runs += c.samples.size();
  const std::size_t runs_before_selection = ev.runs();

  // Selection on fresh replications, shared by the finalists (common random numbers).
  const std::size_t offset = std::max(spec.refine, spec.replications);
  result.selection =
      select_best_kn(result.finalists.size(), spec.selection,
                     [&](const std::vector<std::pair<std::size_t, std::size_t>>& wanted) {
                       return ev.observe(wanted, result.finalists, offset);
                     });
  result.selection_runs = ev.runs() - runs_before_selection;
  result.runs_now = ev.runs();
  if (!spec.objective.maximize)
    for (auto& s : result.selection.samples)
      for (double& v : s) v = -v;
  result.best = result.finalists[result.selection.best];
  result.candidates = std::move(ev.candidates());
  if (!spec.objective.maximize) {
    for (Candidate& c : result.candidates) {
      for (double& v : c.samples) v = -v;
      if (c.feasible) c.score = -c.score;
    }
  }
  return result;
}

}  // namespace aidc::experiment
