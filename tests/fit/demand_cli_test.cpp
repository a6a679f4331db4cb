// aidc fit demand on the command line: errors name the flag, outputs repeat byte for byte,
// and the report draws the fit.

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "aidc/report/charts.hpp"
#include "support.hpp"

namespace fit_cli_test {

using aidc::test::quoted;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::TempDir;
using aidc::test::write_file;

/// 21 days of hourly values with a daily swing; `numeric` writes seconds from the start.
std::string trace(bool numeric, bool quiet_noon = false) {
  std::string out = "t,busy\n";
  for (int i = 0; i < 21 * 24; ++i) {
    const int hour = i % 24;
    double v = 100 * (1 + 0.4 * std::sin(2 * M_PI * hour / 24.0)) * (1 + 0.05 * std::sin(i * 0.7));
    if (quiet_noon && hour == 12) v = 0;
    if (numeric) {
      out += fmt::format("{},{:.4f}\n", i * 3600, v);
    } else {
      out += fmt::format("2026-03-{:02d} {:02d}:00:00,{:.4f}\n", 1 + i / 24, hour, v);
    }
  }
  return out;
}

TEST_CASE("aidc fit demand: bad input names the flag or the file", "[fit]") {
  TempDir dir("aidc-fit-cli");
  write_file(dir / "t.csv", trace(false));
  write_file(dir / "n.csv", trace(true));
  write_file(dir / "q.csv", trace(false, true));
  const auto column =
      run_aidc(dir, "fit demand " + quoted(dir / "t.csv") + " --time-column t --value-column bsy");
  CHECK(column.exit_code == 2);
  CHECK_THAT(column.err, Catch::Contains("--value-column: no column \"bsy\""));
  CHECK_THAT(column.err, Catch::Contains("did you mean \"busy\""));
  const auto origin = run_aidc(dir, "fit demand " + quoted(dir / "n.csv"));
  CHECK(origin.exit_code == 2);
  CHECK_THAT(origin.err, Catch::Contains("--origin"));
  const auto quiet = run_aidc(dir, "fit demand " + quoted(dir / "q.csv"));
  CHECK(quiet.exit_code == 2);
  CHECK_THAT(quiet.err, Catch::Contains("hour of day 12 has fewer than 2 hours"));
  const auto trend = run_aidc(dir, "fit demand " + quoted(dir / "t.csv") + " --trend linear");
  CHECK(trend.exit_code == 2);
  CHECK_THAT(trend.err, Catch::Contains("--trend"));
  CHECK(run_aidc(dir, "fit demand " + quoted(dir / "missing.csv")).exit_code == 2);
}

TEST_CASE("aidc fit demand: numeric times from an origin fit as the same dates", "[fit]") {
  TempDir dir("aidc-fit-cli");
  write_file(dir / "t.csv", trace(false));
  write_file(dir / "n.csv", trace(true));
  const auto a = run_aidc(dir, "fit demand " + quoted(dir / "t.csv"));
  const auto b = run_aidc(dir, "fit demand " + quoted(dir / "n.csv") + " --origin 2026-03-01");
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  auto ja = nlohmann::json::parse(a.out);
  auto jb = nlohmann::json::parse(b.out);
  ja.erase("description");
  jb.erase("description");
  CHECK(ja == jb);
}

TEST_CASE("aidc fit demand --out: the same files twice, and a report of them", "[fit]") {
  TempDir dir("aidc-fit-cli");
  write_file(dir / "t.csv", trace(false));
  const std::string args = "fit demand " + quoted(dir / "t.csv") + " --holdout 3 --out ";
  REQUIRE(run_aidc(dir, args + quoted(dir / "a")).exit_code == 0);
  REQUIRE(run_aidc(dir, args + quoted(dir / "b")).exit_code == 0);
  CHECK(read_file(dir / "a" / "fit.json") == read_file(dir / "b" / "fit.json"));
  CHECK(read_file(dir / "a" / "fit.csv") == read_file(dir / "b" / "fit.csv"));
  const auto doc = nlohmann::json::parse(read_file(dir / "a" / "fit.json"));
  CHECK(doc["fit"]["holdout"]["hours"] == 72);
  const auto report = run_aidc(dir, "report " + quoted(dir / "a"));
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const std::string html = read_file(dir / "a" / "report.html");
  CHECK_THAT(html, Catch::Contains("The answer"));
  CHECK_THAT(html, Catch::Contains("fit-series"));
  CHECK_THAT(html, Catch::Contains("fit-weekly"));
}

TEST_CASE("fit charts: the series, its residuals and the profiles", "[fit][report]") {
  std::vector<aidc::report::FitHour> hours;
  hours.reserve(48);
  for (int i = 0; i < 48; ++i) {
    hours.push_back({i * 3600e3, i == 5 ? 0.0 : 10.0 + i, 10.0 + i, 8.0 + i, 12.0 + i, i >= 40});
  }
  const auto series = aidc::report::fit_series_spec(hours);
  REQUIRE(series["layer"].size() == 3);  // band, lines, the hold-out rule
  CHECK(series["layer"][2]["data"]["values"][0]["t"] == 40 * 3600e3);
  CHECK(series["data"]["values"].size() == 48);
  const auto residuals = aidc::report::fit_residual_spec(hours, 0.2);
  REQUIRE(residuals["data"]["values"].size() == 47);  // the hour of 0 left out
  // log(observed / median) with the median mean / exp(sigma^2 / 2): 0.02 when observed = mean.
  CHECK(residuals["data"]["values"][0]["residual"].get<double>() == Approx(0.02));
  const auto profile = aidc::report::profile_spec({0.9, 1.1}, {"a", "b"}, "x");
  CHECK(profile["encoding"]["x"]["sort"] == nlohmann::json::array({"a", "b"}));
  CHECK(profile["data"]["values"][1]["factor"] == 1.1);
  hours.resize(30);  // no held-out hour: no rule
  CHECK(aidc::report::fit_series_spec(hours)["layer"].size() == 2);
}

}  // namespace fit_cli_test
