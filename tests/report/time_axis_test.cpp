// Time axes labelled as the period is: quarters as "Q1 2027", months as "Jan 2027", years as
// "2027", and dates where a tick does not start a calendar period; at most 12 ticks, never
// two alike.

#include <catch2/catch.hpp>
#include <chrono>
#include <set>

#include "aidc/report/charts.hpp"
#include "aidc/scenario/scenario.hpp"

namespace report_time_axis_test {

using json = nlohmann::json;

/// Rows {"t": date} for `count` dates from `first`, `months` months or `days` days apart,
/// and, when given, a last date that ends the horizon mid-period.
json dated_rows(const std::string& first, int count, int months, int days,
                const std::string& last = "") {
  namespace chr = std::chrono;
  json rows = json::array();
  const chr::year_month_day start{*aidc::parse_date(first)};
  for (int i = 0; i < count; ++i) {
    const aidc::Date d = months > 0 ? aidc::Date{start + chr::months{i * months}}
                                    : aidc::Date{start} + chr::days{i * days};
    rows.push_back({{"t", aidc::format_date(d)}, {"v", i}});
  }
  if (!last.empty()) rows.push_back({{"t", last}, {"v", 0}});
  return rows;
}

/// The axis's labels, checked to be one per tick, distinct and at most 12.
std::vector<std::string> labels_of(const json& rows) {
  const json x = aidc::report::time_x("t", rows);
  INFO(x.dump());
  REQUIRE(x.at("type") == "temporal");
  REQUIRE(x.at("scale").at("type") == "utc");
  const json& axis = x.at("axis");
  auto labels = aidc::report::axis_labels(axis);
  REQUIRE(labels.size() == axis.at("values").size());
  CHECK(std::set<std::string>(labels.begin(), labels.end()).size() == labels.size());
  CHECK(labels.size() <= 12);
  return labels;
}

using V = std::vector<std::string>;

TEST_CASE("d3's time format as the axis applies it", "[report]") {
  // 2027-08-01: 57 years of 365 days and 14 leap days (1972-2024) to 2027-01-01, 20,819
  // days, then 212 days of January to July.
  const double ms = 21031.0 * 86400000.0;
  CHECK(aidc::report::format_time("Q%q %Y", ms) == "Q3 2027");
  CHECK(aidc::report::format_time("%b %Y", ms) == "Aug 2027");
  CHECK(aidc::report::format_time("%-d %b %Y", ms) == "1 Aug 2027");
  CHECK(aidc::report::format_time("%Y-%m-%d", ms) == "2027-08-01");
}

TEST_CASE("quarters are labelled as quarters", "[report]") {
  // Five years of quarters and the horizon's end: 21 dates, every other one a tick.
  CHECK(labels_of(dated_rows("2026-01-01", 21, 3, 0)) ==
        V{"Q1 2026", "Q3 2026", "Q1 2027", "Q3 2027", "Q1 2028", "Q3 2028", "Q1 2029", "Q3 2029",
          "Q1 2030", "Q3 2030", "Q1 2031"});
  // A year of quarters fits every tick.
  CHECK(labels_of(dated_rows("2026-04-01", 5, 3, 0)) ==
        V{"Q2 2026", "Q3 2026", "Q4 2026", "Q1 2027", "Q2 2027"});
  // A horizon that ends mid-quarter adds no tick of its own.
  CHECK(labels_of(dated_rows("2026-01-01", 4, 3, 0, "2026-11-15")) ==
        V{"Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"});
}

TEST_CASE("months, years, weeks and days are labelled as such", "[report]") {
  CHECK(labels_of(dated_rows("2026-01-01", 13, 1, 0)) ==
        V{"Jan 2026", "Mar 2026", "May 2026", "Jul 2026", "Sep 2026", "Nov 2026", "Jan 2027"});
  CHECK(labels_of(dated_rows("2026-01-01", 4, 1, 0, "2026-04-20")) ==
        V{"Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026"});
  CHECK(labels_of(dated_rows("2026-01-01", 6, 12, 0)) ==
        V{"2026", "2027", "2028", "2029", "2030", "2031"});
  // 53 weeks: a tick every 13 weeks.
  CHECK(labels_of(dated_rows("2026-01-05", 53, 0, 7)) ==
        V{"5 Jan 2026", "6 Apr 2026", "6 Jul 2026", "5 Oct 2026", "4 Jan 2027"});
  // 31 days: a tick every 7 days.
  CHECK(labels_of(dated_rows("2026-03-01", 31, 0, 1)) ==
        V{"1 Mar 2026", "8 Mar 2026", "15 Mar 2026", "22 Mar 2026", "29 Mar 2026"});
}

TEST_CASE("a period that does not start a calendar one is labelled by its dates", "[report]") {
  // Quarters from February start no calendar quarter: months instead.
  CHECK(labels_of(dated_rows("2026-02-01", 4, 3, 0)) ==
        V{"Feb 2026", "May 2026", "Aug 2026", "Nov 2026"});
  // Months from the 15th: whole dates.
  CHECK(labels_of(dated_rows("2026-01-15", 3, 1, 0)) ==
        V{"15 Jan 2026", "15 Feb 2026", "15 Mar 2026"});
  // Years from July: months.
  CHECK(labels_of(dated_rows("2026-07-01", 3, 12, 0)) == V{"Jul 2026", "Jul 2027", "Jul 2028"});
}

TEST_CASE("a time axis spans exactly the data", "[report]") {
  const json x = aidc::report::time_x("t", dated_rows("2026-01-01", 5, 3, 0));
  // 2026-01-01 is day 20,454 and 2027-01-01 day 20,819 since 1970-01-01.
  CHECK(x.at("scale").at("domain") == json::array({20454.0 * 86400000.0, 20819.0 * 86400000.0}));
  CHECK(x.at("scale").at("nice") == false);
  // No dates: a plain UTC axis.
  CHECK(aidc::report::time_x("t", json::array()).at("scale") == json{{"type", "utc"}});
}

}  // namespace report_time_axis_test
