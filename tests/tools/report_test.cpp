// aidc report, run as a user runs it: the page of a run, comparison and sweep folder, its
// charts drawn by headless Chromium, and bad input.

#include <sys/wait.h>

#include <fmt/format.h>
#include <algorithm>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "aidc/run/output.hpp"
#include "report_support.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

using aidc::test::Outcome;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::seal;
using aidc::test::specs_of;
using aidc::test::TempDir;

/// `p` in single quotes for the shell.
std::string shell_quoted(const fs::path& p) { return aidc::test::quoted(p); }

using aidc::test::write_file;

const char* const kChromium = "/usr/bin/chromium";

/// The DOM of `page` after its scripts ran in headless Chromium, or nullopt (with a warning)
/// when Chromium is not installed; `make deps` installs it for `make test`.
std::optional<std::string> rendered_dom(const TempDir& dir, const fs::path& page) {
  if (!fs::exists(kChromium)) {
    WARN("skipped: " << kChromium << " is not installed, so report.html is not rendered "
                     << "(apt-get install chromium)");
    return std::nullopt;
  }
  static int counter = 0;
  const fs::path profile = dir / ("chromium-profile-" + std::to_string(++counter));
  fs::create_directories(profile);
  const fs::path dom = dir / "dom.html";
  const fs::path log = dir / "chromium.log";
  const std::string command =
      std::string(kChromium) +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir=" +
      shell_quoted(profile) + " --virtual-time-budget=20000 --dump-dom " +
      shell_quoted("file://" + fs::absolute(page).string()) + " >" + shell_quoted(dom) + " 2>" +
      shell_quoted(log);
  const int status = std::system(command.c_str());
  INFO("chromium log:\n" << read_file(log));
  REQUIRE(status == 0);
  return read_file(dom);
}

/// The ids of the page's chart elements, as aidc wrote them.
std::vector<std::string> chart_ids(const std::string& html) {
  std::vector<std::string> ids;
  const std::string open = "<div class=\"chart\" id=\"";
  for (std::size_t pos = html.find(open); pos != std::string::npos;
       pos = html.find(open, pos + 1)) {
    const std::size_t begin = pos + open.size();
    ids.push_back(html.substr(begin, html.find('"', begin) - begin));
  }
  return ids;
}

/// Renders `page` and checks that every chart says it was drawn and holds an <svg> or <canvas>.
void check_rendered(const TempDir& dir, const fs::path& page) {
  const std::string html = read_file(page);
  const auto ids = chart_ids(html);
  REQUIRE_FALSE(ids.empty());
  const auto dom = rendered_dom(dir, page);
  if (!dom) return;
  for (const auto& id : ids) {
    CAPTURE(id);
    const std::size_t at = dom->find("id=\"" + id + "\"");
    REQUIRE(at != std::string::npos);
    const std::size_t tag_begin = dom->rfind('<', at);
    const std::size_t tag_end = dom->find('>', at);
    const std::string tag = dom->substr(tag_begin, tag_end - tag_begin + 1);
    CAPTURE(tag);
    CHECK(tag.find("class=\"chart") != std::string::npos);
    CHECK(tag.find("data-rendered=\"true\"") != std::string::npos);
    // Each chart sits alone in its section, so what it drew lies before the section's end.
    const std::size_t section_end = dom->find("</section>", tag_end);
    const std::string drawn = dom->substr(tag_end, section_end - tag_end);
    const bool has_svg = drawn.find("<svg") != std::string::npos;
    const bool has_canvas = drawn.find("<canvas") != std::string::npos;
    CHECK((has_svg || has_canvas));
  }
}

/// The page must open offline: nothing is loaded from anywhere.
void check_self_contained(const std::string& html) {
  CHECK(html.find("<script src") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("vegaEmbed") != std::string::npos);
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, sep);) out.push_back(field);
  return out;
}

