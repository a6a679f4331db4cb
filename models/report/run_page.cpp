// The page of a run folder: GPU use by class, rental revenue and prices, the profit-and-loss
// waterfall, cash against the NPV, and book value against market value.

#include "internal.hpp"

#include <fmt/format.h>

namespace aidc::report {

Timeseries read_timeseries(const fs::path& path) {
  const Csv csv = Csv::read(path);
  const auto classes = class_names();
  const std::size_t c_period = csv.column("period");
  const std::size_t c_start = csv.column("period_start");
  const std::size_t c_end = csv.column("period_end");
  const std::size_t c_installed = csv.column("installed_gpu_hours");
  const std::size_t c_busy = csv.column("busy_gpu_hours");
  const std::size_t c_idle = csv.column("idle_gpu_hours");
  const std::size_t c_down = csv.column("down_gpu_hours");
  std::vector<std::size_t> c_class;
  c_class.reserve(classes.size());
  for (const auto& name : classes) c_class.push_back(csv.column(name + "_gpu_hours"));

  Timeseries ts;
  ts.has_finance = csv.has("revenue_usd");
  std::size_t c_revenue = 0, c_internal = 0, c_ebitda = 0, c_fcf = 0, c_nbv = 0;
  std::vector<std::size_t> c_class_revenue;
  if (ts.has_finance) {
    c_revenue = csv.column("revenue_usd");
    c_internal = csv.column("internal_value_usd");
    c_ebitda = csv.column("ebitda_usd");
    c_fcf = csv.column("free_cash_flow_usd");
    c_nbv = csv.column("net_book_value_usd");
    for (const auto& name : classes) c_class_revenue.push_back(csv.column(name + "_revenue_usd"));
  }

  // Market value: the resale value of the pools' GPUs in service at each period's end, summed
  // over the rows that have it (empty where the scenario has no resale curve for the type).
  const auto c_market = csv.find("market_value_usd");
  const auto c_gpu = csv.find("gpu");
  const auto c_depreciation = csv.find("depreciation_usd");
  std::map<std::string, std::size_t> gpu_at;  // index in ts.by_gpu

  std::map<long, Period> by_index;
  for (std::size_t r = 0; r < csv.size(); ++r) {
    const double index = csv.number(r, c_period);
    if (index != std::floor(index) || index < 0) {
      fail(path, fmt::format("line {}, column \"period\": expected a whole number (got \"{}\")",
                             csv.line(r), csv.text(r, c_period)));
    }
    const long key = static_cast<long>(index);
    Period& p = by_index[key];
    if (p.start.empty()) {
      p.index = key;
      p.start = csv.text(r, c_start);
      p.end = csv.text(r, c_end);
      if (!parse_date(p.start) || !parse_date(p.end)) {
        fail(path, fmt::format("period {}: expected dates like 2026-01-01 (got \"{}\" and \"{}\")",
                               key, p.start, p.end));
      }
    }
    p.installed += csv.number(r, c_installed);
    p.busy += csv.number(r, c_busy);
    p.idle += csv.number(r, c_idle);
    p.down += csv.number(r, c_down);
    for (std::size_t c = 0; c < kClassCount; ++c) p.class_hours[c] += csv.number(r, c_class[c]);
    if (ts.has_finance) {
      p.revenue += csv.number(r, c_revenue);
      p.internal_value += csv.number(r, c_internal);
      p.ebitda += csv.number(r, c_ebitda);
      p.free_cash_flow += csv.number(r, c_fcf);
      p.net_book_value += csv.number(r, c_nbv);
      for (std::size_t c = 0; c < kClassCount; ++c) {
        p.class_revenue[c] += csv.number(r, c_class_revenue[c]);
      }
      if (c_gpu && c_depreciation && !csv.text(r, *c_gpu).empty()) {
        const auto [at, added] = gpu_at.try_emplace(csv.text(r, *c_gpu), ts.by_gpu.size());
        if (added) ts.by_gpu.push_back({csv.text(r, *c_gpu)});
        GpuTypeTotals& t = ts.by_gpu[at->second];
        t.revenue += csv.number_or_empty(r, c_revenue).value_or(0);
        t.depreciation += csv.number_or_empty(r, *c_depreciation).value_or(0);
      }
    }
    if (c_market && !csv.text(r, *c_market).empty()) {
      p.market_value = p.market_value.value_or(0.0) + csv.number(r, *c_market);
    }
  }
  for (auto& [key, p] : by_index) ts.periods.push_back(std::move(p));
  return ts;
}

std::string market_value_caption() {
  return "Market value is what the GPUs in service at each period's end would sell for: for "
         "each pool, the resale share of the scenario's resale curve for its GPU type at the "
         "GPUs' age then, times their purchase cost, as the finance layer values a sale at the "
         "horizon (timeseries.csv's market_value_usd), summed over the pools. Pools whose GPU "
         "type has no resale curve are left out; without any curve there is no line.";
}

void utilization_chart(Page& page, const Timeseries& ts, const std::string& id,
                       const std::string& heading) {
  add_chart(page, heading, id, utilization_spec(ts.periods),
            "GPU-hours of each period summed over the pools: the work classes that held GPUs, "
            "then idle and down GPUs, so the stack reaches the installed GPU-hours.");
}

namespace {

void revenue_and_price_charts(Page& page, const Timeseries& ts) {
  const auto rented = rented_classes(ts.periods);
  if (rented.empty()) {
    add_note(page, "Rental revenue and price",
             "No GPU-hours were rented (reserved, on-demand or spot) in this run, so there is no "
             "rental revenue or realized price to show.");
    return;
  }
  add_chart(page, "Rental revenue by class", "revenue", revenue_spec(ts.periods, rented),
            "Revenue of each rented class in each period, summed over the pools.");
  add_chart(page, "Realized rental price", "price", price_spec(ts.periods, rented),
            "Effective price of each rented class: its revenue divided by its GPU-hours in the "
            "period, over all pools; a gap means the class rented nothing that period.");
}

/// The waterfall's bars from summary.json's finance object, down to net income.
std::vector<WaterfallStep> waterfall_steps(const Node& finance) {
  std::vector<WaterfallStep> steps;
  const double revenue = finance.at("revenue_usd").at("total").number();
  const double internal = finance.at("internal_value_usd").at("total").number();
  steps.push_back({"revenue", "increase", revenue});
  if (internal != 0) steps.push_back({"internal value", "increase", internal});
  const Node costs = finance.at("costs_usd");
  if (!costs.value().is_object()) costs.fail_here("expected an object");
  for (auto it = costs.value().begin(); it != costs.value().end(); ++it) {
    const std::string& name = it.key();
    if (name == "total") continue;
    const double x = costs.at(name).number();
    if (x != 0) steps.push_back({name, "decrease", -x});
  }
  steps.push_back({"EBITDA", "total", finance.at("ebitda_usd").number()});
  steps.push_back({"depreciation", "decrease", -finance.at("depreciation_usd").number()});
  const double impairment = finance.number_at("impairment_usd").value_or(0.0);
  if (impairment != 0) steps.push_back({"impairment", "decrease", -impairment});
  const double disposals = finance.number_at("disposal_gain_usd").value_or(0.0);
  if (disposals != 0) {
    steps.push_back({disposals > 0 ? "gain on disposals" : "loss on disposals",
                     disposals > 0 ? "increase" : "decrease", disposals});
  }
  steps.push_back({"EBIT", "total", finance.at("ebit_usd").number()});
  // Below EBIT, when the summary has the entity's lines: interest and income tax.
  if (const auto net = finance.number_at("net_income_usd")) {
    const double interest = finance.number_at("interest_usd").value_or(0.0);
    if (interest != 0) steps.push_back({"interest", "decrease", -interest});
    double tax = 0;
    if (const auto t = finance.get("income_tax_usd")) tax = t->number_at("total").value_or(0.0);
    if (tax != 0) steps.push_back({"income tax", tax > 0 ? "decrease" : "increase", -tax});
    steps.push_back({"net income", "total", *net});
  }
  return steps;
}

void cash_chart(Page& page, const Timeseries& ts, const Node& finance) {
  double opening = 0;
  if (const auto o = finance.get("opening_value")) opening = o->number_at("usd").value_or(0.0);
  const std::optional<double> npv = finance.number_at("npv_usd");
  std::string caption =
      "Free cash flow to the firm of each period (the pools' rows and the entity's tax line of "
      "timeseries.csv), accumulated from the opening value, an outflow when the statistics "
      "window opens; capex is an outflow in the period it is paid, disposal proceeds an "
      "inflow. Payback is where the line crosses zero.";
  if (npv) {
    caption +=
        " The dashed rule is the NPV from summary.json: the same flows discounted, with the "
        "terminal value (the method summary.json states) as an inflow at the horizon.";
  }
  add_chart(page, "Cumulative free cash flow and NPV", "cash",
            cash_spec(ts.periods, opening, npv, finance.number_at("discount_rate")), caption);
}

void value_chart(Page& page, const Timeseries& ts, const Node& finance) {
  Block& b = page.blocks.emplace_back();
  b.heading = "Net book value and market value of the fleet";
  b.id = "value";
  b.spec = value_spec(ts.periods, finance.number_at("opening_net_book_value_usd"));
  b.caption =
      "Net book value summed over the pools at each period's end. " + market_value_caption();
  const bool any_market = std::any_of(ts.periods.begin(), ts.periods.end(),
                                      [](const Period& p) { return p.market_value.has_value(); });
  if (!any_market) {
    b.note =
        "No period could be valued at market prices: nothing was rented on demand and "
        "summary.json has no break-even price for the GPU types.";
  }
}

/// The run in words: how much of the depreciation outside revenue covers, in total and by
/// GPU type (summed over the pools' rows of timeseries.csv), the NPV with its conventions,
/// and the spread across replications.
void answer_run(Page& page, const Timeseries& ts, const Node& finance, const Node& root) {
  double total_revenue = 0;
  double total_depreciation = 0;
  std::string types;
  for (const auto& t : ts.by_gpu) {
    total_revenue += t.revenue;
    total_depreciation += t.depreciation;
    if (t.depreciation > 0) {
      types += fmt::format("{}{} {:.0f}% ({} of {})", types.empty() ? "" : ", ", t.gpu,
                           100 * t.revenue / t.depreciation, usd(t.revenue), usd(t.depreciation));
    }
  }
  if (total_depreciation > 0) {
    page.answer.push_back(fmt::format(
        "Outside revenue covers {:.0f}% of the fleet's depreciation over the run ({} of {}){}{}.",
        100 * total_revenue / total_depreciation, usd(total_revenue), usd(total_depreciation),
        ts.by_gpu.size() > 1 ? "; by GPU type: " : "", ts.by_gpu.size() > 1 ? types : ""));
  }
  if (const auto npv = finance.number_at("npv_usd")) {
    const auto rate = finance.number_at("discount_rate");
    std::string line =
        fmt::format("NPV{}: {}", rate ? fmt::format(" at {:.0f}%", 100 * *rate) : "", usd(*npv));
    if (const auto t = finance.get("terminal_value")) {
      const std::string method = t->get("method") ? t->at("method").text() : "";
      line +=
          fmt::format(", with a terminal value of {} ({})", usd(t->number_at("usd").value_or(0)),
                      method == "resale" ? "the fleet's resale value at the horizon" : method);
      if (const auto without = finance.number_at("npv_without_terminal_usd")) {
        line += fmt::format("; {} without it", usd(*without));
      }
    }
    if (const auto o = finance.get("opening_value")) {
      line += fmt::format(", and the fleet in hand at the start counted at {} ({})",
                          usd(o->number_at("usd").value_or(0)),
                          o->get("method") ? o->at("method").text() : "");
    }
    page.answer.push_back(line + ".");
  }
  if (const auto reps = root.get("replications")) {
    if (const auto metrics = reps->get("metrics")) {
      if (const auto npv = metrics->get("finance_npv_usd")) {
        const auto low = npv->number_at("ci95_low");
        const auto high = npv->number_at("ci95_high");
        if (low && high) {
          page.answer.push_back(fmt::format(
              "Across {:.0f} replications the NPV averages {} (95% CI {} to {}); the charts "
              "below show replication 0.",
              reps->number_at("count").value_or(0), usd(npv->number_at("mean").value_or(0)),
              usd(*low), usd(*high)));
        }
      }
    }
  }
}

}  // namespace

Page run_page(const fs::path& dir) {
  const fs::path summary_path = dir / "summary.json";
  const json summary = read_json(summary_path);
  const Node root(&summary_path, &summary, "");
  if (!summary.is_object()) root.fail_here("expected an object");
  const Timeseries ts = read_timeseries(dir / "timeseries.csv");

  Page page;
  const std::string name =
      root.get("scenario") ? root.at("scenario").text() : dir.filename().string();
  page.title = "aidc run: " + name;
  page.subtitle = "Report of the run folder " + dir.string();
  if (const auto seed = root.number_at("seed")) {
    page.facts.emplace_back("seed", fmt::format("{:.0f}", *seed));
  }
  if (const auto start = root.get("start"); start && start->value().is_string()) {
    page.facts.emplace_back("start", start->text());
  }
  if (const auto window = root.get("window_hours")) {
    const auto begin = window->number_at("begin");
    const auto end = window->number_at("end");
    if (begin && end)
      page.facts.emplace_back("window", fmt::format("{:.0f} days", (*end - *begin) / 24.0));
  }
  if (const auto u = root.number_at("utilization"))
    page.facts.emplace_back("utilization", percent(*u));
  std::optional<Node> finance = root.get("finance");
  if (finance && finance->is_null()) finance.reset();
  if (finance) {
    if (const auto npv = finance->number_at("npv_usd")) {
      const auto rate = finance->number_at("discount_rate");
      page.facts.emplace_back(rate ? fmt::format("NPV at {:.0f}%", 100.0 * *rate) : "NPV",
                              usd(*npv));
    }
    if (const auto irr = finance->get("irr")) {
      const auto x = irr->number_or_null();
      page.facts.emplace_back("IRR", x ? percent(*x) : "none");
    }
    if (const auto payback = finance->get("payback_years")) {
      const auto x = payback->number_or_null();
      page.facts.emplace_back("payback", x ? fmt::format("{:.2f} years", *x) : "never");
    }
    if (const auto ebitda = finance->number_at("ebitda_usd")) {
      page.facts.emplace_back("EBITDA", usd(*ebitda));
    }
  }

  if (ts.periods.empty()) {
    add_note(page, "GPU use by class", "timeseries.csv has no rows, so there is nothing to chart.");
    return page;
  }
  utilization_chart(page, ts, "utilization", "GPU use by class");
  replication_band_charts(page, dir);
  replication_estimates_chart(page, root);
  if (!ts.has_finance || !finance) {
    add_note(page, "Finance",
             "This scenario has no finance section, so timeseries.csv has no revenue, cost or "
             "book value columns: only GPU use is charted.");
    return page;
  }
  answer_run(page, ts, *finance, root);
  revenue_and_price_charts(page, ts);
  api_charts(page, ts.periods, *finance);
  add_chart(page, "Profit and loss over the run", "waterfall",
            waterfall_spec(waterfall_steps(*finance)),
            "From summary.json: revenue and the internal value of the operator's own work, less "
            "each cash cost, give EBITDA; less depreciation and impairment, and with the gain or "
            "loss on disposals, EBIT; less interest and income tax (current and deferred), net "
            "income. Green bars add, red bars subtract, blue bars are totals as reported.");
  cash_chart(page, ts, *finance);
  value_chart(page, ts, *finance);
  // The definitions the figures used, as summary.json states them.
  if (const auto conventions = finance->get("conventions");
      conventions && conventions->value().is_object()) {
    std::string text;
    for (auto it = conventions->value().begin(); it != conventions->value().end(); ++it) {
      if (!it.value().is_string()) continue;
      if (!text.empty()) text += " ";
      text += fmt::format("{}: {}.", it.key(), it.value().get<std::string>());
    }
    if (!text.empty()) add_note(page, "Definitions", text);
  }
  return page;
}

}  // namespace aidc::report
