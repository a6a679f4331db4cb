// aidc run --replications, aidc compare and aidc sweep as a user runs them: outputs that do
// not depend on the thread count, a sweep killed with SIGKILL and resumed, and shards that
// merge into the same results as one process.

#include <signal.h>  // NOLINT(modernize-deprecated-headers): kill() is POSIX
#include <spawn.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "aidc/experiment/sweep.hpp"
#include "support.hpp"

using aidc::test::quoted;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::source_path;
using aidc::test::TempDir;
using aidc::test::write_file;
namespace fs = std::filesystem;

extern char** environ;

namespace {

const char* const kBase = R"({"name": "q", "start": "2026-01-01", "horizon": "60d", "seed": 9,
  "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 24}]},
  "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 18}, "gpus": 1,
    "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": 1}]},
  "finance": {"prices": {"on_demand": {"model": "fixed", "usd_per_gpu_hour": 2.5}}}})";

/// 4 x 5 points, 2 replications each: 40 runs.
const char* const kSweep = R"({"name": "s", "base": "base.json", "replications": 2,
  "design": {"type": "grid"},
  "parameters": [
    {"name": "gpus", "pointer": "/fleet/pools/0/count", "values": [20, 22, 24, 26]},
    {"name": "price", "pointer": "/finance/prices/on_demand/usd_per_gpu_hour",
     "range": {"low": 1.5, "high": 3.5, "steps": 5}}],
  "metrics": ["utilization", "finance_revenue_usd_total", "finance_npv_usd",
              "streams_r_mean_wait_hours"]})";

void write_inputs(const TempDir& dir) {
  write_file(dir / "base.json", kBase);
  write_file(dir / "sweep.json", kSweep);
}

}  // namespace

TEST_CASE("aidc run --replications writes the same files on 1 and 3 threads", "[cli][experiment]") {
  TempDir dir;
  write_file(dir / "base.json", kBase);
  const auto a =
      run_aidc(dir, "run " + quoted(dir / "base.json") + " -n 5 -j 1 --out " + quoted(dir / "a"));
  const auto b =
      run_aidc(dir, "run " + quoted(dir / "base.json") + " -n 5 -j 3 --out " + quoted(dir / "b"));
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  for (const char* f :
       {"summary.json", "timeseries.csv", "replications.csv", "replication_timeseries.csv"}) {
    CAPTURE(f);
    CHECK(read_file(dir / "a" / f) == read_file(dir / "b" / f));
  }
  // replication_timeseries.csv: `replication` and timeseries.csv's columns; replication 0's
  // rows are timeseries.csv's, then replications 1 to 4 with as many rows each.
  {
    const std::string series = read_file(dir / "a" / "timeseries.csv");
    const std::string all = read_file(dir / "a" / "replication_timeseries.csv");
    std::string first;  // replication 0's part, without its leading "0,"
    std::istringstream in(all);
    std::string line;
    REQUIRE(std::getline(in, line));
    CHECK(line + "\n" == "replication," + series.substr(0, series.find('\n') + 1));
    first = line.substr(std::string("replication,").size()) + "\n";
    std::map<std::string, std::size_t> rows;
    std::string last = "0";
    while (std::getline(in, line)) {
      const std::string r = line.substr(0, line.find(','));
      CHECK(std::stoi(r) >= std::stoi(last));
      last = r;
      ++rows[r];
      if (r == "0") first += line.substr(2) + "\n";
    }
    CHECK(first == series);
    REQUIRE(rows.size() == 5);
    for (const auto& [r, n] : rows) CHECK(n == rows["0"]);
  }
  const auto summary = nlohmann::json::parse(read_file(dir / "a" / "summary.json"));
  const auto& npv = summary["replications"]["metrics"]["finance_npv_usd"];
  CHECK(summary["replications"]["count"] == 5);
  CHECK(npv["n"] == 5);
  CHECK(npv["ci95_low"].get<double>() < npv["mean"].get<double>());
  CHECK(npv["mean"].get<double>() < npv["ci95_high"].get<double>());
  CHECK_THAT(a.out, Catch::Contains("across 5 replications"));
}