// A timeseries.csv without finance columns, for the plans of a comparison: one pool, three
// months; utilization 0.5, 0.75 and 1.0.
std::string small_timeseries(double scale) {
  std::string out =
      "period,period_start,period_end,start_hours,end_hours,pool,gpu,installed_gpu_hours,"
      "busy_gpu_hours,idle_gpu_hours,down_gpu_hours,utilization,training_gpu_hours,"
      "inference_gpu_hours,experiments_gpu_hours,reserved_gpu_hours,on_demand_gpu_hours,"
      "spot_gpu_hours,api_gpu_hours,training_goodput_gpu_hours,training_lost_gpu_hours\n";
  const char* const periods[][3] = {{"0", "2026-01-01", "2026-02-01"},
                                    {"1", "2026-02-01", "2026-03-01"},
                                    {"2", "2026-03-01", "2026-04-01"}};
  for (int i = 0; i < 3; ++i) {
    const double busy = std::min(1000.0, scale * 500.0 * (1.0 + 0.5 * i));
    std::ostringstream row;
    row << periods[i][0] << "," << periods[i][1] << "," << periods[i][2] << ",0,0,p,H100,1000,"
        << busy << "," << 1000 - busy << ",0," << busy / 1000 << ",0,0,0,0," << busy
        << ",0,0,0,0\n";
    out += row.str();
  }
  return out;
}

const char* const kComparisonJson = R"({
  "baseline": "planA", "plans": ["planA", "planB"], "replications": 10, "seed": 1,
  "metrics": [
    {"metric": "finance_npv_usd",
     "plans": [{"plan": "planA", "n": 10, "mean": 1.5e6, "sd": 2e5, "ci95_low": 1.36e6, "ci95_high": 1.64e6},
               {"plan": "planB", "n": 10, "mean": 1.8e6, "sd": 2.5e5, "ci95_low": 1.62e6, "ci95_high": 1.98e6}],
     "differences": [{"plan": "planB", "n": 10, "mean": 3e5, "sd": 1e5, "ci95_low": 2.3e5, "ci95_high": 3.7e5}]},
    {"metric": "utilization",
     "plans": [{"plan": "planA", "mean": 0.71, "sd": 0.02, "ci95_low": 0.696, "ci95_high": 0.724},
               {"plan": "planB", "mean": 0.83, "sd": null, "ci95_low": null, "ci95_high": null}],
     "differences": [{"plan": "planB", "mean": 0.12, "sd": 0.01, "ci95_low": 0.113, "ci95_high": 0.127}]},
    {"metric": "gpu_hours_idle",
     "plans": [{"plan": "planA", "mean": 100, "sd": 1, "ci95_low": 99, "ci95_high": 101},
               {"plan": "planB", "mean": 90, "sd": 1, "ci95_low": 89, "ci95_high": 91}],
     "differences": [{"plan": "planB", "mean": -10, "sd": 1, "ci95_low": -11, "ci95_high": -9}]}
  ]})";

}  // namespace

