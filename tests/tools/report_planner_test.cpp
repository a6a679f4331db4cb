// The report a planner would present: every page answers first, names metrics as a reader
// does, labels money in $K/$M/$B without repeated ticks, and shows the spread across
// replications.

#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "aidc/report/charts.hpp"
#include "aidc/run/output.hpp"
#include "report_support.hpp"
#include "support.hpp"

namespace report_planner_test {

namespace fs = std::filesystem;
using aidc::test::quoted;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::TempDir;
using aidc::test::write_file;
using json = nlohmann::json;

using aidc::test::seal;
using aidc::test::specs_of;

/// The answer section's items, as text.
std::vector<std::string> answer_of(const std::string& html) {
  std::vector<std::string> out;
  const std::size_t section = html.find("<section class=\"answer\">");
  if (section == std::string::npos) return out;
  const std::size_t end = html.find("</section>", section);
  for (std::size_t at = html.find("<li>", section); at < end; at = html.find("<li>", at + 1)) {
    const std::size_t close = html.find("</li>", at);
    std::string text = html.substr(at + 4, close - at - 4);
    for (std::size_t q = text.find("&quot;"); q != std::string::npos; q = text.find("&quot;"))
      text.replace(q, 6, "\"");
    out.push_back(text);
  }
  return out;
}

/// Walks every object of a specification.
void walk(const json& j, const std::function<void(const json&)>& visit) {
  if (j.is_object()) {
    visit(j);
    for (const auto& [k, v] : j.items()) walk(v, visit);
  } else if (j.is_array()) {
    for (const auto& v : j) walk(v, visit);
  }
}

/// The checks every page's charts must pass: no raw metric key as a title; every axis the
/// report labels shows distinct ticks, one per value; money axes in $ with K/M/B; no SI
/// "G" for billions.
void check_specs(const json& specs) {
  for (const auto& [id, spec] : specs.items()) {
    CAPTURE(id);
    walk(spec, [&](const json& o) {
      if (o.contains("title") && o.at("title").is_string()) {
        const std::string t = o.at("title").get<std::string>();
        CAPTURE(t);
        // No metric key (finance_..., gpu_hours_..., ..._usd_...); a sweep's parameter names
        // are the user's own labels and may stand.
        CHECK(t.find("finance_") == std::string::npos);
        CHECK(t.find("gpu_hours_") == std::string::npos);
      }
      if (o.contains("format") && o.at("format").is_string()) {
        CHECK(o.at("format").get<std::string>().find("~s") == std::string::npos);
      }
      if (o.contains("labelExpr") && o.contains("values")) {
        const auto labels = aidc::report::axis_labels(o);
        CAPTURE(o.dump());
        REQUIRE(labels.size() == o.at("values").size());
        CHECK(std::set<std::string>(labels.begin(), labels.end()).size() == labels.size());
        const std::string expr = o.at("labelExpr").get<std::string>();
        if (expr.find("'$,") != std::string::npos) {
          for (const auto& l : labels) CHECK(l.find('$') != std::string::npos);
          double largest = 0;
          for (const auto& v : o.at("values"))
            largest = std::max(largest, std::abs(v.get<double>()));
          if (largest >= 1e4) {
            const char last = labels.back().back();
            CHECK((last == 'K' || last == 'M' || last == 'B'));
          }
        }
      }
    });
  }
}

/// Every time axis the report lays out labels its ticks as `pattern` ("Q1 2027", "Jan 2027");
/// returns how many such axes there are.
std::size_t check_time_labels(const json& specs, const std::string& pattern) {
  std::size_t axes = 0;
  const std::regex re(pattern);
  for (const auto& [id, spec] : specs.items()) {
    CAPTURE(id);
    walk(spec, [&](const json& o) {
      if (o.value("type", "") != "temporal" || !o.contains("axis")) return;
      ++axes;
      for (const auto& label : aidc::report::axis_labels(o.at("axis"))) {
        CAPTURE(label);
        CHECK(std::regex_match(label, re));
      }
    });
  }
  return axes;
}

const char* const kComparison = R"({
  "name": "two plans", "baseline": "planA", "plans": ["planA", "planB"], "replications": 10,
  "metrics": [
    {"metric": "finance_npv_usd",
     "plans": [{"plan": "planA", "n": 10, "mean": 1.5e6, "sd": 2e5, "ci95_low": 1.36e6, "ci95_high": 1.64e6},
               {"plan": "planB", "n": 10, "mean": 1.8e6, "sd": 2.5e5, "ci95_low": 1.62e6, "ci95_high": 1.98e6}],
     "differences": [{"plan": "planB", "n": 10, "mean": 3e5, "sd": 1e5, "ci95_low": 2.3e5, "ci95_high": 3.7e5}]},
    {"metric": "inference_served_fraction",
     "plans": [{"plan": "planA", "mean": 0.99, "ci95_low": 0.985, "ci95_high": 0.995},
               {"plan": "planB", "mean": 0.95, "ci95_low": 0.945, "ci95_high": 0.955}],
     "differences": [{"plan": "planB", "mean": -0.04, "ci95_low": -0.045, "ci95_high": -0.035}]}
  ]})";