TEST_CASE("aidc run writes replication_timeseries.csv only with more than one replication",
          "[cli][experiment]") {
  TempDir dir;
  write_file(dir / "base.json", kBase);
  REQUIRE(
      run_aidc(dir, "run " + quoted(dir / "base.json") + " --out " + quoted(dir / "a")).exit_code ==
      0);
  CHECK(fs::exists(dir / "a" / "timeseries.csv"));
  CHECK_FALSE(fs::exists(dir / "a" / "replication_timeseries.csv"));
  CHECK_FALSE(fs::exists(dir / "a" / "replications.csv"));
}

TEST_CASE("aidc compare writes comparison.csv, comparison.json and each plan's run",
          "[cli][experiment]") {
  TempDir dir;
  write_file(dir / "base.json", kBase);
  write_file(dir / "cmp.json", R"({"replications": 3, "plans": [
    {"name": "small", "scenario": "base.json"},
    {"name": "large", "scenario": "base.json", "set": {"/fleet/pools/0/count": 30}}]})");
  const auto o =
      run_aidc(dir, "compare " + quoted(dir / "cmp.json") + " -j 2 --out " + quoted(dir / "out"));
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("large - small"));
  const auto j = nlohmann::json::parse(read_file(dir / "out" / "comparison.json"));
  CHECK(j["baseline"] == "small");
  CHECK(j["replications"] == 3);
  CHECK(read_file(dir / "out" / "comparison.csv").rfind("metric,plan,n,mean,sd,ci95_low", 0) == 0);
  CHECK(fs::exists(dir / "out" / "plans" / "large" / "timeseries.csv"));
  // More GPUs for the same customers: lower utilization in every replication.
  for (const auto& m : j["metrics"]) {
    if (m["metric"] != "utilization") continue;
    CHECK(m["differences"][0]["ci95_high"].get<double>() < 0);
  }
  const auto bad = run_aidc(dir, "compare " + quoted(dir / "base.json"));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("expected at least 2 to compare"));
}

