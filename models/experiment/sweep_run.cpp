// Running a sweep into its SQLite database, resuming it, merging shards, and writing the
// CSV, JSON and sensitivity outputs of a whole sweep.

#include <fmt/format.h>
#include <sqlite3.h>

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
#include "aidc/models/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::experiment {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDatabase = "sweep.db";

[[noreturn]] void fail(const std::string& file, const std::string& message) {
  throw ScenarioError({Diagnostic{file, "", message}});
}

/// The little of SQLite's C API a sweep needs.
class Database {
 public:
  explicit Database(const std::string& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      fail(path, "cannot open the results database: " + why);
    }
    sqlite3_busy_timeout(db_, 10000);
  }
  ~Database() {
    for (auto* st : statements_) sqlite3_finalize(st);
    sqlite3_close(db_);
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string why = error ? error : "unknown error";
      sqlite3_free(error);
      fail(path_, fmt::format("database error: {} (in: {:.80})", why, sql));
    }
  }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      fail(path_, fmt::format("database error: {} (in: {:.80})", sqlite3_errmsg(db_), sql));
    }
    statements_.push_back(st);
    return st;
  }
  void step_done(sqlite3_stmt* st) {
    if (sqlite3_step(st) != SQLITE_DONE)
      fail(path_, std::string("database error: ") + sqlite3_errmsg(db_));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  /// The text in the meta table under `key` ("" if absent).
  std::string meta(const std::string& key) {
    sqlite3_stmt* st = prepare("SELECT value FROM meta WHERE key = ?1");
    sqlite3_bind_text(st, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return out;
  }
  bool has_table(const std::string& name) {
    sqlite3_stmt* st = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    const bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

std::string quote_id(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

void bind_json(sqlite3_stmt* st, int index, const nlohmann::json& v) {
  if (v.is_number_integer()) {
    sqlite3_bind_int64(st, index, v.get<std::int64_t>());
  } else if (v.is_number()) {
    sqlite3_bind_double(st, index, v.get<double>());
  } else if (v.is_boolean()) {
    sqlite3_bind_int(st, index, v.get<bool>() ? 1 : 0);
  } else if (v.is_string()) {
    sqlite3_bind_text(st, index, v.get_ref<const std::string&>().c_str(), -1, SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_text(st, index, v.dump().c_str(), -1, SQLITE_TRANSIENT);
  }
}

std::string csv_value(const nlohmann::json& v) {
  std::string text;
  if (v.is_number_integer()) {
    text = std::to_string(v.get<std::int64_t>());
  } else if (v.is_number()) {
    text = csv_number(v.get<double>());
  } else if (v.is_string()) {
    text = v.get<std::string>();
  } else {
    text = v.dump();
  }
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

std::string shard_text(const Shard& s) { return fmt::format("{}/{}", s.index, s.count); }

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

std::vector<double> select(const Metrics& m, const std::vector<std::string>& columns) {
  std::vector<double> out;
  out.reserve(columns.size());
  for (const auto& c : columns) {
    const auto it = std::find(m.names.begin(), m.names.end(), c);
    out.push_back(it == m.names.end() ? std::numeric_limits<double>::quiet_NaN()
                                      : m.values[static_cast<std::size_t>(it - m.names.begin())]);
  }
  return out;
}

std::vector<std::string> parameter_names(const SweepSpec& spec) {
  std::vector<std::string> out;
  for (const auto& p : spec.parameters) out.push_back(p.name);
  return out;
}

/// Creates the schema and the meta and points tables.
void create_schema(Database& db, const SweepSpec& spec, const Shard& shard,
                   const std::vector<std::vector<nlohmann::json>>& points,
                   const std::vector<std::string>& metrics) {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("BEGIN");
  db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  std::string cols;
  for (const auto& p : spec.parameters) {
    cols += ", ";
    cols += quote_id(p.name);
  }
  db.exec("CREATE TABLE points (point INTEGER PRIMARY KEY" + cols + ")");
  std::string metric_cols;
  for (const auto& m : metrics) {
    metric_cols += ", ";
    metric_cols += quote_id(m) + " REAL";
  }
  db.exec(
      "CREATE TABLE runs (point INTEGER NOT NULL REFERENCES points(point), replication "
      "INTEGER NOT NULL" +
      metric_cols + ", PRIMARY KEY (point, replication))");
  std::string select_params, select_metrics;
  for (const auto& p : spec.parameters) select_params += ", p." + quote_id(p.name);
  for (const auto& m : metrics) select_metrics += ", r." + quote_id(m);
  db.exec("CREATE VIEW results AS SELECT r.point, r.replication" + select_params + select_metrics +
          " FROM runs r JOIN points p ON p.point = r.point");
  std::string means, summary;
  for (const auto& m : metrics) {
    const std::string q = quote_id(m);
    means += ", AVG(" + q + ") AS " + quote_id(m + "_mean");
    summary += ", a." + quote_id(m + "_mean") + ", SUM((r." + q + " - a." + quote_id(m + "_mean") +
               ") * (r." + q + " - a." + quote_id(m + "_mean") + ")) / (COUNT(r." + q +
               ") - 1) AS " + quote_id(m + "_variance");
  }
  db.exec("CREATE VIEW point_summary AS SELECT r.point" + select_params +
          ", COUNT(*) AS replications" + summary +
          " FROM runs r JOIN points p ON p.point = r.point" + " JOIN (SELECT point" + means +
          " FROM runs GROUP BY point) a ON a.point = r.point" + " GROUP BY r.point");

  sqlite3_stmt* meta = db.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)");
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : spec.parameters)
    params.push_back({{"name", p.name}, {"pointer", p.pointer}});
  const std::vector<std::pair<std::string, std::string>> rows{
      {"sweep_hash", spec.hash},
      {"name", spec.name},
      {"version", AIDC_VERSION},
      {"design", design_name(spec.design)},
      {"points", std::to_string(points.size())},
      {"replications", std::to_string(spec.replications)},
      {"seed", std::to_string(spec.seed)},
      {"shard", shard_text(shard)},
      {"parameters", params.dump()},
      {"metrics", nlohmann::json(metrics).dump()}};
  for (const auto& [key, value] : rows) {
    sqlite3_bind_text(meta, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(meta, 2, value.c_str(), -1, SQLITE_TRANSIENT);
    db.step_done(meta);
  }
  std::string marks = "?1";
  for (std::size_t j = 0; j < spec.parameters.size(); ++j) marks += fmt::format(", ?{}", j + 2);
  sqlite3_stmt* ins = db.prepare("INSERT INTO points VALUES (" + marks + ")");
  for (std::size_t i = 0; i < points.size(); ++i) {
    sqlite3_bind_int64(ins, 1, static_cast<sqlite3_int64>(i));
    for (std::size_t j = 0; j < points[i].size(); ++j)
      bind_json(ins, static_cast<int>(j + 2), points[i][j]);
    db.step_done(ins);
  }
  db.exec("COMMIT");
}

sqlite3_stmt* prepare_insert_run(Database& db, std::size_t metric_count) {
  std::string marks = "?1, ?2";
  for (std::size_t m = 0; m < metric_count; ++m) marks += fmt::format(", ?{}", m + 3);
  return db.prepare("INSERT INTO runs VALUES (" + marks + ")");
}

void insert_run(Database& db, sqlite3_stmt* st, std::size_t point, std::size_t replication,
                const std::vector<double>& values) {
  sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(point));
  sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(replication));
  for (std::size_t m = 0; m < values.size(); ++m) {
    if (std::isfinite(values[m])) sqlite3_bind_double(st, static_cast<int>(m + 3), values[m]);
  }
  db.step_done(st);
}

struct RunRow {
  std::size_t point = 0, replication = 0;
  std::vector<double> values;
};

std::vector<RunRow> read_runs(Database& db, std::size_t metric_count) {
  sqlite3_stmt* st = db.prepare("SELECT * FROM runs ORDER BY point, replication");
  std::vector<RunRow> rows;
  while (sqlite3_step(st) == SQLITE_ROW) {
    RunRow row;
    row.point = static_cast<std::size_t>(sqlite3_column_int64(st, 0));
    row.replication = static_cast<std::size_t>(sqlite3_column_int64(st, 1));
    for (std::size_t m = 0; m < metric_count; ++m) {
      const int c = static_cast<int>(m + 2);
      row.values.push_back(sqlite3_column_type(st, c) == SQLITE_NULL
                               ? std::numeric_limits<double>::quiet_NaN()
                               : sqlite3_column_double(st, c));
    }
    rows.push_back(std::move(row));
  }
  sqlite3_reset(st);
  return rows;
}

/// Checks that an existing database belongs to this sweep; returns its metric columns.
std::vector<std::string> check_database(Database& db, const SweepSpec& spec, const Shard& shard,
                                        bool check_shard) {
  if (!db.has_table("meta")) fail(db.path(), "not a sweep results database (no meta table)");
  const std::string hash = db.meta("sweep_hash");
  if (hash != spec.hash) {
    fail(db.path(), fmt::format("holds the results of a different sweep or version (got sweep "
                                "hash {}, expected {}); use another --out, or delete it",
                                hash, spec.hash));
  }
  if (check_shard && db.meta("shard") != shard_text(shard)) {
    fail(db.path(), fmt::format("holds shard {} (got --shard {}, expected the same shard)",
                                db.meta("shard"), shard_text(shard)));
  }
  return nlohmann::json::parse(db.meta("metrics")).get<std::vector<std::string>>();
}

/// Writes runs.csv, points.csv, sweep.json and the sensitivity files of a whole sweep.
std::vector<std::string> write_outputs(const SweepSpec& spec, const std::string& out_dir,
                                       const std::vector<std::vector<nlohmann::json>>& points,
                                       const std::vector<std::string>& metrics,
                                       const std::vector<RunRow>& rows) {
  std::string header;
  for (const auto& p : spec.parameters) {
    header += ",";
    header += p.name;
  }
  std::string runs = "point,replication" + header;
  for (const auto& m : metrics) {
    runs += ",";
    runs += m;
  }
  runs += "\n";
  std::vector<std::vector<std::vector<double>>> samples(
      points.size(), std::vector<std::vector<double>>(metrics.size()));
  for (const auto& row : rows) {
    runs += fmt::format("{},{}", row.point, row.replication);
    for (const auto& v : points[row.point]) {
      runs += ",";
      runs += csv_value(v);
    }
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      runs += ",";
      runs += csv_number(row.values[m]);
      samples[row.point][m].push_back(row.values[m]);
    }
    runs += "\n";
  }

  std::string by_point = "point" + header + ",replications";
  for (const auto& m : metrics) by_point += fmt::format(",{0}_mean,{0}_ci95_low,{0}_ci95_high", m);
  by_point += "\n";
  std::vector<std::vector<double>> means(points.size(), std::vector<double>(metrics.size()));
  for (std::size_t i = 0; i < points.size(); ++i) {
    by_point += std::to_string(i);
    for (const auto& v : points[i]) {
      by_point += ",";
      by_point += csv_value(v);
    }
    by_point += fmt::format(",{}", samples[i].empty() ? 0 : samples[i][0].size());
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const Estimate e = estimate(samples[i][m]);
      means[i][m] = e.mean;
      by_point += fmt::format(",{},{},{}", csv_number(e.mean),
                              csv_number(e.n > 1 ? e.ci95_low() : std::nan("")),
                              csv_number(e.n > 1 ? e.ci95_high() : std::nan("")));
    }
    by_point += "\n";
  }

  std::vector<std::string> sensitivity = spec.sensitivity_metrics;
  if (sensitivity.empty()) {
    for (const char* preferred : {"finance_npv_usd", "utilization"}) {
      if (std::find(metrics.begin(), metrics.end(), preferred) != metrics.end()) {
        sensitivity.push_back(preferred);
        break;
      }
    }
    if (sensitivity.empty() && !metrics.empty()) sensitivity.push_back(metrics.front());
  }

  std::vector<std::pair<std::string, std::string>> files{{"runs.csv", runs},
                                                         {"points.csv", by_point}};
  const std::size_t k = spec.parameters.size();
  for (const auto& name : sensitivity) {
    const auto m =
        static_cast<std::size_t>(std::find(metrics.begin(), metrics.end(), name) - metrics.begin());
    if (m >= metrics.size()) continue;
    if (spec.design == Design::oat) {
      if (files.size() == 2) {
        files.emplace_back("tornado.csv",
                           "metric,parameter,low_value,high_value,base_metric,metric_at_low,"
                           "metric_at_high,swing,base_value\n");
      }
      std::vector<double> low(k), high(k);
      for (std::size_t j = 0; j < k; ++j) {
        low[j] = means[2 * j + 1][m];
        high[j] = means[2 * j + 2][m];
      }
      for (const auto& s : tornado(means[0][m], low, high)) {
        const auto& p = spec.parameters[s.parameter];
        files.back().second +=
            fmt::format("{},{},{},{},{},{},{},{},{}\n", name, p.name,
                        csv_value(points[2 * s.parameter + 1][s.parameter]),
                        csv_value(points[2 * s.parameter + 2][s.parameter]), csv_number(s.base),
                        csv_number(s.at_low), csv_number(s.at_high), csv_number(s.swing()),
                        csv_value(points[0][s.parameter]));
      }
    } else if (spec.design == Design::saltelli) {
      if (files.size() == 2) {
        files.emplace_back("sobol.csv",
                           "metric,parameter,first_order,total,first_order_ci95_low,"
                           "first_order_ci95_high,total_ci95_low,total_ci95_high,variance\n");
      }
      Eigen::VectorXd f(static_cast<Eigen::Index>(points.size()));
      for (std::size_t i = 0; i < points.size(); ++i) f(static_cast<Eigen::Index>(i)) = means[i][m];
      const SobolIndices s = sobol_indices(f, k, spec.samples, 500, spec.seed);
      for (std::size_t j = 0; j < k; ++j) {
        const auto J = static_cast<Eigen::Index>(j);
        files.back().second += fmt::format(
            "{},{},{},{},{},{},{},{},{}\n", name, spec.parameters[j].name,
            csv_number(s.first_order(J)), csv_number(s.total(J)), csv_number(s.first_order_low(J)),
            csv_number(s.first_order_high(J)), csv_number(s.total_low(J)),
            csv_number(s.total_high(J)), csv_number(s.variance));
      }
    }
  }

  nlohmann::ordered_json manifest;
  manifest["name"] = spec.name;
  manifest["description"] = spec.description;
  manifest["base"] = spec.base_file;
  manifest["design"] = design_name(spec.design);
  nlohmann::ordered_json params = nlohmann::ordered_json::array();
  for (const auto& p : spec.parameters)
    params.push_back({{"name", p.name}, {"pointer", p.pointer}});
  manifest["parameters"] = params;
  manifest["metrics"] = metrics;
  manifest["sensitivity_metrics"] = sensitivity;
  manifest["points"] = points.size();
  manifest["replications"] = spec.replications;
  manifest["seed"] = spec.seed;
  manifest["sweep_hash"] = spec.hash;
  manifest["version"] = AIDC_VERSION;
  std::vector<std::string> names{kDatabase};
  for (const auto& f : files) names.push_back(f.first);
  names.emplace_back("sweep.json");
  manifest["files"] = names;
  files.emplace_back("sweep.json", manifest.dump(2) + "\n");
  write_files_atomically(out_dir, files);
  return names;
}

}  // namespace

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
  const auto points = design_points(spec);
  SweepSummary summary;
  summary.points = points.size();

  check_points(spec, options.shard);  // every point valid before anything runs
  std::vector<std::size_t> owned;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (options.shard.owns(i)) owned.push_back(i);
  }

  struct Job {
    std::size_t point, replication;
  };
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
                 select(m, metrics));
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
    const std::size_t already = done.size();
    if (options.progress) options.progress(already, jobs.size());
    parallel_for(
        todo.size(), options.threads,
        [&](std::size_t t) {
          const Job j = todo[t];
          const Metrics m = run_metrics(load_point(spec, j.point, points[j.point]), j.replication);
          const std::vector<double> values = select(m, metrics);
          const std::lock_guard<std::mutex> lock(db_mutex);
          insert_run(db, insert, j.point, j.replication, values);  // committed on its own
        },
        [&](std::size_t completed) {
          if (options.progress) options.progress(already + completed, jobs.size());
        });
    summary.runs_done += todo.size();
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
    fail(db_path.string(), "exists already; merge into a new --out folder");
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
