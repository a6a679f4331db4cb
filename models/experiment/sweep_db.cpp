// The SQLite database of a sweep: its schema, the runs it records, and the check that an
// existing database belongs to the sweep being resumed or merged.

#include "sweep_db.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <set>

#include "aidc/experiment/inputs.hpp"

namespace aidc::experiment::sweep_detail {

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
    bind_text(st, index, v.get_ref<const std::string&>());
  } else {
    bind_text(st, index, v.dump());
  }
}

std::vector<std::string> parameter_names(const SweepSpec& spec) {
  std::vector<std::string> out;
  for (const auto& p : spec.parameters) out.push_back(p.name);
  return out;
}

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
    const std::string mean = quote_id(m + "_mean");
    means += fmt::format(", AVG({}) AS {}", q, mean);
    summary +=
        fmt::format(", a.{1}, SUM((r.{0} - a.{1}) * (r.{0} - a.{1})) / (COUNT(r.{0}) - 1) AS {2}",
                    q, mean, quote_id(m + "_variance"));
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
    bind_text(meta, 1, key);
    bind_text(meta, 2, value);
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

}  // namespace aidc::experiment::sweep_detail
