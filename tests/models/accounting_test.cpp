// GPU-seconds are integers, so accounting is checked exactly: every state adds up to
// installed, periods add up to totals, and installed capacity equals count x time in service.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "aidc/finance/finance.hpp"
#include "aidc/finance/metrics.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"
#include "support.hpp"

using aidc::GpuSeconds;

namespace {

void check_conservation(const aidc::RunResult& r) {
  GpuSeconds sum;
  for (const auto& row : r.rows) {
    const auto& g = row.gpu_seconds;
    INFO("period " << row.period << " pool " << row.pool);
    REQUIRE(g.busy + g.idle + g.down == g.installed);
    REQUIRE(g.busy >= 0);
    REQUIRE(g.idle >= 0);
    sum += g;
  }
  CHECK(sum.installed == r.totals.installed);
  CHECK(sum.busy == r.totals.busy);
  CHECK(sum.idle == r.totals.idle);
  CHECK(sum.down == r.totals.down);
  CHECK(r.totals.busy + r.totals.idle + r.totals.down == r.totals.installed);
  // Busy GPU-seconds of the job classes are exactly those of the streams that used them.
  std::int64_t by_streams = 0;
  for (const auto& st : r.streams) by_streams += st.busy_gpu_seconds;
  std::int64_t job_classes = 0;
  for (const auto c :
       {aidc::WorkClass::experiments, aidc::WorkClass::on_demand, aidc::WorkClass::spot}) {
    job_classes += r.totals.by_class[static_cast<std::size_t>(c)];
  }
  CHECK(by_streams == job_classes);
  std::int64_t classes = 0;
  for (const auto v : r.totals.by_class) classes += v;
  CHECK(classes == r.totals.busy);
}

/// Money is conserved: the pools' rows plus the entity's lines add up to the totals, line by
/// line, to the cent; the NPV is the cash flows of rows and entity with the stated values;
/// income tax expense is the rate times pre-tax income; and timeseries.csv adds up to the
/// summary's totals to the rounding of its cents.
void check_money(const aidc::Scenario& s, const aidc::RunResult& r) {
  const aidc::FinanceResult f = aidc::compute_finance(s, r);
  const std::size_t periods = f.entity.size();
  std::vector<aidc::Statement> by_period = f.entity;
  for (std::size_t i = 0; i < r.rows.size(); ++i) by_period[r.rows[i].period].add(f.rows[i], true);
  aidc::Statement sum;
  std::vector<aidc::CashFlow> flows{{f.opening.years, -f.opening.usd}};
  for (std::size_t k = 0; k < periods; ++k) {
    sum.add(by_period[k], false);
    flows.push_back(
        {static_cast<double>(r.rows[k * s.pools.size()].end.seconds) / (8766.0 * 3600.0),
         by_period[k].free_cash_flow()});
  }
  flows.push_back({f.terminal.years, f.terminal.usd});
  const auto& t = f.total;
  const std::pair<double, double> lines[] = {{sum.external_revenue(), t.external_revenue()},
                                             {sum.internal_value(), t.internal_value()},
                                             {sum.costs(), t.costs()},
                                             {sum.depreciation, t.depreciation},
                                             {sum.impairment, t.impairment},
                                             {sum.disposal_gain, t.disposal_gain},
                                             {sum.ebit(), t.ebit()},
                                             {sum.interest, t.interest},
                                             {sum.income_tax(), t.income_tax()},
                                             {sum.tax_paid, t.tax_paid},
                                             {sum.capex, t.capex},
                                             {sum.disposal_proceeds, t.disposal_proceeds},
                                             {sum.free_cash_flow(), t.free_cash_flow()},
                                             {sum.equity_cash_flow(), t.equity_cash_flow()},
                                             {sum.net_book_value, t.net_book_value}};
  for (const auto& [rows, total] : lines) CHECK(std::abs(rows - total) < 0.01);
  CHECK(aidc::npv(flows, s.finance->discount_rate) == Approx(f.npv).epsilon(1e-12).margin(0.01));
  CHECK(std::abs(t.income_tax() - s.finance->tax.rate * t.pre_tax_income()) <
        0.01 + 1e-12 * std::abs(t.pre_tax_income()));

  // timeseries.csv: the money columns of every row, pools and entity, add up to the summary.
  const std::string csv = aidc::timeseries_csv(s, r, &f);
  const auto summary = aidc::finance_json(s, f);
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  for (std::stringstream cells(line); std::getline(cells, line, ',');) header.push_back(line);
  std::map<std::string, double> columns;
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    std::size_t c = 0;
    for (std::stringstream cells(line); std::getline(cells, line, ','); ++c) {
      if (header[c].ends_with("_usd") && header[c] != "net_book_value_usd") {
        columns[header[c]] += std::stod(line);
      }
    }
  }
  const double rounding = 0.005 * static_cast<double>(rows) + 1e-6;
  CHECK(std::abs(columns.at("revenue_usd") - summary.at("revenue_usd").at("total").get<double>()) <=
        rounding);
  for (const char* key : {"ebitda_usd", "ebit_usd", "capex_usd", "free_cash_flow_usd",
                          "tax_paid_usd", "interest_usd", "disposal_proceeds_usd"}) {
    CAPTURE(key);
    CHECK(std::abs(columns.at(key) - summary.at(key).get<double>()) <= rounding);
  }
  CHECK(std::abs(columns.at("current_tax_usd") + columns.at("deferred_tax_usd") -
                 summary.at("income_tax_usd").at("total").get<double>()) <= 2 * rounding);
}

