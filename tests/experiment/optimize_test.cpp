// aidc optimize against answers found without it: a price bounded by a revenue cap (a closed
// form, since revenue is linear in a fixed price), the best of six plans found by evaluating
// every one of them, the variables' rounding worked by hand, and the command's resume,
// thread-independence and errors.

#include "aidc/experiment/optimize.hpp"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "aidc/experiment/runner.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "support.hpp"

namespace optimize_test {

using aidc::experiment::OptimizeSpec;
using aidc::experiment::Variable;
using nlohmann::json;

json spec_doc() {
  return {{"name", "t"},
          {"base", aidc::test::source_path("scenarios/spare-capacity.json")},
          {"set", {{"/horizon", "30d"}}},
          {"variables", json::array()},
          {"objective", {{"metric", "finance_npv_usd"}}},
          {"search",
           {{"algorithm", "direct"}, {"evaluations", 30}, {"replications", 2}, {"refine", 5}}},
          {"selection", {{"indifference", 50000}, {"first_stage", 5}, {"max_replications", 40}}}};
}

/// The policy's reserve fraction between 0 and 0.3, a continuous variable.
json reserve_variable() {
  return {{"name", "reserve"},
          {"pointer", "/policy/reserve_fraction"},
          {"kind", "continuous"},
          {"low", 0},
          {"high", 0.3}};
}

double metric(const aidc::Scenario& s, std::uint64_t replication, const std::string& name) {
  const auto m = aidc::experiment::run_metrics(s, replication);
  const auto it = std::find(m.names.begin(), m.names.end(), name);
  REQUIRE(it != m.names.end());
  return m.values[static_cast<std::size_t>(it - m.names.begin())];
}

TEST_CASE("Variables round to their levels as worked by hand", "[optimize]") {
  Variable i{"n", "/x", Variable::Kind::integer, 256, 1024, 128, {}, ""};
  CHECK(i.levels() == 7);
  CHECK(i.at(0.0) == 256);
  CHECK(i.at(0.999) == 1024);
  CHECK(i.at(1.0) == 1024);
  CHECK(i.at(0.5) == 640);  // cell 3 of 7: [3/7, 4/7)
  Variable c{"gpu", "/g", Variable::Kind::categorical, 0, 0, 1, {"B200", "GB200", "H200"}, ""};
  CHECK(c.at(0.0) == "B200");
  CHECK(c.at(0.34) == "GB200");
  CHECK(c.at(1.0) == "H200");
  Variable d{"day", "/d", Variable::Kind::date, 0, 90, 30, {}, "2026-01-01"};
  CHECK(d.levels() == 4);
  CHECK(d.at(0.3) == "2026-01-31");  // cell 1 of 4: 30 days on
  CHECK(d.at(1.0) == "2026-04-01");
  Variable x{"r", "/r", Variable::Kind::continuous, 0, 0.3, 1, {}, ""};
  CHECK(x.at(0.5).get<double>() == Approx(0.15));
}

// Release only ([slow]): the resume test runs the same search under the sanitizers.
TEST_CASE("A price bounded by a revenue cap is found at the cap, as the closed form says",
          "[optimize][slow]") {
  // With a fixed price, on-demand revenue is price x on-demand GPU-hours, and the GPU-hours do
  // not depend on the price. NPV rises with the price, so the best price under "revenue at
  // most X" is X / (GPU-hours), the GPU-hours being those of the replications the constraint
  // is judged on (the refinement's five).
  auto doc = spec_doc();
  doc["variables"].push_back({{"name", "price"},
                              {"pointer", "/finance/prices/on_demand/usd_per_gpu_hour"},
                              {"kind", "continuous"},
                              {"low", 1},
                              {"high", 4}});
  auto base = aidc::read_json_file(aidc::test::source_path("scenarios/spare-capacity.json"));
  base["horizon"] = "30d";
  base["finance"]["prices"]["on_demand"]["usd_per_gpu_hour"] = 1.0;
  const auto at_one = aidc::load_scenario(base, aidc::test::source_path("scenarios/x.json"));
  base["finance"]["prices"]["on_demand"]["usd_per_gpu_hour"] = 2.0;
  const auto at_two = aidc::load_scenario(base, aidc::test::source_path("scenarios/x.json"));
  double hours = 0;  // revenue at 1 USD: the GPU-hours, over replications 0-4
  for (std::uint64_t r = 0; r < 5; ++r) {
    const double one = metric(at_one, r, "finance_revenue_usd_on_demand");
    REQUIRE(metric(at_two, r, "finance_revenue_usd_on_demand") == Approx(2 * one).epsilon(1e-12));
    hours += one / 5;
  }
  const double cap = 2.5 * hours;
  doc["constraints"] =
      json::array({{{"metric", "finance_revenue_usd_on_demand"}, {"at_most", cap}}});
  const OptimizeSpec spec = aidc::experiment::read_optimize(doc, "t.json");
  const auto result = aidc::experiment::run_optimize(spec, {});
  const double price = result.candidates[result.best].values[0].get<double>();
  CHECK(price <= 2.5 + 1e-9);
  CHECK(price >= 2.35);  // DIRECT's resolution near the bound with 30 plans
  CHECK(result.search_runs > 0);
  CHECK(result.selection_runs >= 5 * result.finalists.size());
}

// Release only ([slow]), as the next: statistical checks of code the resume test runs under the
// sanitizers.
TEST_CASE("The plan selected is within the indifference zone of the best of six, each evaluated",
          "[optimize][slow]") {
  auto doc = spec_doc();
  doc["variables"].push_back({{"name", "a100"},
                              {"pointer", "/fleet/pools/1/count"},
                              {"kind", "integer"},
                              {"low", 512},
                              {"high", 1024},
                              {"step", 256}});
  doc["variables"].push_back({{"name", "reserve"},
                              {"pointer", "/policy/reserve_fraction"},
                              {"kind", "categorical"},
                              {"values", {0.0, 0.2}}});
  doc["search"]["evaluations"] = 6;
  const OptimizeSpec spec = aidc::experiment::read_optimize(doc, "t.json");
  const auto result = aidc::experiment::run_optimize(spec, {});
  CHECK(result.candidates.size() == 6);
  // The six plans by brute force, on 20 replications of their own.
  double best_mean = -1e300;
  double selected_mean = 0;
  for (const auto& c : result.candidates) {
    const auto s =
        aidc::load_scenario(aidc::experiment::optimize_point_doc(spec, c.values), spec.base_file);
    double mean = 0;
    for (std::uint64_t r = 100; r < 120; ++r) mean += metric(s, r, "finance_npv_usd") / 20;
    best_mean = std::max(best_mean, mean);
    if (c.values == result.candidates[result.best].values) selected_mean = mean;
  }
  CHECK(selected_mean >= best_mean - spec.selection.indifference);
}

// Release only ([slow]): the resume test below runs the same store under the sanitizers.
TEST_CASE("optimize.db holds the objective as the metric reads when the search minimizes",
          "[optimize][cli][slow]") {
  const aidc::test::TempDir dir("optimize-min");
  auto doc = spec_doc();
  doc["objective"] = {{"metric", "finance_costs_usd_total"}, {"sense", "minimize"}};
  doc["variables"].push_back(reserve_variable());
  doc["search"]["evaluations"] = 3;
  aidc::test::write_file(dir / "opt.json", doc.dump(2));
  const std::string file = aidc::test::quoted(dir / "opt.json");
  const auto out = dir / "one";
  REQUIRE(aidc::test::run_aidc(dir, "optimize " + file + " --out " + aidc::test::quoted(out))
              .exit_code == 0);
  const std::string first = aidc::test::read_file(out / "optimize.json");

  // Every stored sample is the cost of its plan's replication, run here on its own.
  const OptimizeSpec spec = aidc::experiment::read_optimize(doc, "t.json");
  std::vector<aidc::experiment::Candidate> known;
  {
    aidc::experiment::OptimizeStore store(spec, out.string(), true);
    known = store.known();
  }
  REQUIRE(known.size() == 3);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((out / "optimize.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT candidate, replication, value FROM samples", -1, &st,
                             nullptr) == SQLITE_OK);
  std::size_t rows = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const auto c = static_cast<std::size_t>(sqlite3_column_int64(st, 0));
    const auto r = static_cast<std::uint64_t>(sqlite3_column_int64(st, 1));
    const double stored = sqlite3_column_double(st, 2);
    REQUIRE(c < known.size());
    const auto s = aidc::load_scenario(aidc::experiment::optimize_point_doc(spec, known[c].values),
                                       spec.base_file);
    CAPTURE(c, r);
    CHECK(stored > 0);
    CHECK(stored == Approx(metric(s, r, "finance_costs_usd_total")).epsilon(1e-12));
    ++rows;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  // 3 plans, 2 replications each and the best refined with more: the samples the store reads.
  std::size_t samples = 0;
  for (const auto& c : known) {
    samples += c.samples.size();
    // Handed back to the search, which maximizes: negated again.
    for (const double v : c.samples) CHECK(v < 0);
  }
  CHECK(rows >= 6);
  CHECK(rows == samples);

  // Resumed, the search reads them back and ends as before.
  REQUIRE(
      aidc::test::run_aidc(dir, "optimize " + file + " --resume --out " + aidc::test::quoted(out))
          .exit_code == 0);
  CHECK(aidc::test::read_file(out / "optimize.json") == first);

  // A database of the earlier layout (no "samples" key: negated values) is refused.
  REQUIRE(sqlite3_open((out / "optimize.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "DELETE FROM meta WHERE key = 'samples'", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
  const auto old =
      aidc::test::run_aidc(dir, "optimize " + file + " --resume --out " + aidc::test::quoted(out));
  CHECK(old.exit_code == 2);
  CHECK_THAT(old.err, Catch::Contains("earlier aidc") && Catch::Contains("optimize.db"));
}

TEST_CASE("aidc optimize resumes from its database and does not depend on the threads",
          "[optimize][cli]") {
  const aidc::test::TempDir dir("optimize");
  auto doc = spec_doc();
  doc["variables"].push_back(reserve_variable());
  doc["search"]["evaluations"] = 8;
  aidc::test::write_file(dir / "opt.json", doc.dump(2));
  const std::string file = aidc::test::quoted(dir / "opt.json");
  const auto one = aidc::test::run_aidc(
      dir, "optimize " + file + " --threads 1 --out " + aidc::test::quoted(dir / "one"));
  REQUIRE(one.exit_code == 0);
  const auto two = aidc::test::run_aidc(
      dir, "optimize " + file + " --threads 2 --out " + aidc::test::quoted(dir / "two"));
  REQUIRE(two.exit_code == 0);
  for (const char* f : {"optimize.json", "candidates.csv", "progress.csv", "best.json",
                        "vs-base/comparison.json", "vs-base/plans/best/summary.json"})
    CHECK(aidc::test::read_file(dir / "one" / f) == aidc::test::read_file(dir / "two" / f));
  // Again into the first folder: every plan of the search is in its database.
  const auto refused =
      aidc::test::run_aidc(dir, "optimize " + file + " --out " + aidc::test::quoted(dir / "one"));
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("--resume"));
  const auto again = aidc::test::run_aidc(
      dir, "optimize " + file + " --resume --out " + aidc::test::quoted(dir / "one"));
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("(8 found in the database)"));
  // Only the selection's fresh replications run again.
  CHECK_THAT(again.out, Catch::Contains("(20 run now)"));
  CHECK(aidc::test::read_file(dir / "one" / "optimize.json") ==
        aidc::test::read_file(dir / "two" / "optimize.json"));
  // The report draws the folder.
  REQUIRE(aidc::test::run_aidc(dir, "report " + aidc::test::quoted(dir / "one")).exit_code == 0);
  const std::string html = aidc::test::read_file(dir / "one" / "report.html");
  CHECK_THAT(html, Catch::Contains("Search progress") && Catch::Contains("Finalists") &&
                       Catch::Contains("Differences from the plan selected") &&
                       Catch::Contains("Best plan against the base: Plans side by side"));
  // The best plan against the base: a comparison folder of its own.
  const auto versus =
      nlohmann::json::parse(aidc::test::read_file(dir / "one" / "vs-base" / "comparison.json"));
  CHECK(versus.at("plans") == json::array({"base", "best"}));
  // best.json runs as a scenario.
  CHECK(aidc::test::run_aidc(dir, "validate " + aidc::test::quoted(dir / "one" / "best.json"))
            .exit_code == 0);
}

TEST_CASE("A bad optimization file is refused with its JSON pointer", "[optimize][cli]") {
  const aidc::test::TempDir dir("optimize-bad");
  int n = 0;
  const auto check = [&](const json& doc, const std::string& pointer, const std::string& words) {
    aidc::test::write_file(dir / "bad.json", doc.dump());
    const std::string out = "out-" + std::to_string(++n);
    const auto o = aidc::test::run_aidc(dir, "optimize " + aidc::test::quoted(dir / "bad.json") +
                                                 " --out " + aidc::test::quoted(dir / out));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(pointer) && Catch::Contains(words));
    CHECK_FALSE(std::filesystem::exists(dir / out / "optimize.json"));
  };
  json v = {{"name", "r"},
            {"pointer", "/policy/reserve_fraction"},
            {"kind", "continuous"},
            {"low", 0},
            {"high", 0.3}};
  auto doc = spec_doc();
  doc["variables"].push_back(v);
  auto no_selection = doc;
  no_selection.erase("selection");
  check(no_selection, "/selection", "missing");
  auto bad_kind = doc;
  bad_kind["variables"][0]["kind"] = "real";
  check(bad_kind, "/variables/0/kind", "real");
  auto empty_range = doc;
  empty_range["variables"][0]["high"] = 0;
  check(empty_range, "/variables/0/high", "expected more than low");
  auto bad_metric = doc;
  bad_metric["objective"]["metric"] = "finance_npv";
  check(bad_metric, "/objective/metric", "finance_npv");
  auto impossible = doc;
  impossible["constraints"] = json::array({{{"metric", "utilization"}, {"at_least", 2}}});
  check(impossible, "/constraints", "no plan");
}

}  // namespace optimize_test
