// Scenario files as untrusted input: the data files a scenario names (job traces, demand
// series, price-index CSVs) are resolved against the scenario's folder and must stay in it
// unless --allow-outside-paths is given, and no message quotes a data file's content.

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "aidc/scenario/scenario.hpp"
#include "support.hpp"

namespace {

using aidc::test::TempDir;

/// A secret that a data file holds and no message may show.
constexpr const char* kSecret = "hunter2-secret-line";

/// A scenario whose experiment stream replays the trace at `trace_path`.
std::string trace_scenario(const std::string& trace_path) {
  nlohmann::json doc = nlohmann::json::parse(R"({"name": "t", "start": "2026-01-01",
    "horizon": "2d", "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 8}]},
    "workloads": {"training": {"experiments": [{"id": "jobs", "trace": {"path": ""}}]}}})");
  doc["workloads"]["training"]["experiments"][0]["trace"]["path"] = trace_path;
  return doc.dump();
}

/// A scenario whose inference demand is read from the CSV at `csv_path`.
std::string demand_scenario(const std::string& csv_path) {
  nlohmann::json doc = nlohmann::json::parse(R"({"name": "d", "start": "2026-01-01",
    "horizon": "2d", "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 8}]},
    "workloads": {"inference": [{"id": "i", "demand": {"csv": {"path": "",
      "time_column": "t", "value_column": "v"}}}]}})");
  doc["workloads"]["inference"][0]["demand"]["csv"]["path"] = csv_path;
  return doc.dump();
}

}  // namespace

TEST_CASE("A data file outside the scenario's folder is refused, naming the pointer", "[paths]") {
  const TempDir dir("aidc-paths");
  // The secret's file is beside the scenario's folder, not in it.
  aidc::test::write_file(dir / "secret.csv", std::string(kSecret) + "\n1,2\n");
  aidc::test::write_file(dir / "scenarios/in.csv", "submit_time_s,num_gpus,duration_s\n0,1,60\n");
  const std::string pointer = "/workloads/training/experiments/0/trace/path";
  for (const std::string& path :
       {std::string("../secret.csv"), (dir / "secret.csv").string(), std::string("/etc/passwd"),
        std::string("sub/../../secret.csv")}) {
    CAPTURE(path);
    aidc::test::write_file(dir / "scenarios/s.json", trace_scenario(path));
    const auto r = aidc::test::run_aidc(dir, "validate " + dir.file("scenarios/s.json"));
    CHECK(r.exit_code == 2);
    const std::string expected = fmt::format("{}: \"{}\" is outside the scenario's", pointer, path);
    CHECK_THAT(r.err, Catch::Contains(expected));
    CHECK_THAT(r.err, !Catch::Contains(kSecret));
    CHECK_THAT(r.err, !Catch::Contains("root:"));
  }
  // Inside the folder, relative to it (not to the current directory): accepted.
  aidc::test::write_file(dir / "scenarios/s.json", trace_scenario("in.csv"));
  CHECK(aidc::test::run_aidc(dir, "validate " + dir.file("scenarios/s.json")).exit_code == 0);
  // The demand CSV follows the same rule.
  aidc::test::write_file(dir / "scenarios/d.json", demand_scenario("../secret.csv"));
  const auto d = aidc::test::run_aidc(dir, "validate " + dir.file("scenarios/d.json"));
  CHECK(d.exit_code == 2);
  CHECK_THAT(d.err, Catch::Contains("/workloads/inference/0/demand/csv/path: \"../secret.csv\" "
                                    "is outside the scenario's folder"));
}

TEST_CASE("With outside paths allowed, other files are read, and messages still quote none",
          "[paths]") {
  const TempDir dir("aidc-paths");
  aidc::test::write_file(dir / "secret.csv", std::string(kSecret) + ",x\n1,2\n");
  aidc::test::write_file(dir / "scenarios/s.json", trace_scenario("../secret.csv"));
  aidc::test::write_file(dir / "scenarios/d.json", demand_scenario("../secret.csv"));
  for (const std::string file : {"scenarios/s.json", "scenarios/d.json"}) {
    CAPTURE(file);
    const auto r =
        aidc::test::run_aidc(dir, "validate " + dir.file(file) + " --allow-outside-paths");
    CHECK(r.exit_code == 2);  // read, but its columns are not a trace's or a series'
    CHECK_THAT(r.err, Catch::Contains("no column"));
    CHECK_THAT(r.err, !Catch::Contains(kSecret));
  }
}
