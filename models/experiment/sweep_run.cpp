// Running a sweep into its SQLite database, resuming it and merging shards (the database is
// sweep_db.cpp, the output files sweep_outputs.cpp).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "aidc/experiment/inputs.hpp"
#include "aidc/experiment/output.hpp"
#include "aidc/experiment/runner.hpp"
#include "aidc/experiment/sensitivity.hpp"
#include "aidc/experiment/statistics.hpp"
#include "aidc/experiment/sweep.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "sweep_db.hpp"

namespace aidc::experiment {

namespace fs = std::filesystem;

namespace {

using namespace sweep_detail;

/// A point's scenario: the base with the point's values set.
nlohmann::json point_doc(const SweepSpec& spec, const std::vector<nlohmann::json>& values) {
  nlohmann::json doc = spec.base_doc;
  for (std::size_t j = 0; j < values.size(); ++j) {
    std::string why;
    if (!set_pointer(doc, spec.parameters[j].pointer, values[j], why)) fail(spec.file, why);
  }
  return doc;
}

std::string describe_point(const SweepSpec& spec, std::size_t point,
                           const std::vector<nlohmann::json>& values) {
  std::string out = fmt::format("sweep point {} (", point);
  for (std::size_t j = 0; j < values.size(); ++j) {
    out += fmt::format("{}{}={}", j ? ", " : "", spec.parameters[j].name, brief(values[j]));
  }
  return out + ")";
}

Scenario load_point(const SweepSpec& spec, std::size_t point,
                    const std::vector<nlohmann::json>& values) {
  try {
    Scenario s = load_scenario(point_doc(spec, values), spec.base_file);
    s.seed = spec.seed;
    return s;
  } catch (const ScenarioError& e) {
    std::vector<Diagnostic> ds = e.diagnostics();
    for (auto& d : ds) d.message = describe_point(spec, point, values) + ": " + d.message;
    throw ScenarioError(std::move(ds));
  }
}

/// The metric columns: the spec's list, checked against what a run reports, or all of them.
std::vector<std::string> metric_columns(const SweepSpec& spec, const Metrics& first,
                                        const std::vector<std::string>& parameter_names) {
  Diagnostics diag(spec.file);
  std::vector<std::string> columns = spec.metrics.empty() ? first.names : spec.metrics;
  for (const char* key : {"metrics", "sensitivity_metrics"}) {
    const auto& list = std::string_view(key) == "metrics" ? spec.metrics : spec.sensitivity_metrics;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (std::find(first.names.begin(), first.names.end(), list[i]) != first.names.end()) continue;
      const std::string near = nearest(list[i], first.names);
      diag.add(fmt::format("/{}/{}", key, i),
               fmt::format("got \"{}\", expected a metric of the run{}", list[i],
                           near.empty() ? " (see the columns of aidc run --replications' "
                                          "replications.csv)"
                                        : fmt::format(" (did you mean \"{}\"?)", near)));
    }
  }
  for (const auto& c : columns) {
    if (std::find(parameter_names.begin(), parameter_names.end(), c) != parameter_names.end()) {
      diag.add("/parameters",
               fmt::format("the parameter name \"{}\" is also a metric's; rename it", c));
    }
  }
  diag.throw_if_any();
  return columns;
}

}  // namespace

std::vector<double> sweep_job_values(const SweepSpec& spec,
                                     const std::vector<std::vector<nlohmann::json>>& points,
                                     const SweepJob& job, const std::vector<std::string>& metrics) {
  return metric_values(run_metrics(load_point(spec, job.point, points[job.point]), job.replication),
                       metrics);
}

std::size_t count_recorded_runs(const std::string& db_path) {
  if (!fs::exists(db_path)) return 0;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return 0;
  }
  sqlite3_busy_timeout(db, 2000);
  sqlite3_stmt* st = nullptr;
  std::size_t n = 0;
  if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM runs", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    n = static_cast<std::size_t>(sqlite3_column_int64(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

