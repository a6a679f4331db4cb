// A sweep on a Slurm job array: the shard of an array task comes from Slurm's variables
// (refused, with the variable named, when one is missing or the array has gaps), and the
// shards merge again into a folder holding an earlier merge of the same sweep, as after a
// failed task ran again; any other database there is refused.

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "aidc/experiment/sweep.hpp"
#include "aidc/scenario/errors.hpp"
#include "support.hpp"

using namespace aidc;
using namespace aidc::experiment;
using aidc::test::read_file;
using aidc::test::TempDir;
using aidc::test::write_file;

namespace slurm_array_test {

using Environment = std::map<std::string, std::string>;

/// The variables of task `id` of an array with ids `min`..`max` and `count` tasks.
Environment array_task(std::size_t id, std::size_t min, std::size_t max, std::size_t count) {
  return {{"SLURM_ARRAY_TASK_ID", std::to_string(id)},
          {"SLURM_ARRAY_TASK_MIN", std::to_string(min)},
          {"SLURM_ARRAY_TASK_MAX", std::to_string(max)},
          {"SLURM_ARRAY_TASK_COUNT", std::to_string(count)}};
}

Shard shard_of(const Environment& env) {
  return shard_from_slurm_array([&env](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

/// The text of the ScenarioError `f` throws.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return aidc::test::all_lines(e.diagnostics());
  }
  FAIL("no ScenarioError was thrown");
  return {};
}

/// A small M/M/c rental queue (12 GPUs, a week) swept over 2 x 2 points, 2 replications.
void write_sweep(const TempDir& dir, const std::string& name, const std::string& file) {
  write_file(dir / "base.json",
             R"({"name": "q", "start": "2026-01-01", "horizon": "7d", "seed": 5,
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 12}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 10}, "gpus": 1,
      "duration_hours": {"dist": "exponential", "mean": 1}, "patience_hours": 0.5}]},
    "finance": {}})");
  write_file(dir / file, R"({"name": ")" + name + R"(", "base": "base.json", "replications": 2,
    "design": {"type": "grid"},
    "parameters": [
      {"name": "gpus", "pointer": "/fleet/pools/0/count", "values": [10, 12]},
      {"name": "rate", "pointer": "/workloads/rentals/0/arrivals/per_hour", "values": [8, 10]}],
    "metrics": ["utilization", "finance_revenue_usd_total"]})");
}

SweepSpec read_spec(const TempDir& dir, const std::string& file) {
  const std::string path = dir.file(file);
  return read_sweep(nlohmann::json::parse(read_file(path)), path);
}

/// Runs shard `index` of `count` into `out`.
void run_shard(const SweepSpec& spec, std::size_t index, std::size_t count,
               const std::filesystem::path& out) {
  SweepOptions options;
  options.out_dir = out.string();
  options.threads = 1;
  options.shard = Shard{index, count};
  run_sweep(spec, options);
}

/// Every output file of a sweep folder but its database, by name.
std::map<std::string, std::string> outputs(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name != "sweep.db") files[name] = read_file(entry.path());
  }
  return files;
}

}  // namespace slurm_array_test

// Qualified: in a unity build, other test files have helpers of the same names.
namespace sat = slurm_array_test;

TEST_CASE("A Slurm array task runs the shard of its place in the array", "[slurm][sweep]") {
  SECTION("ids from 1: task ID of COUNT") {
    const Shard s = sat::shard_of(sat::array_task(2, 1, 3, 3));
    CHECK(s.index == 2);
    CHECK(s.count == 3);
    CHECK(sat::shard_of(sat::array_task(1, 1, 1, 1)).whole());
  }
  SECTION("ids from 0: task ID + 1 of COUNT") {
    const Shard first = sat::shard_of(sat::array_task(0, 0, 2, 3));
    CHECK(first.index == 1);
    CHECK(first.count == 3);
    const Shard last = sat::shard_of(sat::array_task(2, 0, 2, 3));
    CHECK(last.index == 3);
    CHECK(last.count == 3);
    CHECK(last.owns(5));
    CHECK_FALSE(last.owns(4));
  }
  SECTION("ids from 5 (--array=5-8): task 7 is shard 3 of 4") {
    const Shard s = sat::shard_of(sat::array_task(7, 5, 8, 4));
    CHECK(s.index == 3);
    CHECK(s.count == 4);
  }
}

