// What a reader sees of a number: metric names, amounts in $K/$M/$B, and value axes whose
// ticks never repeat.

#include <catch2/catch.hpp>
#include <set>

#include "aidc/report/charts.hpp"

namespace report_labels_test {

using aidc::report::axis_labels;
using aidc::report::Unit;
using aidc::report::value_axis;

/// The labels of value_axis(unit, lo, hi), checked to be as many as the ticks and distinct.
std::vector<std::string> distinct_labels(Unit unit, double lo, double hi) {
  const auto axis = value_axis(unit, lo, hi, "t").at("axis");
  auto labels = axis_labels(axis);
  INFO(axis.dump());
  REQUIRE(labels.size() == axis.at("values").size());
  CHECK(std::set<std::string>(labels.begin(), labels.end()).size() == labels.size());
  CHECK(labels.size() >= 2);
  CHECK(labels.size() <= 12);
  return labels;
}

TEST_CASE("metric labels are names a reader knows, never raw keys", "[report]") {
  CHECK(aidc::report::metric_label("finance_npv_usd") == "NPV");
  CHECK(aidc::report::metric_label("finance_revenue_usd_total") == "Outside revenue");
  CHECK(aidc::report::metric_label("finance_revenue_usd_on_demand") ==
        "Outside revenue: on demand");
  CHECK(aidc::report::metric_label("finance_costs_usd_energy") == "Cost: energy");
  CHECK(aidc::report::metric_label("finance_tco_usd_per_busy_gpu_hour") == "TCO per busy GPU-hour");
  CHECK(aidc::report::metric_info("finance_tco_usd_per_busy_gpu_hour").unit == Unit::usd_rate);
  CHECK(aidc::report::metric_info("utilization").unit == Unit::fraction);
  // Keys outside the table read as words.
  const std::string other = aidc::report::metric_label("streams_spot_mean_wait_hours");
  CHECK(other.find('_') == std::string::npos);
  CHECK(other == "Streams spot mean wait hours");
}

TEST_CASE("amounts read in $K, $M and $B", "[report]") {
  CHECK(aidc::report::usd(1.234e9) == "$1.23B");
  CHECK(aidc::report::usd(-4.5e6) == "-$4.50M");
  CHECK(aidc::report::usd(12'300) == "$12.3K");
  CHECK(aidc::report::usd(2.35) == "$2.35");
  CHECK(aidc::report::usd(30) == "$30");
  CHECK(distinct_labels(Unit::usd, 1.2e9, 1.26e9).front().ends_with("B"));
  CHECK(distinct_labels(Unit::usd, -3e5, 2e5).front() == "-$300K");
  CHECK(distinct_labels(Unit::usd, 0, 4.2e7).back() == "$50M");
  for (const auto& l : distinct_labels(Unit::usd, 2.1e6, 2.13e6)) CHECK(l.starts_with("$"));
}

TEST_CASE("shares get as many decimals as their range needs", "[report]") {
  // The report once showed "86%, 86%, 87%" and "0%, 0%, 0%" here.
  CHECK(distinct_labels(Unit::fraction, 0.862, 0.871) ==
        std::vector<std::string>{"86.2%", "86.4%", "86.6%", "86.8%", "87.0%", "87.2%"});
  CHECK(distinct_labels(Unit::fraction, -0.0004, 0.0031) ==
        std::vector<std::string>{"-0.1%", "0.0%", "0.1%", "0.2%", "0.3%", "0.4%"});
  CHECK(distinct_labels(Unit::fraction, -0.02, -0.01).back() == "-1.0%");
  CHECK(distinct_labels(Unit::fraction, 0, 1).back() == "100%");
}

TEST_CASE("a flat range still gets an axis", "[report]") {
  CHECK(distinct_labels(Unit::usd, 5e6, 5e6).size() >= 2);
  CHECK(distinct_labels(Unit::fraction, 0, 0).size() >= 2);
  CHECK(distinct_labels(Unit::hours, 0, 3.4e6).back() == "4M");
}

}  // namespace report_labels_test
