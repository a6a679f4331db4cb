// The report's chart builders, each checked on its specification: the fields it encodes,
// the data rows it writes, and what it draws from a small input worked by hand.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "aidc/report/charts.hpp"

using aidc::report::Period;
using nlohmann::json;

namespace {

Period period(long index, const std::string& start, const std::string& end) {
  Period p;
  p.index = index;
  p.start = start;
  p.end = end;
  return p;
}

constexpr std::size_t kTrainingClass = aidc::index(aidc::WorkClass::training);
constexpr std::size_t kOnDemand = aidc::index(aidc::WorkClass::on_demand);
constexpr std::size_t kSpot = aidc::index(aidc::WorkClass::spot);

/// Two monthly periods: 100 GPU-hours installed each; training 40 then 60; on-demand 30 then
/// 0 (earning 90); idle the rest; nothing down.
std::vector<Period> two_periods() {
  std::vector<Period> ps{period(0, "2026-01-01", "2026-02-01"),
                         period(1, "2026-02-01", "2026-03-01")};
  ps[0].installed = ps[1].installed = 100;
  ps[0].class_hours[kTrainingClass] = 40;
  ps[1].class_hours[kTrainingClass] = 60;
  ps[0].class_hours[kOnDemand] = 30;
  ps[0].class_revenue[kOnDemand] = 90;
  ps[0].idle = 30;
  ps[1].idle = 40;
  return ps;
}

}  // namespace

TEST_CASE("utilization_spec stacks the classes that held GPUs, then idle, as step areas",
          "[report]") {
  const json spec = aidc::report::utilization_spec(two_periods());
  CHECK(spec.at("mark").at("type") == "area");
  CHECK(spec.at("encoding").at("y").at("field") == "v");
  CHECK(spec.at("encoding").at("y").at("stack") == "zero");
  CHECK(spec.at("encoding").at("x").at("field") == "t");
  // Layers: training and on-demand (used), idle; no down layer since nothing was down.
  const json& color = spec.at("encoding").at("color");
  CHECK(color.at("sort") == json::array({"training", "on_demand", "idle"}));
  CHECK(color.at("scale").at("range") == json::array({"#4c78a8", "#f58518", "#d4d4d4"}));
  // Three rows a layer: each period's start, and the last period's end.
  const json& rows = spec.at("data").at("values");
  REQUIRE(rows.size() == 9);
  CHECK(rows[0] ==
        json{{"t", "2026-01-01"}, {"layer", "training"}, {"k", 0}, {"v", 40.0}, {"share", 0.4}});
  CHECK(rows[2].at("t") == "2026-03-01");
  CHECK(rows[2].at("v") == 60.0);
  CHECK(rows[4].at("v") == 0.0);      // on-demand in February
  CHECK(rows[7].at("share") == 0.4);  // idle in February, 40 of 100
}

TEST_CASE("revenue_spec and price_spec chart the rented classes only", "[report]") {
  const auto periods = two_periods();
  const auto rented = aidc::report::rented_classes(periods);
  CHECK(rented == std::vector<std::size_t>{kOnDemand});  // training is internal; spot unused
  const json revenue = aidc::report::revenue_spec(periods, rented);
  CHECK(revenue.at("encoding").at("y").at("stack") == "zero");
  REQUIRE(revenue.at("data").at("values").size() == 3);
  CHECK(revenue.at("data").at("values")[0].at("v") == 90.0);
  // The price is revenue over GPU-hours: 90 / 30 = 3.00 in January; none in February.
  const json price = aidc::report::price_spec(periods, rented);
  CHECK(price.at("mark").at("type") == "line");
  const json& rows = price.at("data").at("values");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].at("v") == 3.0);
  CHECK(rows[1].at("v").is_null());
  CHECK(rows[1].at("h") == 0.0);
  auto with_spot = periods;
  with_spot[1].class_hours[kSpot] = 5;
  CHECK(aidc::report::rented_classes(with_spot) == std::vector<std::size_t>{kOnDemand, kSpot});
}