TEST_CASE("aidc report draws every chart of a run folder with finance", "[report]") {
  const TempDir dir;
  const fs::path run = dir / "run";
  const std::string scenario = shell_quoted(fs::path(AIDC_SOURCE_DIR) / "scenarios" / "mmc.json");
  // 90 days instead of 1,000 keep the run short: three monthly periods, the last one partial.
  const Outcome ran =
      run_aidc(dir, "run " + scenario + " --set '/horizon=\"90d\"' --out " + shell_quoted(run));
  INFO("run stderr:\n" << ran.err);
  REQUIRE(ran.exit_code == 0);

  const Outcome o = run_aidc(dir, "report " + shell_quoted(run));
  INFO("report stdout:\n" << o.out << "report stderr:\n" << o.err);
  REQUIRE(o.exit_code == 0);
  const fs::path page = run / "report.html";
  REQUIRE(fs::exists(page));
  const std::string html = read_file(page);
  check_self_contained(html);
  CHECK(chart_ids(html) ==
        std::vector<std::string>{"utilization", "revenue", "price", "waterfall", "cash", "value"});
  CHECK_THAT(html, Catch::Contains("<h1>aidc run: mmc</h1>"));
  // The definitions the figures used, as summary.json states them.
  CHECK_THAT(html, Catch::Contains("<h2>Definitions</h2>") &&
                       Catch::Contains("terminal_value: resale: what the fleet"));

  const auto summary = nlohmann::json::parse(read_file(run / "summary.json"));
  const auto specs = specs_of(html);

  // The columns of timeseries.csv, by name, of its pool rows (one pool, so one row per period,
  // each followed by the period's entity row).
  const auto lines = split(read_file(run / "timeseries.csv"), '\n');
  REQUIRE(lines.size() == 7);
  const auto header = split(lines[0], ',');
  std::vector<std::map<std::string, double>> rows;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split(lines[i], ',');
    if (cells.size() > 5 && cells[5] == "(entity)") continue;  // ends in an empty cell
    REQUIRE(cells.size() == header.size());
    std::map<std::string, double> row;
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (c == 1 || c == 2 || c == 5 || c == 6) continue;  // dates, pool and GPU type
      if (cells[c].empty()) continue;                      // no market value
      row[header[c]] = std::stod(cells[c]);
    }
    rows.push_back(row);
  }

  SECTION("the utilization layers of each period add up to its installed GPU-hours") {
    // busy + idle + down = installed, and busy is the sum over classes, so the layers stack up
    // to installed. The chart's first three rows of each layer are the three periods.
    std::map<std::string, std::vector<double>> by_layer;
    for (const auto& v : specs.at("utilization").at("data").at("values")) {
      by_layer[v.at("layer").get<std::string>()].push_back(v.at("v").get<double>());
    }
    for (std::size_t p = 0; p < rows.size(); ++p) {
      double stacked = 0;
      for (const auto& [layer, values] : by_layer) stacked += values.at(p);
      CAPTURE(p);
      CHECK(stacked == Approx(rows[p].at("installed_gpu_hours")).epsilon(1e-9));
    }
  }

  SECTION("the waterfall passes the EBIT and ends at the net income of summary.json") {
    const auto& bars = specs.at("waterfall").at("data").at("values");
    CHECK(bars.back().at("label") == "net income");
    CHECK(bars.back().at("to").get<double>() ==
          Approx(summary.at("finance").at("net_income_usd").get<double>()));
    bool ebit = false;
    for (const auto& bar : bars) {
      if (bar.at("label") != "EBIT") continue;
      ebit = true;
      CHECK(bar.at("to").get<double>() ==
            Approx(summary.at("finance").at("ebit_usd").get<double>()));
    }
    CHECK(ebit);
    CHECK(bars.front().at("label") == "revenue");
    CHECK(bars.front().at("to").get<double>() ==
          Approx(summary.at("finance").at("revenue_usd").at("total").get<double>()));
  }

  SECTION("the market value of a period is timeseries.csv's resale value of the fleet") {
    // mmc has one pool: the line's first point is its market_value_usd in the first period.
    REQUIRE(rows[0].count("market_value_usd"));
    const double expected = rows[0].at("market_value_usd");
    CHECK(expected > 0);
    bool found = false;
    for (const auto& v : specs.at("value").at("data").at("values")) {
      if (v.at("series") == "market value" && !found) {
        CHECK(v.at("v").get<double>() == Approx(expected).epsilon(1e-9));
        found = true;
      }
    }
    CHECK(found);
  }

  SECTION("headless Chromium draws every chart") { check_rendered(dir, page); }
}

TEST_CASE("aidc report of a run without finance shows GPU use and a note", "[report]") {
  const TempDir dir;
  const fs::path scenario = dir / "plain.json";
  write_file(scenario, R"({"name": "plain", "start": "2026-01-01", "horizon": "20d",
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 16}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 10}, "gpus": 1,
      "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})");
  const fs::path run = dir / "run";
  REQUIRE(
      run_aidc(dir, "run " + shell_quoted(scenario) + " --out " + shell_quoted(run)).exit_code ==
      0);
  const fs::path page = dir / "elsewhere" / "plain.html";
  const Outcome o = run_aidc(dir, "report " + shell_quoted(run) + " --out " + shell_quoted(page));
  INFO("stderr:\n" << o.err);
  REQUIRE(o.exit_code == 0);
  CHECK_FALSE(fs::exists(run / "report.html"));
  const std::string html = read_file(page);
  CHECK(chart_ids(html) == std::vector<std::string>{"utilization"});
  CHECK_THAT(html, Catch::Contains("has no finance section"));
  check_rendered(dir, page);
}