TEST_CASE("a comparison's answer names the best plan, its difference and interval",
          "[report][planner]") {
  TempDir dir("aidc-report-planner");
  const fs::path folder = dir / "cmp";
  write_file(folder / "comparison.json", kComparison);
  seal(folder);
  REQUIRE(run_aidc(dir, "report " + quoted(folder)).exit_code == 0);
  const auto answer = answer_of(read_file(folder / "report.html"));
  REQUIRE(answer.size() == 3);
  CHECK(answer[0] == "By NPV, planB is the best of the 2 plans: $1.80M (95% CI $1.62M to $1.98M).");
  CHECK(answer[1] ==
        "planB against planA: +$300.0K (95% CI +$230.0K to +$370.0K); the interval excludes zero.");
  // planB serves less and nothing prices the shortfall: the page says so.
  CHECK_THAT(answer[2], Catch::Contains("planA 99.000%, planB 95.000%"));
  CHECK_THAT(answer[2], Catch::Contains("a cheaper plan may simply serve less"));
  check_specs(specs_of(read_file(folder / "report.html")));
}

TEST_CASE("a comparison draws unit costs per GPU-hour, per H100-equivalent hour and per token",
          "[report][planner]") {
  TempDir dir("aidc-report-planner");
  const fs::path folder = dir / "cmp";
  json cmp = json::parse(kComparison);
  const auto metric = [](const std::string& name, double a, double b) {
    return json{{"metric", name},
                {"plans",
                 {{{"plan", "planA"}, {"mean", a}, {"ci95_low", a}, {"ci95_high", a}},
                  {{"plan", "planB"}, {"mean", b}, {"ci95_low", b}, {"ci95_high", b}}}},
                {"differences", json::array()}};
  };
  cmp["metrics"].push_back(metric("finance_tco_usd_per_busy_gpu_hour", 2.4, 3.1));
  cmp["metrics"].push_back(metric("finance_tco_usd_per_h100e_hour_served", 1.9, 1.2));
  cmp["metrics"].push_back(metric("finance_api_usd_per_million_tokens_cost", 0.41, 0.0));
  cmp["metrics"].push_back(metric("finance_tco_usd_per_installed_gpu_hour", 0.0, 0.0));
  write_file(folder / "comparison.json", cmp.dump());
  seal(folder);
  REQUIRE(run_aidc(dir, "report " + quoted(folder)).exit_code == 0);
  const json specs = specs_of(read_file(folder / "report.html"));
  check_specs(specs);
  // One panel a metric, titled by name, in the order the page lists them; a metric that is
  // zero in every plan is left out.
  std::vector<std::string> titles;
  for (const auto& panel : specs.at("plan-tco").at("hconcat")) {
    titles.push_back(panel.at("title").get<std::string>());
  }
  CHECK(titles == std::vector<std::string>{"TCO per busy GPU-hour",
                                           "TCO per H100-equivalent hour served",
                                           "Model access: cost per million tokens"});
}

TEST_CASE("a difference whose interval includes zero is said to be unresolved",
          "[report][planner]") {
  TempDir dir("aidc-report-planner");
  const fs::path folder = dir / "cmp";
  std::string text = kComparison;
  text.replace(text.find("\"ci95_low\": 2.3e5"), 17, "\"ci95_low\": -1e5");
  write_file(folder / "comparison.json", text);
  seal(folder);
  REQUIRE(run_aidc(dir, "report " + quoted(folder)).exit_code == 0);
  const auto answer = answer_of(read_file(folder / "report.html"));
  REQUIRE(answer.size() >= 2);
  CHECK_THAT(answer[1],
             Catch::Contains("includes zero, so the replications do not tell the two apart"));
}

