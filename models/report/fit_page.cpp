// The page of a demand fit folder (aidc fit demand --out): the answer in words, the data
// against the fit with its band, the residuals and the profiles.

#include "internal.hpp"

namespace aidc::report {

json fit_series_spec(const std::vector<FitHour>& hours) {
  json values = json::array();
  std::optional<double> cut;
  for (const FitHour& h : hours) {
    if (h.held_out && !cut) cut = h.epoch_ms;
    values.push_back({{"t", h.epoch_ms},
                      {"observed", h.observed},
                      {"fitted mean", h.mean},
                      {"low", h.low},
                      {"high", h.high},
                      {"part", h.held_out ? "held out" : "fitted"}});
  }
  json spec = vega_lite(values);
  spec["width"] = 640;
  json x = {{"field", "t"}, {"type", "temporal"}, {"scale", {{"type", "utc"}}}, {"title", nullptr}};
  json band;
  band["mark"] = {{"type", "area"}, {"opacity", 0.2}, {"color", "#f58518"}};
  band["encoding"]["x"] = x;
  band["encoding"]["y"] = {{"field", "low"}, {"type", "quantitative"}, {"title", "demand"}};
  band["encoding"]["y2"] = {{"field", "high"}};
  json lines;
  lines["transform"] =
      json::array({{{"fold", {"observed", "fitted mean"}}, {"as", {"series", "value"}}}});
  lines["mark"] = {{"type", "line"}, {"strokeWidth", 1}};
  lines["encoding"]["x"] = x;
  lines["encoding"]["y"] = {{"field", "value"}, {"type", "quantitative"}, {"title", "demand"}};
  lines["encoding"]["color"] = {
      {"field", "series"},
      {"type", "nominal"},
      {"title", nullptr},
      {"scale", {{"domain", {"observed", "fitted mean"}}, {"range", {"#4c78a8", "#f58518"}}}}};
  lines["encoding"]["tooltip"] =
      json::array({tooltip_field("t", "hour", "temporal", "%Y-%m-%d %H:00"),
                   tooltip_field("series", "series", "nominal"),
                   tooltip_field("value", "value", "quantitative", ",.4~g"),
                   tooltip_field("part", "part", "nominal")});
  spec["layer"] = json::array({band, lines});
  if (cut) {
    json rule;
    rule["data"] = {{"values", json::array({{{"t", *cut}}})}};
    rule["mark"] = {{"type", "rule"}, {"strokeDash", {4, 4}}, {"color", "#555"}};
    rule["encoding"]["x"] = x;
    spec["layer"].push_back(rule);
  }
  return spec;
}

json fit_residual_spec(const std::vector<FitHour>& hours, double sigma) {
  json values = json::array();
  for (const FitHour& h : hours) {
    if (!(h.observed > 0) || !(h.mean > 0)) continue;
    // log(observed / median), the median being the mean / exp(sigma^2 / 2).
    values.push_back({{"t", h.epoch_ms},
                      {"residual", std::log(h.observed / h.mean) + 0.5 * sigma * sigma},
                      {"part", h.held_out ? "held out" : "fitted"}});
  }
  json spec = vega_lite(values);
  spec["width"] = 640;
  spec["height"] = 160;
  spec["mark"] = {{"type", "point"}, {"size", 6}, {"filled", true}};
  spec["encoding"]["x"] = {
      {"field", "t"}, {"type", "temporal"}, {"scale", {{"type", "utc"}}}, {"title", nullptr}};
  spec["encoding"]["y"] = {
      {"field", "residual"}, {"type", "quantitative"}, {"title", "log(observed / fitted median)"}};
  spec["encoding"]["color"] = {
      {"field", "part"},
      {"type", "nominal"},
      {"title", nullptr},
      {"scale", {{"domain", {"fitted", "held out"}}, {"range", {"#4c78a8", "#e45756"}}}}};
  return spec;
}

json profile_spec(const std::vector<double>& factors, const std::vector<std::string>& labels,
                  const std::string& title) {
  json values = json::array();
  for (std::size_t i = 0; i < factors.size() && i < labels.size(); ++i) {
    values.push_back({{"label", labels[i]}, {"factor", factors[i]}});
  }
  json spec = vega_lite(values);
  spec["mark"] = {{"type", "point"}, {"filled", true}, {"size", 50}, {"color", "#4c78a8"}};
  spec["encoding"]["x"] = {
      {"field", "label"}, {"type", "ordinal"}, {"sort", labels}, {"title", title}};
  spec["encoding"]["y"] = {{"field", "factor"},
                           {"type", "quantitative"},
                           {"title", "factor (mean 1)"},
                           {"scale", {{"zero", false}}},
                           {"axis", {{"format", ".2f"}}}};
  spec["encoding"]["tooltip"] =
      json::array({tooltip_field("label", title, "ordinal"),
                   tooltip_field("factor", "factor", "quantitative", ".3f")});
  return spec;
}

namespace {

std::vector<double> numbers_of(const Node& array) {
  std::vector<double> out;
  for (const Node& n : array.items()) out.push_back(n.number());
  return out;
}

std::string hour_label(std::size_t h) { return fmt::format("{:02d}", h); }

/// The fit in words, from its numbers.
std::string statement(const Node& fit, const std::vector<double>& diurnal,
                      const std::vector<double>& weekly) {
  const std::string trend = fit.at("trend").text();
  const bool forced = fit.at("criterion").text() == "forced";
  std::string out = fmt::format(
      "The hourly means of {} ({:.0f} hours from {} to {}) are described by {} trend ({})",
      fit.at("trace").text(), fit.at("hours_used").number(), fit.at("first_hour").text(),
      fit.at("last_hour").text(), trend == "none" ? "no" : "a " + trend,
      forced ? "as asked"
             : "chosen by the Bayesian information criterion among none, "
               "exponential, logistic and piecewise");
  if (!diurnal.empty()) {
    const auto top = std::max_element(diurnal.begin(), diurnal.end()) - diurnal.begin();
    const auto bottom = std::min_element(diurnal.begin(), diurnal.end()) - diurnal.begin();
    out += fmt::format(
        ", a 24-hour swing of {:.3f} from peak ({}:00) to trough ({}:00)",
        diurnal[static_cast<std::size_t>(top)] / diurnal[static_cast<std::size_t>(bottom)],
        hour_label(static_cast<std::size_t>(top)), hour_label(static_cast<std::size_t>(bottom)));
  }
  if (weekly.size() == 7) {
    const double weekdays = (weekly[0] + weekly[1] + weekly[2] + weekly[3] + weekly[4]) / 5;
    out += fmt::format(" and weekends at {:.1f}% of weekdays",
                       100 * (weekly[5] + weekly[6]) / 2 / weekdays);
  }
  const Node g = fit.at("goodness");
  const Node e = fit.at("estimates");
  out += fmt::format(
      ". The fit explains {:.1f}% of the variance of the log series; the rest is log-normal "
      "noise of standard deviation {:.3f} with a correlation of {:.3f} from one hour to the "
      "next.",
      100 * g.at("r2_log").number(), e.at("sigma").at("value").number(),
      e.at("phi").at("value").number());
  if (const auto h = fit.get("holdout")) {
    out += fmt::format(
        " Fitted without its last {:g} days, the model projects them with a mean absolute "
        "percentage error of {:.1f}%, and {:.1f}% of those hours fall inside its 90% band.",
        h->at("days").number(), 100 * h->at("mape").number(), 100 * h->at("band_share").number());
  }
  return out;
}

}  // namespace

Page fit_page(const fs::path& dir) {
  const fs::path path = dir / "fit.json";
  const json doc = read_json(path);
  const Node root(&path, &doc, "");
  if (!doc.is_object()) root.fail_here("expected an object");
  const Node section = root.at("section");
  const Node fit = root.at("fit");
  const std::vector<double> diurnal =
      section.get("diurnal") ? numbers_of(section.at("diurnal")) : std::vector<double>{};
  const std::vector<double> weekly =
      section.get("weekly") ? numbers_of(section.at("weekly")) : std::vector<double>{};

  Page page;
  page.title = "aidc fit demand: " + fit.at("trace").text();
  page.subtitle = "Report of the fit folder " + dir.string();
  page.facts.emplace_back("trend", fit.at("trend").text());
  std::string candidates;
  for (const Node& c : fit.at("candidates").items()) {
    candidates += fmt::format("{}{} {:.1f}", candidates.empty() ? "" : ", ", c.at("trend").text(),
                              c.at("bic").number());
  }
  page.facts.emplace_back("BIC of each trend", candidates);
  const Node g = fit.at("goodness");
  page.facts.emplace_back("R² of the log series", fmt::format("{:.4f}", g.at("r2_log").number()));
  page.facts.emplace_back(
      "residual sd, lag-1 autocorrelation",
      fmt::format("{:.4f}, {:.4f}", g.at("residual_sd").number(), g.at("residual_acf1").number()));
  page.answer.push_back(statement(fit, diurnal, weekly));

  const fs::path csv_path = dir / "fit.csv";
  if (!fs::exists(csv_path)) fail(csv_path, "missing; a fit folder has it");
  const Csv csv = Csv::read(csv_path);
  const std::size_t time = csv.column("time");
  const std::size_t observed = csv.column("observed");
  const std::size_t mean = csv.column("mean");
  const std::size_t low = csv.column("low");
  const std::size_t high = csv.column("high");
  const std::size_t held = csv.column("held_out");
  std::vector<FitHour> hours;
  for (std::size_t row = 0; row < csv.size(); ++row) {
    const std::string& text = csv.text(row, time);
    const auto day = text.size() >= 13 ? parse_date(text.substr(0, 10)) : std::nullopt;
    if (!day)
      fail(csv_path, fmt::format("line {}: expected a time YYYY-MM-DD HH:00:00 (got \"{}\")",
                                 csv.line(row), text));
    const double epoch_hours =
        static_cast<double>(day->time_since_epoch().count()) * 24 + std::stod(text.substr(11, 2));
    hours.push_back({epoch_hours * 3600e3, csv.number(row, observed), csv.number(row, mean),
                     csv.number(row, low), csv.number(row, high), csv.number(row, held) != 0});
  }
  add_chart(page, "Data and fit", "fit-series", fit_series_spec(hours),
            "The trace's hourly means (blue) and the model's mean (orange), with the band from "
            "its 5% to its 95% quantile. A dashed rule marks where the held-out days begin.");
  const double sigma = fit.at("estimates").at("sigma").at("value").number();
  add_chart(page, "Residuals", "fit-residuals", fit_residual_spec(hours, sigma),
            "log(observed / fitted median) of each hour with a positive value: the noise the "
            "model describes as log-normal AR(1). Runs above or below zero are what its "
            "hour-to-hour correlation carries.");
  if (!diurnal.empty()) {
    std::vector<std::string> labels;
    for (std::size_t h = 0; h < 24; ++h) labels.push_back(hour_label(h));
    add_chart(page, "24-hour profile", "fit-diurnal", profile_spec(diurnal, labels, "hour of day"),
              "The fitted factor of each hour of the day, mean 1 (the section's \"diurnal\").");
  }
  if (!weekly.empty()) {
    add_chart(
        page, "Weekly profile", "fit-weekly",
        profile_spec(weekly, {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}, "day of week"),
        "The fitted factor of each day of the week, mean 1 (the section's \"weekly\").");
  }
  return page;
}

}  // namespace aidc::report