aidc::Scenario parse(const char* text) {
  return aidc::load_scenario(nlohmann::json::parse(text), "test.json");
}

}  // namespace

TEST_CASE("GPU-hours and money are conserved in every shipped scenario", "[accounting][slow]") {
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(AIDC_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().string());
    const auto doc = aidc::read_json_file(entry.path().string());
    if (doc.contains("plans") || doc.contains("parameters") || doc.contains("variables"))
      continue;  // comparisons, sweeps
    const auto s = aidc::load_scenario(doc, entry.path().string());
    const auto r = aidc::simulate(s);
    check_conservation(r);
    if (s.finance) check_money(s, r);
  }
}

TEST_CASE("Installed GPU-hours are count times the time in service, period by period",
          "[accounting]") {
  // 64 GPUs for 1000 days: 64 x 24,000 h = 1,536,000 GPU-hours; January is 31 days = 744 h.
  const auto s = aidc::load_scenario_file(std::string(AIDC_SOURCE_DIR) + "/scenarios/mmc.json");
  const auto r = aidc::simulate(s);
  CHECK(r.totals.installed == 64LL * 1000 * 86400);
  REQUIRE(r.rows.size() >= 2);
  CHECK(r.rows[0].gpu_seconds.installed == 64LL * 31 * 86400);
  CHECK(r.rows[1].gpu_seconds.installed == 64LL * 28 * 86400);  // February 2026
  // 2026-01-01 + 1000 days = 2028-09-27: 32 full months and a part month of 26 days.
  CHECK(r.rows.size() == 33);
  CHECK(r.rows.back().gpu_seconds.installed == 64LL * 26 * 86400);
}

TEST_CASE("Pools count only between their in-service and retire dates; retiring preempts",
          "[accounting]") {
  // Pool a: in service 2026-01-11 to 2026-01-21 (10 days). Pool b: the whole 31 days.
  // Rentals never end within the horizon, so a's GPUs are busy until it retires.
  const auto s = parse(R"({
    "name": "life", "start": "2026-01-01", "horizon": "31d", "seed": 1, "period": "week",
    "fleet": {"pools": [
      {"id": "a", "gpu": "A100", "count": 10, "in_service": "2026-01-11", "retire": "2026-01-21"},
      {"id": "b", "gpu": "H100", "count": 5}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 100}, "gpus": 1,
      "duration_hours": 100000, "patience_hours": 0, "pools": ["a"]}]}})");
  const auto r = aidc::simulate(s);
  check_conservation(r);
  CHECK(r.pool_totals[0].installed == 10LL * 10 * 86400);
  CHECK(r.pool_totals[1].installed == 5LL * 31 * 86400);
  CHECK(r.pool_totals[1].busy == 0);
  CHECK(r.streams[0].served == 10);
  CHECK(r.streams[0].preempted == 10);
  // Week rows: 2026-01-01, -08, -15, -22, -29 (a 3-day stub): 5 periods x 2 pools.
  CHECK(r.rows.size() == 10);
}

