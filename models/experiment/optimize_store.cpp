// The database of an optimization (optimize.db), written as the search goes so that a
// stopped optimization resumes, and its output files.

#include <fmt/format.h>

#include <filesystem>

#include "aidc/experiment/optimize.hpp"
#include "aidc/experiment/statistics.hpp"
#include "sweep_db.hpp"

namespace aidc::experiment {

namespace {

using namespace sweep_detail;

constexpr const char* kOptimizeDatabase = "optimize.db";

std::string join_values(const std::vector<double>& v) { return nlohmann::json(v).dump(); }

}  // namespace

// How samples and feasible scores are stored: as the objective metric reads, whatever the
// sense (an earlier layout negated them when minimizing and had no such key).
constexpr const char* kSamplesAsRead = "metric";

struct OptimizeStore::Impl {
  explicit Impl(const std::string& path) : db(path) {}
  Database db;
  sqlite3_stmt* candidate = nullptr;
  sqlite3_stmt* sample = nullptr;
};

OptimizeStore::OptimizeStore(const OptimizeSpec& spec, const std::string& dir, bool resume)
    : spec_(spec) {
  const std::filesystem::path path = std::filesystem::path(dir) / kOptimizeDatabase;
  const bool exists = std::filesystem::exists(path);
  if (exists && !resume)
    fail(path.string(),
         "holds an optimization already; pass --resume to continue it, or choose "
         "another --out");
  std::filesystem::create_directories(dir);
  impl_ = std::make_unique<Impl>(path.string());
  Database& db = impl_->db;
  if (exists) {
    if (!db.has_table("meta")) fail(path.string(), "not an optimization database (no meta table)");
    const std::string hash = db.meta("optimize_hash");
    if (hash != spec.hash)
      fail(path.string(), fmt::format("holds another optimization or version (got hash {}, "
                                      "expected {}); use another --out, or delete it",
                                      hash, spec.hash));
    if (db.meta("samples") != kSamplesAsRead)
      fail(path.string(),
           "was written by an earlier aidc, whose samples of a minimized "
           "objective were negated; use another --out, or delete it");
  } else {
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)");
    std::string columns;
    for (const auto& v : spec.variables) columns += ", " + quote_id(v.name);
    db.exec(
        fmt::format("CREATE TABLE candidates (candidate INTEGER PRIMARY KEY, "
                    "first_evaluation INTEGER{}, feasible INTEGER, score REAL, "
                    "replications INTEGER, constraint_means TEXT)",
                    columns));
    db.exec(
        "CREATE TABLE samples (candidate INTEGER, replication INTEGER, value REAL, "
        "PRIMARY KEY (candidate, replication))");
    sqlite3_stmt* meta = db.prepare("INSERT INTO meta VALUES (?1, ?2)");
    for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
             {"optimize_hash", spec.hash},
             {"name", spec.name},
             {"objective", spec.objective.metric},
             {"sense", spec.objective.maximize ? "maximize" : "minimize"},
             {"samples", kSamplesAsRead},
             {"aidc_version", AIDC_VERSION}}) {
      bind_text(meta, 1, k);
      bind_text(meta, 2, v);
      db.step_done(meta);
    }
  }
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  std::string marks;
  for (std::size_t j = 0; j < spec.variables.size(); ++j) marks += fmt::format(", ?{}", j + 3);
  const std::size_t n = spec.variables.size();
  impl_->candidate = db.prepare(
      fmt::format("INSERT OR REPLACE INTO candidates VALUES (?1, ?2{}, ?{}, ?{}, ?{}, ?{})", marks,
                  n + 3, n + 4, n + 5, n + 6));
  impl_->sample = db.prepare("INSERT OR REPLACE INTO samples VALUES (?1, ?2, ?3)");
}

OptimizeStore::~OptimizeStore() = default;

std::vector<Candidate> OptimizeStore::known() {
  Database& db = impl_->db;
  std::vector<Candidate> out;
  const std::size_t n = spec_.variables.size();
  sqlite3_stmt* st = db.prepare("SELECT * FROM candidates ORDER BY candidate");
  while (sqlite3_step(st) == SQLITE_ROW) {
    Candidate c;
    c.first_evaluation = static_cast<std::size_t>(sqlite3_column_int64(st, 1));
    for (std::size_t j = 0; j < n; ++j) {
      const int col = static_cast<int>(j) + 2;
      const int type = sqlite3_column_type(st, col);
      if (type == SQLITE_TEXT) {
        c.values.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, col)));
      } else if (type == SQLITE_INTEGER) {
        c.values.emplace_back(sqlite3_column_int64(st, col));
      } else {
        c.values.emplace_back(sqlite3_column_double(st, col));
      }
    }
    c.feasible = sqlite3_column_int64(st, static_cast<int>(n) + 2) != 0;
    c.score = sqlite3_column_double(st, static_cast<int>(n) + 3);
    if (c.feasible) c.score *= sense();
    c.constraint_means = nlohmann::json::parse(reinterpret_cast<const char*>(sqlite3_column_text(
                                                   st, static_cast<int>(n) + 5)))
                             .get<std::vector<double>>();
    out.push_back(std::move(c));
  }
  sqlite3_reset(st);
  sqlite3_stmt* samples =
      db.prepare("SELECT candidate, value FROM samples ORDER BY candidate, replication");
  while (sqlite3_step(samples) == SQLITE_ROW) {
    const auto c = static_cast<std::size_t>(sqlite3_column_int64(samples, 0));
    if (c < out.size()) out[c].samples.push_back(sense() * sqlite3_column_double(samples, 1));
  }
  sqlite3_reset(samples);
  return out;
}

void OptimizeStore::record(std::size_t index, const Candidate& c) {
  Database& db = impl_->db;
  db.exec("BEGIN");
  sqlite3_stmt* st = impl_->candidate;
  sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(index));
  sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(c.first_evaluation));
  const int n = static_cast<int>(spec_.variables.size());
  for (int j = 0; j < n; ++j) bind_json(st, j + 3, c.values[static_cast<std::size_t>(j)]);
  sqlite3_bind_int(st, n + 3, c.feasible ? 1 : 0);
  sqlite3_bind_double(st, n + 4, c.feasible ? sense() * c.score : c.score);
  sqlite3_bind_int64(st, n + 5, static_cast<sqlite3_int64>(c.samples.size()));
  bind_text(st, n + 6, join_values(c.constraint_means));
  db.step_done(st);
  for (std::size_t r = 0; r < c.samples.size(); ++r) {
    sqlite3_bind_int64(impl_->sample, 1, static_cast<sqlite3_int64>(index));
    sqlite3_bind_int64(impl_->sample, 2, static_cast<sqlite3_int64>(r));
    sqlite3_bind_double(impl_->sample, 3, sense() * c.samples[r]);
    db.step_done(impl_->sample);
  }
  db.exec("COMMIT");
}

}  // namespace aidc::experiment
