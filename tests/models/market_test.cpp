// The market_index pricing model: a dated index per GPU type times (1 + spread), given
// inline, from a CSV file or by the name of an index the catalog ships. Expected prices are
// worked by hand from the index values; bad input is reported with its JSON pointer.

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aidc/pricing/pricing.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "support.hpp"

namespace {

using aidc::WorkClass;

/// A one-year scenario from `start` with an H100 and an A100 pool whose on-demand class is
/// priced by `model` (JSON text).
nlohmann::json market_doc(const std::string& model, const std::string& start = "2024-01-01",
                          bool with_a100 = true) {
  return nlohmann::json::parse(fmt::format(
      R"({{"name": "market", "start": "{}", "horizon": "365d", "seed": 1,
          "fleet": {{"pools": [{{"id": "h", "gpu": "H100", "count": 8}}{}]}},
          "finance": {{"prices": {{"on_demand": {}}}}}}})",
      start, with_a100 ? R"(, {"id": "a", "gpu": "A100", "count": 8})" : "", model));
}

const aidc::PricingModel& on_demand_model(const aidc::Scenario& s) {
  return *s.quotes[aidc::index(WorkClass::on_demand)];
}

/// Seconds from the scenario's start to midnight of `date`.
aidc::sim::Time market_time(const aidc::Scenario& s, const std::string& date) {
  return aidc::sim::Time{(*aidc::parse_date(date) - s.start).count() * aidc::sim::kSecondsPerDay};
}

/// The on-demand price of `gpu` at midnight of `date`.
double market_price(const aidc::Scenario& s, const std::string& gpu, const std::string& date) {
  const auto& type = s.catalog.at(gpu);
  return on_demand_model(s).usd_per_gpu_hour(s.start, market_time(s, date), type,
                                             aidc::list_price(type, WorkClass::on_demand));
}

const char* const kInlineIndex = R"({"model": "market_index", "spread": -0.2, "index": {
  "H100": [{"from": "2024-01-01", "usd_per_gpu_hour": 4.0, "label": "launch"},
           {"from": "2024-04-01", "usd_per_gpu_hour": 3.0},
           {"from": "2024-09-15", "usd_per_gpu_hour": 2.5, "source": "a report"}],
  "A100": [{"from": "2023-06-01", "usd_per_gpu_hour": 2.0},
           {"from": "2024-07-01", "usd_per_gpu_hour": 1.5}]}})";

/// The pointers and messages load_scenario reports for `doc`, one per line; "" if it loads.
std::string market_problems(const nlohmann::json& doc, const std::string& file = "bad.json") {
  try {
    aidc::load_scenario(doc, file);
  } catch (const aidc::ScenarioError& e) {
    return aidc::test::all_lines(e.diagnostics());
  }
  return "";
}

}  // namespace

TEST_CASE("A market index prices each date at the index in force times (1 + spread)",
          "[pricing][market]") {
  const auto s = aidc::load_scenario(market_doc(kInlineIndex), "market.json");
  // H100: 4.00 until 2024-03-31, 3.00 from 2024-04-01, 2.50 from 2024-09-15; at a spread of
  // -20% the price is 0.8 x those: 3.20, 2.40, 2.00.
  CHECK(market_price(s, "H100", "2024-01-01") == Approx(3.20).epsilon(1e-12));
  CHECK(market_price(s, "H100", "2024-03-31") == Approx(3.20).epsilon(1e-12));
  CHECK(market_price(s, "H100", "2024-04-01") == Approx(2.40).epsilon(1e-12));
  CHECK(market_price(s, "H100", "2024-09-14") == Approx(2.40).epsilon(1e-12));
  CHECK(market_price(s, "H100", "2024-09-15") == Approx(2.00).epsilon(1e-12));
  CHECK(market_price(s, "H100", "2024-12-31") == Approx(2.00).epsilon(1e-12));
  // One second before a step the old value holds.
  const auto& h100 = s.catalog.at("H100");
  const aidc::sim::Time just_before{market_time(s, "2024-04-01").seconds - 1};
  CHECK(on_demand_model(s).usd_per_gpu_hour(s.start, just_before, h100, 0.0) ==
        Approx(3.20).epsilon(1e-12));
  // A100 has its own index, begun before the start: 2.00 x 0.8 = 1.60, then 1.50 x 0.8 = 1.20.
  CHECK(market_price(s, "A100", "2024-01-01") == Approx(1.60).epsilon(1e-12));
  CHECK(market_price(s, "A100", "2024-07-01") == Approx(1.20).epsilon(1e-12));
  // The index itself, without the spread.
  const auto index = on_demand_model(s).index_usd_per_gpu_hour(
      s.start, market_time(s, "2024-05-01"), s.catalog.at("H100"));
  REQUIRE(index.has_value());
  CHECK(*index == Approx(3.0).epsilon(1e-12));
}

