// The aidc command, run as a user runs it: exit codes, the one-line error format,
// no output on bad input, deterministic output for a seed, the schema, and the
// example scenarios.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"

namespace fs = std::filesystem;
using aidc::test::Outcome;
using aidc::test::quoted;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::TempDir;
using aidc::test::write_file;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

const char* const kGoodScenario = R"({"name": "mmc", "start": "2026-01-01", "horizon": "30d",
  "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
  "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
    "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})";

// Two problems: a negative pool size and a misspelled top-level key.
const char* const kBadScenario = R"({"name": "mmc", "start": "2026-01-01", "horizon": "30d",
  "sead": 7,
  "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": -64}]},
  "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
    "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})";

}  // namespace

TEST_CASE("aidc run on a bad scenario exits with 2, names each problem and writes nothing",
          "[cli]") {
  const TempDir dir;
  const fs::path bad = dir / "bad.json";
  write_file(bad, kBadScenario);
  const fs::path out_dir = dir / "out";

  const Outcome o = run_aidc(dir, "run " + quoted(bad) + " --out " + quoted(out_dir));
  INFO("stdout:\n" << o.out << "stderr:\n" << o.err);
  CHECK(o.exit_code == 2);
  CHECK_FALSE(fs::exists(out_dir));

  // Every line is "FILE: /pointer: message", FILE as given on the command line.
  const auto lines = lines_of(o.err);
  REQUIRE(lines.size() == 2);
  const std::regex form("(.+): (/[^ ]*): (.+)");
  for (const auto& line : lines) {
    CAPTURE(line);
    std::smatch m;
    REQUIRE(std::regex_match(line, m, form));
    CHECK(m[1].str() == bad.string());
  }
  CHECK_THAT(o.err, Catch::Contains(bad.string() +
                                    ": /fleet/pools/0/count: out of range (got -64, expected a "
                                    "whole number >= 0)"));
  CHECK_THAT(o.err, Catch::Contains(bad.string() +
                                    ": /sead: unknown key \"sead\"; did you mean \"seed\"?"));
}

TEST_CASE("aidc run refuses a bought pool whose GPU type has no all-in capex, with 2", "[cli]") {
  // The MI325X has no price, all-in capex or server power in the catalog: nothing stands in.
  const TempDir dir;
  const fs::path file = dir / "mi325x.json";
  write_file(file, R"({"name": "m", "start": "2026-01-01", "horizon": "30d",
    "fleet": {"pools": [{"id": "m", "gpu": "MI325X", "count": 8}]}, "finance": {}})");
  const Outcome o = run_aidc(dir, "run " + quoted(file) + " --out " + quoted(dir / "out"));
  INFO("stderr:\n" << o.err);
  CHECK(o.exit_code == 2);
  CHECK_FALSE(fs::exists(dir / "out"));
  CHECK_THAT(o.err, Catch::Contains(file.string() +
                                    ": /finance/pools/m/capex_usd_per_gpu: missing required key: "
                                    "pool \"m\" is bought and its GPU type \"MI325X\" has no "
                                    "all-in capex in the catalog (allin_capex_usd: null) "
                                    "(expected USD per GPU"));
  CHECK_THAT(o.err, Catch::Contains(file.string() + ": /catalog/MI325X/server_power_kw: "));
}

TEST_CASE("aidc validate reports the problems of the bad file only and exits with 2", "[cli]") {
  const TempDir dir;
  const fs::path good = dir / "good.json";
  const fs::path bad = dir / "bad.json";
  write_file(good, kGoodScenario);
  write_file(bad, kBadScenario);

  const Outcome o = run_aidc(dir, "validate " + quoted(good) + " " + quoted(bad));
  INFO("stdout:\n" << o.out << "stderr:\n" << o.err);
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.out, Catch::Contains(good.string() + ": ok (1 pools, 1 rental streams)"));
  CHECK_THAT(o.out, !Catch::Contains(bad.string()));
  const auto lines = lines_of(o.err);
  CHECK(lines.size() == 2);
  for (const auto& line : lines) {
    CAPTURE(line);
    CHECK_THAT(line, Catch::StartsWith(bad.string() + ": /"));
  }
  CHECK_THAT(o.err, !Catch::Contains(good.string()));
}

TEST_CASE("aidc run gives identical outputs for the same seed and different ones for another",
          "[cli]") {
  const TempDir dir;
  const std::string scenario = quoted(fs::path(AIDC_SOURCE_DIR) / "scenarios" / "mmc.json");
  // 30 days instead of 1,000 keep the run short; "30d" is passed as a JSON string.
  const std::string args = "run " + scenario + " --set '/horizon=\"30d\"' --out ";

  const Outcome first = run_aidc(dir, args + quoted(dir / "d1"));
  INFO("stderr:\n" << first.err);
  REQUIRE(first.exit_code == 0);
  const Outcome second = run_aidc(dir, args + quoted(dir / "d2"));
  REQUIRE(second.exit_code == 0);
  // mmc.json has seed 7.
  const Outcome other = run_aidc(dir, args + quoted(dir / "d3") + " --seed 8");
  REQUIRE(other.exit_code == 0);

  for (const char* name : {"summary.json", "timeseries.csv"}) {
    CAPTURE(name);
    const std::string a = read_file(dir / "d1" / name);
    CHECK_FALSE(a.empty());
    CHECK(a == read_file(dir / "d2" / name));
  }
  const std::string same_seed = read_file(dir / "d1" / "summary.json");
  const std::string other_seed = read_file(dir / "d3" / "summary.json");
  CHECK(same_seed != other_seed);

  // Not only the echoed seed differs: 30 days at 50 arrivals an hour is about 36,000
  // requests, so another random stream gives other counts.
  auto a = nlohmann::json::parse(same_seed);
  auto b = nlohmann::json::parse(other_seed);
  CHECK(a.at("seed") == 7);
  CHECK(b.at("seed") == 8);
  CHECK(a.at("streams") != b.at("streams"));
}

TEST_CASE("aidc schema prints JSON Schema that describes fleet and workloads", "[cli]") {
  const TempDir dir;
  const Outcome o = run_aidc(dir, "schema");
  INFO("stderr:\n" << o.err);
  REQUIRE(o.exit_code == 0);
  nlohmann::json schema;
  REQUIRE_NOTHROW(schema = nlohmann::json::parse(o.out));
  REQUIRE(schema.contains("properties"));
  CHECK(schema.at("properties").contains("fleet"));
  CHECK(schema.at("properties").contains("workloads"));
}

TEST_CASE("Every example scenario and comparison passes aidc validate", "[cli]") {
  const TempDir dir;
  const fs::path folder = fs::path(AIDC_SOURCE_DIR) / "scenarios";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() != ".json") continue;
    // Scenarios, and comparison files, which `aidc validate` checks plan by plan.
    CAPTURE(entry.path().string());
    const Outcome o = run_aidc(dir, "validate " + quoted(entry.path()));
    INFO("stderr:\n" << o.err);
    CHECK(o.exit_code == 0);
    CHECK(o.err.empty());
    CHECK_THAT(o.out, Catch::StartsWith(entry.path().string() + ": ok"));
    ++checked;
  }
  CHECK(checked >= 2);  // default.json and mmc.json at least
}