TEST_CASE("aidc report of a comparison folder shows plans, differences and utilization",
          "[report]") {
  const TempDir dir;
  const fs::path folder = dir / "compare";
  write_file(folder / "comparison.json", kComparisonJson);
  write_file(folder / "comparison.csv", "metric,plan,n,mean\nfinance_npv_usd,planA,10,1.5e6\n");
  write_file(folder / "plans" / "planA" / "timeseries.csv", small_timeseries(1.0));
  write_file(folder / "plans" / "planB" / "timeseries.csv", small_timeseries(1.2));

  seal(folder);
  const Outcome o = run_aidc(dir, "report " + shell_quoted(folder));
  INFO("stderr:\n" << o.err);
  REQUIRE(o.exit_code == 0);
  const fs::path page = folder / "report.html";
  const std::string html = read_file(page);
  check_self_contained(html);
  CHECK(chart_ids(html) == std::vector<std::string>{"plans", "differences", "plan-utilization"});

  const auto specs = specs_of(html);
  // Only the headline metrics present are shown: NPV and utilization, not gpu_hours_idle.
  std::vector<std::string> metrics;
  for (const auto& v : specs.at("plans").at("data").at("values")) {
    const auto m = v.at("metric").get<std::string>();
    if (metrics.empty() || metrics.back() != m) metrics.push_back(m);
  }
  CHECK(metrics == std::vector<std::string>{"finance_npv_usd", "utilization"});
  // planA's utilization in the second month: 750 of 1,000 GPU-hours.
  bool found = false;
  for (const auto& v : specs.at("plan-utilization").at("data").at("values")) {
    if (v.at("plan") == "planA" && v.at("t") == "2026-02-01") {
      CHECK(v.at("v").get<double>() == Approx(0.75));
      found = true;
    }
  }
  CHECK(found);
  check_rendered(dir, page);
}