TEST_CASE("A market index steps on its dates and the run is cut there", "[pricing][market]") {
  const auto s = aidc::load_scenario(market_doc(kInlineIndex), "market.json");
  const auto end = s.start + std::chrono::days{365};
  // Every index date in [start, end): the A100's 2023-06-01 is before the start.
  const std::vector<aidc::Date> expected{
      *aidc::parse_date("2024-01-01"), *aidc::parse_date("2024-04-01"),
      *aidc::parse_date("2024-07-01"), *aidc::parse_date("2024-09-15")};
  CHECK(on_demand_model(s).change_dates(s.start, end) == expected);
  // The accounting is cut at the steps strictly inside the window (and at the fiscal year's
  // end, 2025-01-01, which is the horizon here).
  const std::vector<aidc::sim::Time> cuts{
      market_time(s, "2024-04-01"), market_time(s, "2024-07-01"), market_time(s, "2024-09-15")};
  CHECK(s.cuts == cuts);
  // Other models follow no index.
  const auto fixed =
      aidc::load_scenario(market_doc(R"({"model": "fixed", "usd_per_gpu_hour": 2})"), "f.json");
  CHECK_FALSE(on_demand_model(fixed)
                  .index_usd_per_gpu_hour(fixed.start, aidc::sim::Time{}, fixed.catalog.at("H100"))
                  .has_value());
}

TEST_CASE("A market index read from a CSV file prices as the same index given inline",
          "[pricing][market]") {
  const aidc::test::TempDir dir("aidc-market");
  // Rows of the two GPUs interleaved, with an extra column for the source; the path is
  // relative to the scenario file's folder.
  dir.write("index.csv",
            "date,gpu,usd_per_gpu_hour,source\n"
            "2023-06-01,A100,2.0,x\n"
            "2024-01-01,H100,4.0,\"a, quoted source\"\n"
            "2024-04-01,H100,3.0,\n"
            "2024-07-01,A100,1.5,\n"
            "2024-09-15,H100,2.5,\n");
  const auto from_csv = aidc::load_scenario(
      market_doc(R"({"model": "market_index", "spread": -0.2, "index_csv": "index.csv"})"),
      dir.file("market.json"));
  const auto inline_form = aidc::load_scenario(market_doc(kInlineIndex), "market.json");
  const auto end = inline_form.start + std::chrono::days{365};
  CHECK(on_demand_model(from_csv).change_dates(from_csv.start, end) ==
        on_demand_model(inline_form).change_dates(inline_form.start, end));
  for (int day = 0; day < 365; ++day) {
    const aidc::sim::Time t{day * aidc::sim::kSecondsPerDay};
    for (const char* gpu : {"H100", "A100"}) {
      const auto& type = inline_form.catalog.at(gpu);
      INFO(gpu << " on day " << day);
      CHECK(on_demand_model(from_csv).usd_per_gpu_hour(from_csv.start, t, type, 0.0) ==
            on_demand_model(inline_form).usd_per_gpu_hour(inline_form.start, t, type, 0.0));
    }
  }
}

