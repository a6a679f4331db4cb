// timeseries.csv's demand, served and unserved columns by pool add up to summary.json's totals
// for `inference` and `api`; its market value is the resale value of the GPUs in service,
// against a hand-worked case.

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "aidc/run/output.hpp"
#include "finance_support.hpp"

namespace timeseries_columns_test {

/// timeseries.csv as a table: the header's names and each row's fields as text.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    FAIL("no column " << name);
    return 0;
  }
  double sum(const std::string& name) const {
    const std::size_t c = column(name);
    double total = 0;
    for (const auto& row : rows) total += std::stod(row.at(c));
    return total;
  }
};

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

Table parse(const std::string& csv) {
  Table t;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  t.header = fields(line);
  while (std::getline(in, line)) {
    t.rows.push_back(fields(line));
    REQUIRE(t.rows.back().size() == t.header.size());
  }
  return t;
}

/// An H100 pool and a GB200 pool shared by internal inference and api, both short of GPUs
/// part of the day; the GB200 pool enters service on the third day.
const char* const kShared = R"({"name": "shared", "start": "2026-01-05", "horizon": "4d",
  "period": "day",
  "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 12},
                      {"id": "g", "gpu": "GB200", "count": 6, "in_service": "2026-01-07"}]},
  "workloads": {"inference": [
    {"id": "chat", "demand": {"base_gpus": 10, "diurnal": [0.2, 0.5, 1.5, 2.5, 1.0, 0.6, 0.2, 0.5, 1.5, 2.5, 1.0, 0.6, 0.2, 0.5, 1.5, 2.5, 1.0, 0.6, 0.2, 0.5, 1.5, 2.5, 1.0, 0.6],
      "noise": {"model": "lognormal_ar1", "sigma": 0.3, "phi": 0.5}}},
    {"id": "models", "class": "api", "unit": "tokens_per_second",
     "tokens_per_second_per_gpu": {"H100": 20000, "GB200": 50000}, "output_token_share": 0.1,
     "demand": {"base_gpus": 200000, "diurnal": [2.0, 0.5, 1.0, 0.3, 2.0, 0.5, 1.0, 0.3, 2.0, 0.5, 1.0, 0.3, 2.0, 0.5, 1.0, 0.3, 2.0, 0.5, 1.0, 0.3, 2.0, 0.5, 1.0, 0.3],
       "noise": {"model": "lognormal_ar1", "sigma": 0.3, "phi": 0.5}}}]},
  "finance": {"prices": {"api": {"model": "tokens", "usd_per_million_input_tokens": 0.5,
                                  "usd_per_million_output_tokens": 2.0}}}})";

}  // namespace timeseries_columns_test