TEST_CASE("aidc report of sweep folders shows tornado, heat map and Sobol indices", "[report]") {
  const TempDir dir;

  SECTION("a grid over three parameters: a heat map over the first two, no tornado") {
    const fs::path folder = dir / "grid";
    write_file(folder / "sweep.json", R"({"design": "grid",
      "parameters": [{"name": "life_years", "pointer": "/finance/depreciation/life_years"},
                     {"name": "model", "pointer": "/finance/depreciation/model"},
                     {"name": "count", "pointer": "/fleet/pools/0/count"}],
      "metrics": ["finance_npv_usd", "utilization"], "points": 8, "replications": 2})");
    // NPV = 100 x life_years + (10 for "a,b", 0 for "c") + count; point 7 failed.
    std::string points =
        "point,life_years,model,count,replications,finance_npv_usd_mean,"
        "finance_npv_usd_ci95_low,finance_npv_usd_ci95_high,utilization_mean,"
        "utilization_ci95_low,utilization_ci95_high\n";
    int point = 0;
    for (const int life : {4, 5}) {
      for (const char* model : {"\"a,b\"", "c"}) {
        for (const int count : {1, 2}) {
          const double npv = 100.0 * life + (model[0] == '"' ? 10 : 0) + count;
          std::ostringstream row;
          row << point << "," << life << "," << model << "," << count << ",2,";
          if (point == 7) {
            row << ",,,,,\n";
          } else {
            row << npv << "," << npv - 1 << "," << npv + 1 << ",0.5,0.4,0.6\n";
          }
          points += row.str();
          ++point;
        }
      }
    }
    write_file(folder / "points.csv", points);
    seal(folder);
    const Outcome o = run_aidc(dir, "report " + shell_quoted(folder));
    INFO("stderr:\n" << o.err);
    REQUIRE(o.exit_code == 0);
    const fs::path page = folder / "report.html";
    const std::string html = read_file(page);
    CHECK(chart_ids(html) == std::vector<std::string>{"heatmap"});
    CHECK_THAT(html, Catch::Contains("no tornado.csv"));
    // The quoted model "a,b" is one value; the failed point is left out.
    const auto values = specs_of(html).at("heatmap").at("data").at("values");
    CHECK(values.size() == 7);
    CHECK(values.at(0).at("y") == "a,b");
    CHECK(values.at(0).at("v").get<double>() == Approx(411.0));
    check_rendered(dir, page);
  }

  SECTION("a one-at-a-time sweep: a tornado chart") {
    const fs::path folder = dir / "oat";
    write_file(folder / "sweep.json", R"({"design": "oat",
      "parameters": [{"name": "life_years", "pointer": "/finance/depreciation/life_years"},
                     {"name": "price", "pointer": "/finance/prices/on_demand/usd_per_gpu_hour"}],
      "metrics": ["finance_npv_usd"], "points": 5, "replications": 2})");
    write_file(folder / "points.csv",
               "point,life_years,price,replications,finance_npv_usd_mean,finance_npv_usd_ci95_low,"
               "finance_npv_usd_ci95_high\n0,5,2.5,2,100,90,110\n1,4,2.5,2,80,70,90\n"
               "2,6,2.5,2,115,105,125\n3,5,2,2,50,40,60\n4,5,3,2,160,150,170\n");
    write_file(folder / "tornado.csv",
               "metric,parameter,low_value,high_value,base_metric,metric_at_low,metric_at_high,"
               "swing\nfinance_npv_usd,life_years,4,6,100,80,115,35\n"
               "finance_npv_usd,price,2,3,100,50,160,110\n");
    seal(folder);
    const Outcome o = run_aidc(dir, "report " + shell_quoted(folder));
    INFO("stderr:\n" << o.err);
    REQUIRE(o.exit_code == 0);
    const fs::path page = folder / "report.html";
    const std::string html = read_file(page);
    CHECK(chart_ids(html) == std::vector<std::string>{"tornado-1", "heatmap"});
    // Sorted by swing: price (110) before life_years (35).
    const auto tornado = specs_of(html).at("tornado-1");
    CHECK(tornado.at("data").at("values").at(0).at("p") == "price");
    check_rendered(dir, page);
  }

  SECTION("a Saltelli sweep: binned heat map and Sobol indices") {
    const fs::path folder = dir / "saltelli";
    write_file(folder / "sweep.json", R"({"design": "saltelli",
      "parameters": [{"name": "life_years", "pointer": "/finance/depreciation/life_years"},
                     {"name": "price", "pointer": "/finance/prices/on_demand/usd_per_gpu_hour"}],
      "metrics": ["finance_npv_usd"], "points": 16, "replications": 1})");
    // Sixteen distinct values of each parameter: more than a readable axis holds, so binned.
    std::string points =
        "point,life_years,price,replications,finance_npv_usd_mean,finance_npv_usd_ci95_low,"
        "finance_npv_usd_ci95_high\n";
    for (int i = 0; i < 16; ++i) {
      std::ostringstream row;
      row << i << "," << 4 + 0.125 * i << "," << 2 + 0.0625 * ((i * 7) % 16) << ",1,"
          << 1000 + 10 * i << ",,\n";
      points += row.str();
    }
    write_file(folder / "points.csv", points);
    write_file(folder / "sobol.csv",
               "metric,parameter,first_order,total\nfinance_npv_usd,life_years,0.3,0.4\n"
               "finance_npv_usd,price,0.55,0.7\n");
    seal(folder);
    const Outcome o = run_aidc(dir, "report " + shell_quoted(folder));
    INFO("stderr:\n" << o.err);
    REQUIRE(o.exit_code == 0);
    const fs::path page = folder / "report.html";
    const std::string html = read_file(page);
    CHECK(chart_ids(html) == std::vector<std::string>{"heatmap", "sobol-1"});
    const auto heatmap = specs_of(html).at("heatmap");
    CHECK(heatmap.at("encoding").at("x").contains("bin"));
    check_rendered(dir, page);
  }
}