TEST_CASE("A Slurm array with a variable missing, not a number, or with gaps is refused",
          "[slurm][sweep][errors]") {
  SECTION("a missing variable is named") {
    for (const char* name : {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX",
                             "SLURM_ARRAY_TASK_COUNT"}) {
      sat::Environment env = sat::array_task(2, 1, 3, 3);
      env.erase(name);
      const std::string text = sat::error_of([&] { sat::shard_of(env); });
      CAPTURE(name);
      CHECK_THAT(text, Catch::Contains(std::string("--slurm-array: ") + name +
                                       " is not set, "
                                       "expected a whole "
                                       "number set by "
                                       "sbatch --array"));
    }
    CHECK_THAT(sat::error_of([] { sat::shard_of({}); }),
               Catch::Contains("SLURM_ARRAY_TASK_ID is not set"));
  }
  SECTION("a value that is not a whole number is quoted") {
    for (const char* value : {"", "two", "2x", "-1", "1.5", "99999999999999999999999"}) {
      sat::Environment env = sat::array_task(2, 1, 3, 3);
      env["SLURM_ARRAY_TASK_ID"] = value;
      CAPTURE(value);
      CHECK_THAT(sat::error_of([&] { sat::shard_of(env); }),
                 Catch::Contains(std::string("SLURM_ARRAY_TASK_ID is \"") + value +
                                 "\", expected a whole number"));
    }
    sat::Environment env = sat::array_task(2, 1, 3, 3);
    env["SLURM_ARRAY_TASK_COUNT"] = "three";
    CHECK_THAT(sat::error_of([&] { sat::shard_of(env); }),
               Catch::Contains("SLURM_ARRAY_TASK_COUNT is \"three\""));
  }
  SECTION("an array with gaps (--array=1,3,5 or 1-5:2) is not a set of shards") {
    CHECK_THAT(sat::error_of([] { sat::shard_of(sat::array_task(3, 1, 5, 3)); }),
               Catch::Contains("got array tasks 1-5 (3 of them, this one 3), expected a range "
                               "without gaps such as --array=1-3"));
  }
  SECTION("a task outside its array's range") {
    CHECK_THAT(sat::error_of([] { sat::shard_of(sat::array_task(4, 1, 3, 3)); }),
               Catch::Contains("expected a range without gaps"));
    CHECK_THAT(sat::error_of([] { sat::shard_of(sat::array_task(1, 3, 2, 0)); }),
               Catch::Contains("got array tasks 3-2"));
  }
}

TEST_CASE("Shards merge again into a folder holding an earlier merge of the same sweep",
          "[slurm][sweep]") {
  namespace fs = std::filesystem;
  TempDir dir;
  sat::write_sweep(dir, "s", "sweep.json");
  const SweepSpec spec = sat::read_spec(dir, "sweep.json");
  sat::run_shard(spec, 1, 2, dir / "shard-1");
  sat::run_shard(spec, 2, 2, dir / "shard-2");
  const std::vector<std::string> shards{dir.file("shard-1"), dir.file("shard-2")};

  // The same sweep in one process.
  SweepOptions whole;
  whole.out_dir = dir.file("one");
  whole.threads = 1;
  run_sweep(spec, whole);

  const SweepSummary first = merge_sweep(spec, shards, dir.file("merged"));
  CHECK(first.runs_total == 8);
  const auto merged_once = sat::outputs(dir / "merged");
  CHECK(merged_once == sat::outputs(dir / "one"));
  CHECK(merged_once.count("runs.csv") == 1);

  SECTION("again, after a shard ran again: the same files") {
    fs::remove_all(dir / "shard-2");
    sat::run_shard(spec, 2, 2, dir / "shard-2");
    const SweepSummary again = merge_sweep(spec, shards, dir.file("merged"));
    CHECK(again.runs_total == 8);
    CHECK(sat::outputs(dir / "merged") == merged_once);
    CHECK(count_recorded_runs(dir.file("merged/sweep.db")) == 8);
  }
  SECTION("into a folder holding a shard's database: refused, the shard untouched") {
    const std::string text = sat::error_of([&] { merge_sweep(spec, shards, dir.file("shard-1")); });
    CHECK_THAT(text, Catch::Contains(dir.file("shard-1/sweep.db") +
                                     ": holds shard 1/2, not a merged sweep"));
    CHECK(count_recorded_runs(dir.file("shard-1/sweep.db")) == 4);
    CHECK_FALSE(fs::exists(dir / "shard-1" / "runs.csv"));
  }
  SECTION("into a folder holding another sweep's merge: refused, that merge untouched") {
    sat::write_sweep(dir, "other", "other.json");
    const SweepSpec other = sat::read_spec(dir, "other.json");
    REQUIRE(other.hash != spec.hash);
    sat::run_shard(other, 1, 1, dir / "other");
    const auto before = sat::outputs(dir / "other");
    const std::string text = sat::error_of([&] { merge_sweep(spec, shards, dir.file("other")); });
    CHECK_THAT(text, Catch::Contains(dir.file("other/sweep.db") +
                                     ": holds the results of a different sweep"));
    CHECK(sat::outputs(dir / "other") == before);
  }
  SECTION("a shard of another sweep is refused, naming its database") {
    sat::write_sweep(dir, "other", "other.json");
    const SweepSpec other = sat::read_spec(dir, "other.json");
    sat::run_shard(other, 2, 2, dir / "other-2");
    const std::string text = sat::error_of([&] {
      merge_sweep(spec, {dir.file("shard-1"), dir.file("other-2")}, dir.file("m2"));
    });
    CHECK_THAT(text, Catch::Contains(dir.file("other-2/sweep.db") +
                                     ": holds the results of a different sweep"));
    CHECK_FALSE(fs::exists(dir / "m2"));
  }
}
