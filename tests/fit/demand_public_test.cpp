// aidc fit demand on public traces (../shared/data; skipped when it is absent): the fitted
// 24-hour and weekly swings agree with the same figures computed from the raw file, and the
// hold-out error is reported.

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace fit_public_test {

namespace fs = std::filesystem;

struct Swing {
  double diurnal = 0;  // peak / trough of the hour-of-day profile
  double weekend = 0;  // mean of Saturday and Sunday / mean of Monday..Friday
};

/// From the raw file, by plain string handling: the hour-of-day and weekday means of the
/// log values of the hours with a positive value. The model's profiles are of the logs, so
/// its swings are ratios of geometric means.
Swing raw_swing(const fs::path& path, const std::string& column) {
  std::ifstream in(path);
  std::string line;
  REQUIRE(std::getline(in, line));
  const auto header = aidc::test::split_fields(line, ',');
  const auto col =
      static_cast<std::size_t>(std::find(header.begin(), header.end(), column) - header.begin());
  REQUIRE(col < header.size());
  std::array<double, 24> hour_sum{};
  std::array<double, 24> hour_n{};
  std::array<double, 7> day_sum{};
  std::array<double, 7> day_n{};
  while (std::getline(in, line)) {
    const auto f = aidc::test::split_fields(line, ',');
    if (f[col].empty() || std::stod(f[col]) <= 0) continue;
    const double x = std::log(std::stod(f[col]));
    const auto date = aidc::parse_date(f[0].substr(0, 10));
    REQUIRE(date);
    const auto hour = static_cast<std::size_t>(std::stoi(f[0].substr(11, 2)));
    const auto weekday = std::chrono::weekday{*date}.iso_encoding() - 1;
    hour_sum[hour] += x;
    ++hour_n[hour];
    day_sum[weekday] += x;
    ++day_n[weekday];
  }
  double top = -1e300;
  double bottom = 1e300;
  for (std::size_t h = 0; h < 24; ++h) {
    top = std::max(top, hour_sum[h] / hour_n[h]);
    bottom = std::min(bottom, hour_sum[h] / hour_n[h]);
  }
  double weekdays = 0;
  for (std::size_t d = 0; d < 5; ++d) weekdays += std::exp(day_sum[d] / day_n[d]) / 5;
  const double weekend = (std::exp(day_sum[5] / day_n[5]) + std::exp(day_sum[6] / day_n[6])) / 2;
  return {std::exp(top - bottom), weekend / weekdays};
}

Swing fitted_swing(const nlohmann::json& section) {
  const auto& d = section["diurnal"];
  const auto& w = section["weekly"];
  double top = 0;
  double bottom = 1e300;
  for (const auto& x : d) {
    top = std::max(top, x.get<double>());
    bottom = std::min(bottom, x.get<double>());
  }
  double weekdays = 0;
  for (std::size_t i = 0; i < 5; ++i) weekdays += w[i].get<double>() / 5;
  return {top / bottom, (w[5].get<double>() + w[6].get<double>()) / 2 / weekdays};
}

void check_trace(const std::string& relative, const std::string& column) {
  const fs::path path = fs::path(AIDC_SOURCE_DIR) / ".." / "shared" / "data" / relative;
  if (!fs::exists(path)) {
    WARN("skipped: " << path.string() << " is absent (the shared data folder is not checked out)");
    return;
  }
  aidc::test::TempDir dir("aidc-fit-public");
  const std::string common = "fit demand " + aidc::test::quoted(path) +
                             " --time-column timestamp_start --value-column " + column;
  // Without a trend the fitted profiles estimate the hour-of-day and weekday log means of
  // the raw file. The 24-hour swing is pinned down by hundreds of hours per hour of day and
  // must agree to 2%; a month or two holds only a few of each weekday, and the fit (GLS under
  // the residuals' strong autocorrelation) weights them differently from plain means, so the
  // weekend ratio must agree within two of the fit's standard errors of a weekday effect.
  const auto flat =
      aidc::test::run_aidc(dir, common + " --trend none --out " + aidc::test::quoted(dir / "flat"));
  INFO(flat.err);
  REQUIRE(flat.exit_code == 0);
  const auto flat_doc = nlohmann::json::parse(aidc::test::read_file(dir / "flat" / "fit.json"));
  const Swing fitted = fitted_swing(flat_doc["section"]);
  const Swing raw = raw_swing(path, column);
  CHECK(fitted.diurnal == Approx(raw.diurnal).epsilon(0.02));
  double weekday_se = 0;
  for (const auto& c : flat_doc["fit"]["weekly"]["log_coefficients"]) {
    weekday_se = std::max(weekday_se, c["se"].get<double>());
  }
  CHECK(std::abs(std::log(fitted.weekend / raw.weekend)) < 2 * weekday_se);

  // The trend chosen by BIC and a hold-out of the last week.
  const auto held =
      aidc::test::run_aidc(dir, common + " --holdout 7 --out " + aidc::test::quoted(dir / "out"));
  REQUIRE(held.exit_code == 0);
  const auto doc = nlohmann::json::parse(aidc::test::read_file(dir / "out" / "fit.json"));
  const auto& h = doc["fit"]["holdout"];
  REQUIRE(h.is_object());
  CHECK(h["hours"].get<int>() > 100);
  CHECK(h["mape"].get<double>() > 0);
  CHECK(h["mape"].get<double>() < 0.5);
  CHECK(h["band_share"].get<double>() > 0.5);
  WARN(relative << ": diurnal swing " << fitted.diurnal << " (raw " << raw.diurnal
                << "), weekend/weekday " << fitted.weekend << " (raw " << raw.weekend
                << "); hold-out MAPE " << h["mape"].get<double>() << ", band share "
                << h["band_share"].get<double>());
}

TEST_CASE("fit demand on the Helios Earth cluster's busy GPUs", "[fit][public]") {
  check_trace("helios-2020/derived/earth16vc_hourly.csv", "running_gpu_num");
}

TEST_CASE("fit demand on the Philly cluster's active nodes", "[fit][public]") {
  check_trace("philly-2017/derived/nodes_hourly.csv", "active_nodes");
}

}  // namespace fit_public_test