TEST_CASE("tokens_spec stacks served and lost tokens; token_price_spec divides by the served",
          "[report]") {
  // January: 8e9 served, 2e9 lost, 5,600 USD of revenue and 2,400 of cost; February: none.
  const std::vector<aidc::report::TokenPeriod> tokens{{8e9, 2e9, 5600, 2400}, {0, 1e9, 0, 0}};
  const json spec = aidc::report::tokens_spec(two_periods(), tokens);
  CHECK(spec.at("encoding").at("y").at("stack") == "zero");
  const json& rows = spec.at("data").at("values");
  REQUIRE(rows.size() == 6);  // two layers x (two period starts + the end)
  CHECK(rows[0].at("layer") == "served");
  CHECK(rows[0].at("v") == 8e9);
  CHECK(rows[3].at("layer") == "lost");
  CHECK(rows[4].at("v") == 1e9);
  // Per million served: 5,600 / 8,000 = 0.70 and 2,400 / 8,000 = 0.30; February has none.
  const json price = aidc::report::token_price_spec(two_periods(), tokens);
  const json& p = price.at("data").at("values");
  REQUIRE(p.size() == 6);
  CHECK(p[0].at("v").get<double>() == Approx(0.70));
  CHECK(p[1].at("v").is_null());
  CHECK(p[3].at("layer") == "cost");
  CHECK(p[3].at("v").get<double>() == Approx(0.30));
}

TEST_CASE("waterfall_spec runs increases and decreases from the level, totals from zero",
          "[report]") {
  // Revenue 100, energy 30, EBITDA 70 (total), depreciation 20, EBIT 50 (total).
  const json spec = aidc::report::waterfall_spec({{"revenue", "increase", 100},
                                                  {"energy", "decrease", -30},
                                                  {"EBITDA", "total", 70},
                                                  {"depreciation", "decrease", -20},
                                                  {"EBIT", "total", 50}});
  const json& rows = spec.at("data").at("values");
  REQUIRE(rows.size() == 5);
  const std::vector<std::pair<double, double>> expected{
      {0, 100}, {100, 70}, {0, 70}, {70, 50}, {0, 50}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    CHECK(rows[i].at("from") == expected[i].first);
    CHECK(rows[i].at("to") == expected[i].second);
    CHECK(rows[i].at("top") == std::max(expected[i].first, expected[i].second));
  }
  CHECK(rows[1].at("text") == "-$30");
  CHECK(spec.at("encoding").at("x").at("sort") ==
        json::array({"revenue", "energy", "EBITDA", "depreciation", "EBIT"}));
  const json& bar = spec.at("layer")[0];
  CHECK(bar.at("encoding").at("y").at("field") == "from");
  CHECK(bar.at("encoding").at("y2").at("field") == "to");
}

TEST_CASE("cash_spec accumulates free cash flow from the opening value, with the NPV rule",
          "[report]") {
  auto periods = two_periods();
  periods[0].free_cash_flow = 30;
  periods[1].free_cash_flow = 50;
  const json spec = aidc::report::cash_spec(periods, 100, 12345.0, 0.08);
  const json& rows = spec.at("data").at("values");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == json{{"t", "2026-01-01"}, {"v", -100.0}, {"fcf", -100.0}});
  CHECK(rows[1].at("v") == -70.0);
  CHECK(rows[2].at("v") == -20.0);
  CHECK(rows[2].at("t") == "2026-03-01");
  REQUIRE(spec.at("layer").size() == 3);  // the line, the NPV rule and its label
  CHECK(spec.at("layer")[1].at("data").at("values")[0].at("label") == "NPV at 8%: $12.3K");
  CHECK(aidc::report::cash_spec(periods, 0, std::nullopt, std::nullopt).at("layer").size() == 1);
}

TEST_CASE("value_spec draws book value from the opening one and market value where known",
          "[report]") {
  auto periods = two_periods();
  periods[0].net_book_value = 900;
  periods[1].net_book_value = 800;
  periods[1].market_value = 600;
  const json spec = aidc::report::value_spec(periods, 1000.0);
  const json& rows = spec.at("data").at("values");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == json{{"t", "2026-01-01"}, {"series", "net book value"}, {"v", 1000.0}});
  CHECK(rows[3] == json{{"t", "2026-03-01"}, {"series", "market value"}, {"v", 600.0}});
  CHECK(spec.at("encoding").at("color").at("field") == "series");
}