TEST_CASE("The catalog ships the H100 rental index 2023-2026 with a source for every point",
          "[pricing][market]") {
  const auto& entry = aidc::builtin_catalog().at("market_indexes").at("h100_2023_2026");
  CHECK(entry.at("gpu") == "H100");
  CHECK(entry.at("description").get<std::string>().find("Secondary compilation") !=
        std::string::npos);
  for (const auto& point : entry.at("points")) {
    CHECK_FALSE(point.at("label").get<std::string>().empty());
    CHECK_FALSE(point.at("source").get<std::string>().empty());
  }
  // On-demand at the index + 10%, from the index's first date; an A100 pool follows the H100
  // index scaled by the catalog's on-demand list prices, Spheron's A100 1.64 over its H100 2.90
  // (recomputed by hand from the catalog's values when they moved from 2.745 and 2.95).
  const auto s = aidc::load_scenario(
      market_doc(R"({"model": "market_index", "index": "h100_2023_2026", "spread": 0.1,
                     "proxy_gpu": "H100"})",
                 "2023-01-01"),
      "market.json");
  // The published prints: > 8.00 in 2023 H1 (taken as 8.00), 2.85 early 2024, 2.99 in
  // October 2024, 1.70 in October 2025, 2.35 in March 2026, 2.95 in May and 2.65 in June
  // 2026; each x 1.1.
  const std::vector<std::pair<std::string, double>> prints{
      {"2023-01-01", 8.00}, {"2023-12-31", 8.00}, {"2024-01-01", 2.85}, {"2024-10-01", 2.99},
      {"2025-10-01", 1.70}, {"2026-03-01", 2.35}, {"2026-05-01", 2.95}, {"2026-06-01", 2.65}};
  auto longer = market_doc(R"({"model": "market_index", "index": "h100_2023_2026",
                               "spread": 0.1, "proxy_gpu": "H100"})",
                           "2023-01-01");
  longer["horizon"] = "4y";
  const auto run = aidc::load_scenario(longer, "market.json");
  for (const auto& [date, usd] : prints) {
    INFO(date);
    CHECK(market_price(run, "H100", date) == Approx(usd * 1.1).epsilon(1e-12));
    CHECK(market_price(run, "A100", date) == Approx(usd * 1.64 / 2.90 * 1.1).epsilon(1e-12));
  }
  const auto end = run.start + std::chrono::days{4 * 366};
  CHECK(on_demand_model(run).change_dates(run.start, end).size() == 7);
  CHECK(on_demand_model(s).change_dates(s.start, s.start + std::chrono::days{365}).size() == 1);
}