TEST_CASE("timeseries.csv's inference and api demand, served and unserved add up over pools",
          "[timeseries][api]") {
  using timeseries_columns_test::parse;
  const auto run = aidc::test::run_finance(timeseries_columns_test::kShared);
  const auto summary = aidc::summary_json(run.s, run.r, &run.f);
  const auto table = parse(aidc::timeseries_csv(run.s, run.r, &run.f));

  const auto& inf = summary["inference"];
  const double demand = inf["demand_gpu_hours"].get<double>();
  const double served = inf["served_gpu_hours"].get<double>();
  REQUIRE(inf["unserved_gpu_hours"].get<double>() > 0.05 * demand);  // short some of the time
  CHECK(table.sum("inference_demand_gpu_hours") == Approx(demand).epsilon(1e-9));
  CHECK(table.sum("inference_served_gpu_hours") == Approx(served).epsilon(1e-9));
  CHECK(table.sum("inference_unserved_gpu_hours") ==
        Approx(inf["unserved_gpu_hours"].get<double>()).epsilon(1e-9));

  const auto& api = summary["api"];
  const double api_demand = api["demand_tokens"]["total"].get<double>();
  REQUIRE(api["lost_tokens"]["total"].get<double>() > 0.05 * api_demand);
  CHECK(table.sum("api_demand_tokens") == Approx(api_demand).epsilon(1e-9));
  CHECK(table.sum("api_served_tokens") ==
        Approx(api["served_tokens"]["total"].get<double>()).epsilon(1e-9));
  CHECK(table.sum("api_unserved_tokens") ==
        Approx(api["lost_tokens"]["total"].get<double>()).epsilon(1e-9));

  // Row by row: demand = served + unserved, nothing negative; the GB200 pool takes no
  // demand before it enters service; the entity rows hold zeros.
  const std::size_t c_pool = table.column("pool");
  const std::size_t c_period = table.column("period");
  for (const auto& row : table.rows) {
    const auto value = [&](const char* name) { return std::stod(row.at(table.column(name))); };
    CHECK(value("inference_demand_gpu_hours") ==
          Approx(value("inference_served_gpu_hours") + value("inference_unserved_gpu_hours"))
              .margin(1e-6));
    CHECK(value("api_demand_tokens") ==
          Approx(value("api_served_tokens") + value("api_unserved_tokens")).margin(1e-3));
    CHECK(value("api_served_tokens") ==
          Approx(value("api_input_tokens") + value("api_output_tokens")).margin(1e-3));
    CHECK(value("inference_unserved_gpu_hours") >= -1e-9);
    CHECK(value("api_unserved_tokens") >= -1e-6);
    if (row[c_pool] == "g" && std::stoi(row[c_period]) < 2) {
      CHECK(value("inference_demand_gpu_hours") == 0.0);
      CHECK(value("api_demand_tokens") == 0.0);
    }
    if (row[c_pool] == aidc::kEntityRow) CHECK(value("inference_demand_gpu_hours") == 0.0);
  }
}

TEST_CASE("timeseries.csv's market value is the resale value of the GPUs in service",
          "[timeseries][finance]") {
  using timeseries_columns_test::parse;
  // 10 H100s in service since 2025-01-05 at 20,000 USD each, resold at 0.6 x 0.7^age; 4 more
  // from 2026-01-07, and the first pool retires on 2026-01-08.
  const auto run = aidc::test::run_finance(R"({"name": "mv", "start": "2026-01-05",
    "horizon": "4d", "period": "day",
    "fleet": {"pools": [{"id": "old", "gpu": "H100", "count": 10, "in_service": "2025-01-05",
                         "retire": "2026-01-08"},
                        {"id": "new", "gpu": "H100", "count": 4, "in_service": "2026-01-07"}]},
    "finance": {"resale": {"H100": {"initial_share": 0.6, "decline_per_year": 0.3}},
      "pools": {"old": {"capex_usd_per_gpu": 20000}, "new": {"capex_usd_per_gpu": 25000}}}})");
  const auto table = parse(aidc::timeseries_csv(run.s, run.r, &run.f));
  const std::size_t c_pool = table.column("pool");
  const std::size_t c_period = table.column("period");
  const std::size_t c_market = table.column("market_value_usd");
  std::map<std::pair<std::string, int>, std::string> market;
  for (const auto& row : table.rows)
    market[{row[c_pool], std::stoi(row[c_period])}] = row[c_market];

  // The end of period d is 2026-01-06 + d days: the old pool is 366 + d days old then.
  const auto value = [](double gpus, double usd, double age_days) {
    return fmt::format("{:.2f}", gpus * usd * 0.6 * std::pow(0.7, age_days / 365.25));
  };
  CHECK(market.at({"old", 0}) == value(10, 20000, 366));
  CHECK(market.at({"old", 1}) == value(10, 20000, 367));
  CHECK(market.at({"old", 2}) == "0.00");  // retired at the period's end
  CHECK(market.at({"new", 0}) == "0.00");  // not yet in service
  CHECK(market.at({"new", 1}) == "0.00");  // enters service at the period's end
  CHECK(market.at({"new", 2}) == value(4, 25000, 1));
  CHECK(market.at({"new", 3}) == value(4, 25000, 2));
  CHECK(market.at({std::string(aidc::kEntityRow), 0}).empty());
  // The terminal value at resale is the last period's market value.
  CHECK(run.f.terminal.usd == Approx(std::stod(market.at({"new", 3}))).margin(0.01));
}