TEST_CASE("estimate_panels makes a panel per metric, with a zero rule for differences",
          "[report]") {
  const json values = json::array(
      {{{"metric", "finance_npv_usd"}, {"plan", "a"}, {"mean", 1.0}, {"low", 0.5}, {"high", 1.5}},
       {{"metric", "utilization"}, {"plan", "a"}, {"mean", 0.8}, {"low", 0.7}, {"high", 0.9}}});
  const json plans = aidc::report::estimate_panels(values, {"a"}, false);
  REQUIRE(plans.at("hconcat").size() == 2);
  const json& npv = plans.at("hconcat")[0];
  CHECK(npv.at("title") == "NPV");
  CHECK(npv.at("transform")[0].at("filter").at("equal") == "finance_npv_usd");
  CHECK(npv.at("layer")[0].at("mark").at("type") == "bar");
  // Each panel's own ticks: dollars from 0 to 2 in steps of 0.5, shares in whole percent.
  const json& npv_axis = npv.at("layer")[0].at("encoding").at("y").at("axis");
  CHECK(aidc::report::axis_labels(npv_axis) ==
        std::vector<std::string>{"$0.0", "$0.5", "$1.0", "$1.5"});
  const json& share_axis = plans.at("hconcat")[1].at("layer")[0].at("encoding").at("y").at("axis");
  CHECK(aidc::report::axis_labels(share_axis).front() == "0%");
  CHECK(aidc::report::axis_labels(share_axis).back() == "100%");
  CHECK(npv.at("layer").size() == 4);  // the bar, the interval and its two ticks
  const json diffs = aidc::report::estimate_panels(values, {"a"}, true);
  CHECK(diffs.at("hconcat")[0].at("layer")[0].at("mark").at("type") == "point");
  CHECK(diffs.at("hconcat")[0].at("layer").size() == 5);  // and the zero rule
}

TEST_CASE("tornado_spec runs each bar from the base to the metric at each end", "[report]") {
  const json spec = aidc::report::tornado_spec(
      "finance_npv_usd", {{"price", 10, 30, 20, 20, "2", "3"}, {"life", 19, 21, 20, 2, "4", "6"}});
  const json& rows = spec.at("data").at("values");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == json{{"p", "price"},
                        {"side", "at the low value"},
                        {"v", 10.0},
                        {"base", 20.0},
                        {"setting", "2"},
                        {"swing", 20.0}});
  CHECK(rows[3].at("side") == "at the high value");
  const json& bar = spec.at("layer")[0];
  CHECK(bar.at("encoding").at("y").at("sort") == json::array({"price", "life"}));
  CHECK(bar.at("encoding").at("x2").at("field") == "base");
  CHECK(spec.at("layer")[1].at("encoding").at("x").at("datum") == 20.0);
}

TEST_CASE("sobol_spec, heatmap_spec, response_spec and parameter_axis", "[report]") {
  const json without_ci = json::array(
      {{{"p", "x"}, {"index", "first order"}, {"v", 0.3}, {"low", nullptr}, {"high", nullptr}}});
  CHECK(aidc::report::sobol_spec(without_ci, {"x"}).at("layer").size() == 1);
  const json with_ci =
      json::array({{{"p", "x"}, {"index", "total"}, {"v", 0.5}, {"low", 0.4}, {"high", 0.6}}});
  const json sobol = aidc::report::sobol_spec(with_ci, {"x"});
  CHECK(sobol.at("layer").size() == 2);
  CHECK(sobol.at("encoding").at("xOffset").at("field") == "index");

  CHECK(aidc::report::parameter_axis("x", "kind", false, 3).at("type") == "nominal");
  CHECK(aidc::report::parameter_axis("x", "life", true, 4).at("type") == "ordinal");
  CHECK(aidc::report::parameter_axis("x", "price", true, 40).at("bin").at("maxbins") == 10);

  const json cells = json::array({{{"x", 1}, {"y", 2}, {"v", 5.0}}});
  const json heat = aidc::report::heatmap_spec(cells, "finance_npv_usd",
                                               aidc::report::parameter_axis("x", "a", true, 2),
                                               aidc::report::parameter_axis("y", "b", true, 2));
  CHECK(heat.at("mark").at("type") == "rect");
  CHECK(heat.at("encoding").at("color").at("aggregate") == "mean");
  CHECK(heat.at("encoding").at("x").at("title") == "a");
  CHECK(heat.at("data").at("values") == cells);

  const json points = json::array({{{"x", 1.0}, {"v", 2.0}, {"low", 1.5}, {"high", 2.5}}});
  const json response = aidc::report::response_spec(points, "utilization", "price", true);
  CHECK(response.at("layer").size() == 2);
  CHECK(response.at("layer")[1].at("encoding").at("x").at("type") == "quantitative");
}