std::size_t check_points(const SweepSpec& spec, const Shard& shard) {
  const auto points = design_points(spec);
  std::vector<Diagnostic> problems;
  std::size_t checked = 0;
  for (std::size_t i = 0; i < points.size() && problems.size() < 20; ++i) {
    if (!shard.owns(i)) continue;
    ++checked;
    try {
      static_cast<void>(load_point(spec, i, points[i]));
    } catch (const ScenarioError& e) {
      for (const auto& d : e.diagnostics()) problems.push_back(d);
    }
  }
  if (!problems.empty()) throw ScenarioError(std::move(problems));
  return checked;
}

SweepSummary run_sweep(const SweepSpec& spec, const SweepOptions& options) {
  check_design_size(spec, options.max_runs);
  const auto points = design_points(spec);
  SweepSummary summary;
  summary.points = points.size();

  check_points(spec, options.shard);  // every point valid before anything runs
  std::vector<std::size_t> owned;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (options.shard.owns(i)) owned.push_back(i);
  }

  using Job = SweepJob;
  std::vector<Job> jobs;
  for (const auto i : owned) {
    for (std::size_t r = 0; r < spec.replications; ++r) jobs.push_back({i, r});
  }
  summary.runs_total = jobs.size();
  if (jobs.empty()) {
    fail(spec.file, fmt::format("shard {} has no points (got a sweep of {} points, expected at "
                                "least as many points as shards)",
                                shard_text(options.shard), points.size()));
  }

  const fs::path db_path = fs::path(options.out_dir) / kDatabase;
  std::vector<std::string> metrics;
  std::set<std::pair<std::size_t, std::size_t>> done;
  std::size_t first_job = 0;
  if (fs::exists(db_path)) {
    if (!options.resume) {
      fail(db_path.string(),
           "holds results already; pass --resume to continue that sweep, or "
           "choose another --out");
    }
    Database db(db_path.string());
    metrics = check_database(db, spec, options.shard, true);
    for (const auto& row : read_runs(db, metrics.size())) done.insert({row.point, row.replication});
  } else {
    // The first run fixes the metric columns; the database appears whole, with that run in it.
    const Job j = jobs.front();
    const Metrics m = run_metrics(load_point(spec, j.point, points[j.point]), j.replication);
    metrics = metric_columns(spec, m, parameter_names(spec));
    fs::create_directories(options.out_dir);
    const fs::path partial = fs::path(options.out_dir) / ".sweep.db.partial";
    fs::remove(partial);
    {
      Database db(partial.string());
      create_schema(db, spec, options.shard, points, metrics);
      insert_run(db, prepare_insert_run(db, metrics.size()), j.point, j.replication,
                 metric_values(m, metrics));
      db.exec("PRAGMA journal_mode = DELETE");
    }
    fs::rename(partial, db_path);
    done.insert({j.point, j.replication});
    first_job = 1;
    ++summary.runs_done;
  }
  summary.runs_resumed = done.size() - summary.runs_done;

  std::vector<Job> todo;
  for (std::size_t i = first_job; i < jobs.size(); ++i) {
    if (!done.count({jobs[i].point, jobs[i].replication})) todo.push_back(jobs[i]);
  }
  {
    Database db(db_path.string());
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    sqlite3_stmt* insert = prepare_insert_run(db, metrics.size());
    std::mutex db_mutex;
    std::size_t completed = done.size();
    if (options.progress) options.progress(completed, jobs.size());
    // Each run is recorded (one committed insert) as it arrives, so a sweep that is
    // stopped at any point resumes from what its database holds.
    const auto record = [&](std::size_t t, const std::vector<double>& values) {
      const std::lock_guard<std::mutex> lock(db_mutex);
      insert_run(db, insert, todo[t].point, todo[t].replication, values);
      if (options.progress) options.progress(++completed, jobs.size());
    };
    if (options.executor) {
      options.executor(todo, metrics, record);
    } else {
      parallel_for(todo.size(), options.threads, [&](std::size_t t) {
        record(t, sweep_job_values(spec, points, todo[t], metrics));
      });
    }
    summary.runs_done += todo.size();
    // Finished: back to a rollback journal, so the database is one file that may be copied
    // (a shard to a shared file system, say) and opened where WAL's shared memory is not.
    db.exec("PRAGMA journal_mode = DELETE");
    if (options.shard.whole()) {
      const auto rows = read_runs(db, metrics.size());
      summary.files = write_outputs(spec, options.out_dir, points, metrics, rows);
    } else {
      summary.files = {kDatabase};
    }
  }
  return summary;
}