TEST_CASE("Arrival counts follow a dated piecewise schedule of rates", "[accounting][arrivals]") {
  // 10/h for January (744 h) then 40/h for February (672 h): 7,440 then 26,880 expected.
  // Each count is Poisson; allow 4 standard deviations.
  const auto s = parse(R"({
    "name": "sched", "start": "2026-01-01", "horizon": "59d", "seed": 5,
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 1000}]},
    "workloads": {"rentals": [
      {"id": "jan", "arrivals": {"schedule": [{"from": "2026-01-01", "per_hour": 10},
                                             {"from": "2026-02-01", "per_hour": 0}]},
       "gpus": 1, "duration_hours": 0.001},
      {"id": "feb", "arrivals": {"schedule": [{"from": "2026-02-01", "per_hour": 40}]},
       "gpus": 1, "duration_hours": 0.001}]}})");
  const auto r = aidc::simulate(s);
  const double jan = 10.0 * 744;
  const double feb = 40.0 * 672;
  const auto& jan_stream = aidc::test::named(r.streams, "jan");
  const auto& feb_stream = aidc::test::named(r.streams, "feb");
  CHECK(std::abs(static_cast<double>(jan_stream.arrived) - jan) < 4 * std::sqrt(jan));
  CHECK(std::abs(static_cast<double>(feb_stream.arrived) - feb) < 4 * std::sqrt(feb));
}

TEST_CASE("The warm-up is excluded from statistics", "[accounting]") {
  const auto s = parse(R"({
    "name": "warm", "start": "2026-01-01", "horizon": "10d", "warmup": "36h", "seed": 5,
    "period": "day",
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 4}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 2}, "gpus": 1,
      "duration_hours": 1, "patience_hours": "inf"}]}})");
  const auto r = aidc::simulate(s);
  // Window: 8.5 days of 4 GPUs; rows start at hour 36, mid-day 2, and cut at each midnight.
  CHECK(r.totals.installed == 4LL * (10 * 86400 - 36 * 3600));
  REQUIRE_FALSE(r.rows.empty());
  CHECK(r.rows[0].begin.seconds == 36 * 3600);
  CHECK(r.rows[0].end.seconds == 2 * 86400);
  check_conservation(r);
}

TEST_CASE("Horizons are read as hours, days, weeks and calendar years", "[scenario]") {
  auto horizon_of = [](const char* h) {
    auto doc = nlohmann::json::parse(
        R"({"name": "h", "start": "2028-01-01", "seed": 1, "fleet": {"pools": []}})");
    doc["horizon"] = nlohmann::json::parse(h);
    return aidc::load_scenario(doc, "h.json").horizon.seconds;
  };
  CHECK(horizon_of("36") == 36 * 3600);
  CHECK(horizon_of("\"36h\"") == 36 * 3600);
  CHECK(horizon_of("\"90d\"") == 90 * 86400);
  CHECK(horizon_of("\"2w\"") == 14 * 86400);
  CHECK(horizon_of("\"1y\"") == 366 * 86400);  // 2028 is a leap year
  CHECK(horizon_of("\"5y\"") == (366 + 365 + 365 + 365 + 366) * 86400LL);
}

TEST_CASE("The same seed gives identical outputs; another seed or replication does not",
          "[determinism]") {
  const auto path = std::string(AIDC_SOURCE_DIR) + "/scenarios/default.json";
  auto s = aidc::load_scenario_file(path, {"/horizon=\"60d\""});
  const auto a = aidc::simulate(s);
  const auto b = aidc::simulate(s);
  CHECK(aidc::summary_json(s, a).dump() == aidc::summary_json(s, b).dump());
  CHECK(aidc::timeseries_csv(s, a) == aidc::timeseries_csv(s, b));
  const auto c = aidc::simulate(s, 1);
  CHECK(aidc::summary_json(s, a).dump() != aidc::summary_json(s, c).dump());
  s.seed += 1;
  const auto d = aidc::simulate(s);
  CHECK(aidc::timeseries_csv(s, a) != aidc::timeseries_csv(s, d));
}

TEST_CASE("Listing the pools in another order leaves every pool's numbers unchanged",
          "[determinism]") {
  const char* forward = R"({"name": "o", "start": "2026-01-01", "horizon": "20d", "seed": 9,
    "fleet": {"pools": [{"id": "x", "gpu": "H100", "count": 30}, {"id": "y", "gpu": "A100", "count": 30}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 40}, "gpus": {"dist": "empirical", "values": [1, 2, 4]},
      "duration_hours": {"dist": "exponential", "mean": 1}, "patience_hours": 1}]}})";
  auto doc = nlohmann::json::parse(forward);
  const auto a = aidc::simulate(aidc::load_scenario(doc, "a.json"));
  std::swap(doc["fleet"]["pools"][0], doc["fleet"]["pools"][1]);
  const auto b = aidc::simulate(aidc::load_scenario(doc, "b.json"));
  // The loader keeps pools in id order: x is index 0 in both runs.
  CHECK(a.pool_totals[0].busy == b.pool_totals[0].busy);
  CHECK(a.pool_totals[1].busy == b.pool_totals[1].busy);
  CHECK(a.streams[0].served == b.streams[0].served);
  CHECK(a.streams[0].reneged == b.streams[0].reneged);
}