TEST_CASE("Bad market index input is reported with its JSON pointer", "[pricing][market][errors]") {
  const std::string at = "/finance/prices/on_demand";
  SECTION("a spread of -1 or less") {
    const auto text = market_problems(market_doc(R"({"model": "market_index", "spread": -1,
        "index": {"H100": [{"from": "2024-01-01", "usd_per_gpu_hour": 2}]}})",
                                                 "2024-01-01", false));
    CHECK_THAT(text, Catch::Contains("bad.json: " + at +
                                     "/spread: out of range (got -1, "
                                     "expected a number above -1)"));
  }
  SECTION("dates not increasing, inline") {
    const auto text = market_problems(market_doc(R"({"model": "market_index", "index": {"H100": [
        {"from": "2024-01-01", "usd_per_gpu_hour": 2}, {"from": "2024-01-01", "usd_per_gpu_hour": 3}]}})",
                                                 "2024-01-01", false));
    CHECK_THAT(text, Catch::Contains(at + "/index/H100/1/from: dates out of order (got "
                                          "2024-01-01, expected after 2024-01-01)"));
  }
  SECTION("dates not increasing, in a CSV file") {
    const aidc::test::TempDir dir("aidc-market");
    dir.write("index.csv", "date,gpu,usd_per_gpu_hour\n2024-03-01,H100,2\n2024-02-01,H100,3\n");
    const auto text = market_problems(
        market_doc(R"({"model": "market_index", "index_csv": "index.csv"})", "2024-01-01", false),
        dir.file("bad.json"));
    CHECK_THAT(text, Catch::Contains(at + "/index_csv: index.csv:3: dates out of order for "
                                          "\"H100\" (got 2024-02-01, expected after 2024-03-01)"));
  }
  SECTION("an unknown catalog index") {
    const auto text = market_problems(
        market_doc(R"({"model": "market_index", "index": "h100_2023_2025"})", "2024-01-01", false));
    CHECK_THAT(text,
               Catch::Contains(at + "/index: unknown market index \"h100_2023_2025\"; did you "
                                    "mean \"h100_2023_2026\"? (known: h100_2023_2026)"));
  }
  SECTION("a GPU type of the fleet with no index and no proxy") {
    const auto text = market_problems(
        market_doc(R"({"model": "market_index", "index": "h100_2023_2026"})", "2024-01-01", true));
    CHECK_THAT(text, Catch::Contains(at + "/index: no index for GPU type \"A100\" (pool \"a\") "
                                          "(expected an index for \"A100\", or a \"proxy_gpu\" "
                                          "to follow)"));
  }
  SECTION("a run that starts before its index") {
    const auto text = market_problems(market_doc(R"({"model": "market_index", "index": {"H100": [
        {"from": "2024-02-01", "usd_per_gpu_hour": 2}]}})",
                                                 "2024-01-01", false));
    CHECK_THAT(text, Catch::Contains(at + "/index/H100/0/from: the index of \"H100\" begins on "
                                          "2024-02-01, after the scenario's start on 2024-01-01"));
  }
  SECTION("a contract booked before the index begins") {
    // The same index pricing reserved contracts, one booked in 2023.
    auto j = market_doc(R"({"model": "market_index", "index": {"H100": [
        {"from": "2024-01-01", "usd_per_gpu_hour": 2}]}})",
                        "2024-01-01", false);
    j["finance"]["prices"]["reserved"] = j["finance"]["prices"]["on_demand"];
    j["workloads"]["contracts"] = nlohmann::json::parse(
        R"([{"id": "k", "gpus": 1, "start": "2024-01-01", "term_days": 30, "booked": "2023-06-01"}])");
    const auto text = market_problems(j);
    CHECK_THAT(text, Catch::Contains("/finance/prices/reserved/index/H100/0/from") &&
                         Catch::Contains("after contract \"k\" is booked on 2023-06-01"));
  }
  SECTION("an index for a GPU type the catalog does not have") {
    const auto text = market_problems(market_doc(R"({"model": "market_index", "index": {
        "H100": [{"from": "2024-01-01", "usd_per_gpu_hour": 2}],
        "H10": [{"from": "2024-01-01", "usd_per_gpu_hour": 2}]}})",
                                                 "2024-01-01", false));
    CHECK_THAT(text, Catch::Contains(at + "/index/H10: unknown GPU type \"H10\" (expected a "
                                          "catalog id)"));
  }
  SECTION("both an index and a CSV file") {
    const auto text = market_problems(
        market_doc(R"({"model": "market_index", "index": "h100_2023_2026", "index_csv": "x.csv"})",
                   "2024-01-01", false));
    CHECK_THAT(text, Catch::Contains(at + ": expected exactly one of \"index\" and \"index_csv\""));
  }
  SECTION("a proxy without an index") {
    const auto text = market_problems(
        market_doc(R"({"model": "market_index", "index": "h100_2023_2026", "proxy_gpu": "A100"})"));
    CHECK_THAT(text, Catch::Contains(at + "/proxy_gpu: no index for \"A100\" (expected one of: "
                                          "H100)"));
  }
}

TEST_CASE("aidc validate exits with code 2 on a bad market index", "[pricing][market][cli]") {
  const aidc::test::TempDir dir("aidc-market");
  const std::string file = dir.write(
      "bad.json",
      market_doc(R"({"model": "market_index", "index": "h100_2023_2026", "spread": -1.5})",
                 "2024-01-01", false)
          .dump());
  const auto o = aidc::test::run_aidc(dir, "validate " + aidc::test::quoted(file));
  INFO(o.err);
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("/finance/prices/on_demand/spread: out of range (got -1.5, "
                                    "expected a number above -1)"));
}
