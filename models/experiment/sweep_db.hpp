#pragma once
// The SQLite database of a sweep (sweep.db) and what the files of a sweep share: the tables
// and their schema, the runs recorded, and the whole sweep's output files.

#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aidc/experiment/runner.hpp"
#include "aidc/experiment/sweep.hpp"
#include "aidc/scenario/errors.hpp"

namespace aidc::experiment::sweep_detail {

inline constexpr const char* kDatabase = "sweep.db";

[[noreturn]] inline void fail(const std::string& file, const std::string& message) {
  throw ScenarioError({Diagnostic{file, "", message}});
}

/// Binds a copy of `text` to parameter `index` (SQLite's SQLITE_TRANSIENT, which its header
/// defines as an integer cast to a pointer).
inline void bind_text(sqlite3_stmt* st, int index, const std::string& text) {
  sqlite3_bind_text(st, index, text.c_str(), -1,
                    SQLITE_TRANSIENT);  // NOLINT(performance-no-int-to-ptr)
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
    bind_text(st, 1, key);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return out;
  }
  bool has_table(const std::string& name) {
    sqlite3_stmt* st = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    bind_text(st, 1, name);
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

std::string quote_id(const std::string& name);
void bind_json(sqlite3_stmt* st, int index, const nlohmann::json& v);
inline std::string shard_text(const Shard& s) { return fmt::format("{}/{}", s.index, s.count); }
std::vector<std::string> parameter_names(const SweepSpec& spec);

/// Creates the schema and the meta and points tables.
void create_schema(Database& db, const SweepSpec& spec, const Shard& shard,
                   const std::vector<std::vector<nlohmann::json>>& points,
                   const std::vector<std::string>& metrics);
sqlite3_stmt* prepare_insert_run(Database& db, std::size_t metric_count);
void insert_run(Database& db, sqlite3_stmt* st, std::size_t point, std::size_t replication,
                const std::vector<double>& values);

struct RunRow {
  std::size_t point = 0, replication = 0;
  std::vector<double> values;
};
std::vector<RunRow> read_runs(Database& db, std::size_t metric_count);
/// Checks that an existing database belongs to this sweep; returns its metric columns.
std::vector<std::string> check_database(Database& db, const SweepSpec& spec, const Shard& shard,
                                        bool check_shard);

/// Writes runs.csv, points.csv, sweep.json and the sensitivity files of a whole sweep.
std::vector<std::string> write_outputs(const SweepSpec& spec, const std::string& out_dir,
                                       const std::vector<std::vector<nlohmann::json>>& points,
                                       const std::vector<std::string>& metrics,
                                       const std::vector<RunRow>& rows);

}  // namespace aidc::experiment::sweep_detail