TEST_CASE("a run of several replications draws 90% bands at the 5% and 95% quantiles",
          "[report][planner]") {
  TempDir dir("aidc-report-planner");
  const fs::path folder = dir / "run";
  const auto run = run_aidc(
      dir, "run " + quoted(fs::path(aidc::test::source_path("scenarios/spare-capacity.json"))) +
               " -n 7 --set /horizon=90d --out " + quoted(folder));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run_aidc(dir, "report " + quoted(folder)).exit_code == 0);
  const std::string html = read_file(folder / "report.html");
  const json specs = specs_of(html);
  check_specs(specs);
  // Monthly periods: months on every time axis, the bands' among them.
  CHECK(check_time_labels(specs, "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 2026") >= 4);
  CHECK(answer_of(html).size() >= 3);  // coverage, NPV, and the spread across replications

  // The test's own quantiles of each period's utilization, from the file by plain parsing.
  std::ifstream in(folder / "replication_timeseries.csv");
  std::string line;
  REQUIRE(std::getline(in, line));
  const auto header = aidc::test::split_fields(line, ',');
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  std::map<std::string, std::map<std::string, std::pair<double, double>>> sums;  // start, rep
  while (std::getline(in, line)) {
    const auto f = aidc::test::split_fields(line, ',');
    auto& s = sums[f[col("period_start")]][f[col("replication")]];
    s.first += std::stod(f[col("installed_gpu_hours")]);
    s.second += std::stod(f[col("busy_gpu_hours")]);
  }
  const auto type7 = [](std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const double h = (static_cast<double>(v.size()) - 1) * p;
    const auto i = static_cast<std::size_t>(h);
    return i + 1 < v.size() ? v[i] + (h - static_cast<double>(i)) * (v[i + 1] - v[i]) : v[i];
  };
  const json& rows = specs.at("band-utilization").at("data").at("values");
  REQUIRE(rows.size() == sums.size() + 1);
  std::size_t k = 0;
  for (const auto& [start, reps] : sums) {
    REQUIRE(reps.size() == 7);
    std::vector<double> u;
    for (const auto& [rep, s] : reps) u.push_back(s.second / s.first);
    CAPTURE(start);
    CHECK(rows[k].at("t") == start);
    CHECK(rows[k].at("low").get<double>() == Approx(type7(u, 0.05)).epsilon(1e-12));
    CHECK(rows[k].at("high").get<double>() == Approx(type7(u, 0.95)).epsilon(1e-12));
    CHECK(rows[k].at("median").get<double>() == Approx(type7(u, 0.5)).epsilon(1e-12));
    ++k;
  }
}

TEST_CASE("comparison and sweep pages pass the reader's checks", "[report][planner][slow]") {
  TempDir dir("aidc-report-planner");
  const fs::path cmp = dir / "cmp";
  REQUIRE(
      run_aidc(dir, "compare " +
                        quoted(fs::path(aidc::test::source_path("scenarios/capex-plans.json"))) +
                        " --out " + quoted(cmp))
          .exit_code == 0);
  REQUIRE(run_aidc(dir, "report " + quoted(cmp)).exit_code == 0);
  const std::string cmp_html = read_file(cmp / "report.html");
  check_specs(specs_of(cmp_html));
  // Quarterly periods from 2026-01-01: quarters.
  CHECK(check_time_labels(specs_of(cmp_html), "Q[1-4] 20[0-9][0-9]") >= 2);
  const auto answer = answer_of(cmp_html);
  REQUIRE_FALSE(answer.empty());
  CHECK_THAT(answer[0], Catch::StartsWith("By NPV, "));
  for (const char* id : {"plan-value", "plan-costs", "plan-tco", "plan-cash"}) {
    CHECK(specs_of(cmp_html).contains(id));
  }

  const fs::path sweep = dir / "sweep";
  REQUIRE(run_aidc(dir, "sweep " +
                            quoted(fs::path(
                                aidc::test::source_path("scenarios/spare-capacity/tornado.json"))) +
                            " --out " + quoted(sweep))
              .exit_code == 0);
  REQUIRE(run_aidc(dir, "report " + quoted(sweep)).exit_code == 0);
  const std::string sweep_html = read_file(sweep / "report.html");
  const json specs = specs_of(sweep_html);
  check_specs(specs);
  CHECK_THAT(answer_of(sweep_html).front(), Catch::Contains("moves most with"));
  // The NPV heat map diverges at zero.
  const json& color = specs.at("heatmap").at("encoding").at("color");
  CHECK(color.at("scale").at("domainMid") == 0);
  CHECK(color.at("scale").at("scheme") == "redblue");
}

}  // namespace report_planner_test