TEST_CASE("A sweep gives the same results on 1 and 2 threads, and its shards merge into them",
          "[cli][sweep]") {
  TempDir dir;
  write_inputs(dir);
  const std::string sweep = quoted(dir / "sweep.json");
  const auto one = run_aidc(dir, "sweep " + sweep + " -j 1 --out " + quoted(dir / "one"));
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  // Not a terminal: plain progress lines.
  CHECK_THAT(one.err, Catch::Contains("sweep: 40/40 runs (100%)"));
  REQUIRE(run_aidc(dir, "sweep " + sweep + " -j 2 -q --out " + quoted(dir / "two")).exit_code == 0);
  for (const char* f : {"runs.csv", "points.csv", "sweep.json"}) {
    CAPTURE(f);
    CHECK(read_file(dir / "one" / f) == read_file(dir / "two" / f));
  }
  const std::string runs = read_file(dir / "one" / "runs.csv");
  CHECK(runs.rfind("point,replication,gpus,price,utilization,finance_revenue_usd_total,"
                   "finance_npv_usd,streams_r_mean_wait_hours\n0,0,20,1.5,",
                   0) == 0);
  CHECK(std::count(runs.begin(), runs.end(), '\n') == 41);

  // Three shards in three processes, then merged.
  std::string shard_dirs;
  for (int k = 1; k <= 3; ++k) {
    const fs::path out = dir / ("shard" + std::to_string(k));
    const auto shard = run_aidc(
        dir, "sweep " + sweep + " -q --shard " + std::to_string(k) + "/3 --out " + quoted(out));
    REQUIRE(shard.exit_code == 0);
    CHECK_FALSE(fs::exists(out / "runs.csv"));  // a shard alone is not the whole sweep
    shard_dirs += " " + quoted(out);
  }
  const auto merged = run_aidc(
      dir, "sweep " + sweep + " --out " + quoted(dir / "merged") + " --merge" + shard_dirs);
  INFO(merged.err);
  REQUIRE(merged.exit_code == 0);
  for (const char* f : {"runs.csv", "points.csv", "sweep.json"}) {
    CAPTURE(f);
    CHECK(read_file(dir / "one" / f) == read_file(dir / "merged" / f));
  }
  // An incomplete set of shards is refused.
  const auto partial = run_aidc(dir, "sweep " + sweep + " --out " + quoted(dir / "partial") +
                                         " --merge " + quoted(dir / "shard1"));
  CHECK(partial.exit_code == 2);
  CHECK_THAT(partial.err, Catch::Contains("finish every shard"));
  // A shard must own a point, and K/N must be a shard.
  const auto empty =
      run_aidc(dir, "sweep " + sweep + " -q --shard 21/25 --out " + quoted(dir / "e"));
  CHECK(empty.exit_code == 2);
  CHECK_THAT(empty.err, Catch::Contains("shard 21/25 has no points"));
  const auto bad_shard =
      run_aidc(dir, "sweep " + sweep + " -q --shard 4/3 --out " + quoted(dir / "e"));
  CHECK(bad_shard.exit_code == 2);
  CHECK_THAT(bad_shard.err, Catch::Contains("expected K/N with 1 <= K <= N"));
  CHECK_FALSE(fs::exists(dir / "e"));
  // Running again into a folder with results needs --resume.
  const auto again = run_aidc(dir, "sweep " + sweep + " -q --out " + quoted(dir / "one"));
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("pass --resume"));
}

TEST_CASE("A sweep killed with SIGKILL midway and resumed ends with the uninterrupted results",
          "[cli][sweep][resume]") {
  TempDir dir;
  write_inputs(dir);
  const fs::path sweep = dir / "sweep.json";
  const fs::path out = dir / "killed";
  REQUIRE(run_aidc(dir, "sweep " + quoted(sweep) + " -q -j 2 --out " + quoted(dir / "whole"))
              .exit_code == 0);

  // Start the sweep on one thread and kill it once a few runs are in its database.
  const std::string binary = AIDC_BINARY;
  std::vector<std::string> args{binary, "sweep", sweep.string(), "-q",
                                "-j",   "1",     "--out",        out.string()};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), environ) == 0);
  const std::string db = (out / "sweep.db").string();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (aidc::experiment::count_recorded_runs(db) < 3 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(kill(pid, SIGKILL) == 0);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  const std::size_t recorded = aidc::experiment::count_recorded_runs(db);
  CAPTURE(recorded);
  CHECK(recorded >= 3);
  CHECK(recorded < 40);                                  // killed midway
  CHECK_FALSE(fs::exists(dir / "killed" / "runs.csv"));  // nothing half-written

  const auto resumed =
      run_aidc(dir, "sweep " + quoted(sweep) + " -q --resume --out " + quoted(out));
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.out, Catch::Contains(std::to_string(recorded) + " found done"));
  for (const char* f : {"runs.csv", "points.csv", "sweep.json"}) {
    CAPTURE(f);
    CHECK(read_file(dir / "whole" / f) == read_file(dir / "killed" / f));
  }

  // A changed sweep refuses the old database.
  std::string changed_sweep = kSweep;
  const std::string two = R"("replications": 2)";
  changed_sweep.replace(changed_sweep.find(two), two.size(), R"("replications": 3)");
  write_file(dir / "sweep.json", changed_sweep);
  const auto changed =
      run_aidc(dir, "sweep " + quoted(sweep) + " -q --resume --out " + quoted(out));
  CHECK(changed.exit_code == 2);
  CHECK_THAT(changed.err, Catch::Contains("holds the results of a different sweep"));
}