TEST_CASE("aidc report on bad input exits with 2, names the file and writes nothing", "[report]") {
  const TempDir dir;
  const fs::path folder = dir / "bad";
  fs::create_directories(folder);
  std::string expected;  // what stderr must contain

  SECTION("a missing folder") {
    const fs::path missing = dir / "missing";
    const Outcome o = run_aidc(dir, "report " + shell_quoted(missing));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(missing.string() + ": no such folder"));
    return;
  }
  SECTION("a folder with no outputs") { expected = folder.string() + ": no recognisable outputs"; }
  SECTION("summary.json without timeseries.csv") {
    write_file(folder / "summary.json", "{}");
    expected = (folder / "timeseries.csv").string() + ": missing";
  }
  SECTION("malformed summary.json") {
    write_file(folder / "summary.json", R"({"scenario": "x",)");
    write_file(folder / "timeseries.csv", small_timeseries(1.0));
    expected = (folder / "summary.json").string() + ": malformed JSON";
  }
  SECTION("a row of timeseries.csv with a field too many") {
    write_file(folder / "summary.json", R"({"scenario": "x"})");
    std::string csv = small_timeseries(1.0);
    csv.insert(csv.find('\n', csv.find('\n') + 1), ",7");  // the end of line 2
    write_file(folder / "timeseries.csv", csv);
    expected = (folder / "timeseries.csv").string() + ": line 2: 21 fields, expected 20";
  }
  SECTION("a word where timeseries.csv needs a number") {
    write_file(folder / "summary.json", R"({"scenario": "x"})");
    std::string csv = small_timeseries(1.0);
    csv.replace(csv.find(",1000,"), 6, ",lots,");
    write_file(folder / "timeseries.csv", csv);
    expected = (folder / "timeseries.csv").string() +
               ": line 2, column \"installed_gpu_hours\": expected a number (got \"lots\")";
  }
  SECTION("comparison.json whose metrics are not a list") {
    write_file(folder / "comparison.json", R"({"baseline": "a", "metrics": {"npv": 1}})");
    expected = (folder / "comparison.json").string() + ": /metrics: expected an array";
  }
  SECTION("points.csv without a column of a parameter of sweep.json") {
    write_file(folder / "sweep.json", R"({"design": "grid",
      "parameters": [{"name": "life_years", "pointer": "/x"}], "metrics": ["m"]})");
    write_file(folder / "points.csv", "point,replications,m_mean\n0,1,5\n");
    expected = (folder / "points.csv").string() + ": missing column \"life_years\"";
  }

  seal(folder);
  const Outcome o = run_aidc(dir, "report " + shell_quoted(folder));
  INFO("stdout:\n" << o.out << "stderr:\n" << o.err);
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains(expected));
  CHECK_FALSE(fs::exists(folder / "report.html"));
}

TEST_CASE("aidc report of a demand fit folder draws the fit, residuals and profiles",
          "[report][fit]") {
  TempDir dir("aidc-report-fit");
  std::string trace = "time,busy\n";
  for (int i = 0; i < 21 * 24; ++i) {
    const double v = 100 * (1.3 + std::sin(i * 0.2618)) * (1 + 0.1 * std::sin(i * 0.7));
    trace += fmt::format("2026-03-{:02d} {:02d}:00:00,{:.3f}\n", 1 + i / 24, i % 24, v);
  }
  write_file(dir / "t.csv", trace);
  const fs::path folder = dir / "fit";
  REQUIRE(run_aidc(dir, "fit demand " + shell_quoted(dir / "t.csv") + " --holdout 3 --out " +
                            shell_quoted(folder))
              .exit_code == 0);
  const Outcome o = run_aidc(dir, "report " + shell_quoted(folder));
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  const std::string html = read_file(folder / "report.html");
  check_self_contained(html);
  const auto ids = chart_ids(html);
  CHECK(ids ==
        std::vector<std::string>{"fit-series", "fit-residuals", "fit-diurnal", "fit-weekly"});
  CHECK_THAT(html, Catch::Contains("Fitted without its last 3 days"));
  check_rendered(dir, folder / "report.html");
}