SweepSummary merge_sweep(const SweepSpec& spec, const std::vector<std::string>& shard_dirs,
                         const std::string& out_dir) {
  const auto points = design_points(spec);
  const fs::path db_path = fs::path(out_dir) / kDatabase;
  if (fs::exists(db_path)) {
    // Merging again (after a failed shard ran again, say) replaces an earlier merge of the
    // same sweep; anything else stays untouched.
    Database db(db_path.string());
    check_database(db, spec, Shard{}, false);
    if (db.meta("shard") != shard_text(Shard{}))
      fail(db_path.string(), fmt::format("holds shard {}, not a merged sweep; merge into another "
                                         "--out folder",
                                         db.meta("shard")));
  }
  std::vector<std::string> metrics;
  std::vector<RunRow> rows;
  std::set<std::string> shards_seen;
  std::size_t shard_count = 0;
  for (const auto& dir : shard_dirs) {
    const fs::path path = fs::path(dir) / kDatabase;
    if (!fs::exists(path)) fail(path.string(), "not found; expected a shard's results database");
    Database db(path.string());
    const auto m = check_database(db, spec, Shard{}, false);
    if (metrics.empty()) metrics = m;
    if (m != metrics)
      fail(path.string(),
           "has other metric columns than the first shard; give the sweep an explicit \"metrics\" "
           "list");
    const std::string shard = db.meta("shard");
    if (!shards_seen.insert(shard).second)
      fail(path.string(), fmt::format("shard {} is given twice", shard));
    const Shard s = parse_shard(shard);
    if (shard_count != 0 && s.count != shard_count) {
      fail(path.string(),
           fmt::format("is shard {}, expected one of {} shards", shard, shard_count));
    }
    shard_count = s.count;
    for (auto& row : read_runs(db, metrics.size())) rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const RunRow& a, const RunRow& b) {
    return std::tie(a.point, a.replication) < std::tie(b.point, b.replication);
  });
  const std::size_t expected = points.size() * spec.replications;
  if (rows.size() != expected) {
    fail(shard_dirs.empty() ? out_dir : shard_dirs.front(),
         fmt::format("the shards hold {} runs, expected {} ({} points x {} replications); "
                     "finish every shard (--resume) first",
                     rows.size(), expected, points.size(), spec.replications));
  }
  fs::create_directories(out_dir);
  const fs::path partial = fs::path(out_dir) / ".sweep.db.partial";
  fs::remove(partial);
  {
    Database db(partial.string());
    create_schema(db, spec, Shard{}, points, metrics);
    db.exec("BEGIN");
    sqlite3_stmt* insert = prepare_insert_run(db, metrics.size());
    for (const auto& row : rows) insert_run(db, insert, row.point, row.replication, row.values);
    db.exec("COMMIT");
    db.exec("PRAGMA journal_mode = DELETE");
  }
  fs::rename(partial, db_path);
  SweepSummary summary;
  summary.points = points.size();
  summary.runs_total = rows.size();
  summary.runs_resumed = rows.size();
  summary.files = write_outputs(spec, out_dir, points, metrics, rows);
  return summary;
}

}  // namespace aidc::experiment
