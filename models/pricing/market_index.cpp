// "market_index": prices that follow a dated market index of USD per GPU-hour, one series per
// GPU type, given inline, read from a CSV file, or shipped in the catalog by name; the price
// is the index in force times (1 + spread).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "aidc/scenario/csv.hpp"
#include "aidc/scenario/data_paths.hpp"
#include "register.hpp"

namespace aidc {

namespace {

using std::chrono::sys_days;

/// One GPU type's index: steps of USD per GPU-hour in date order, and where it was given, so
/// a problem found later (bind()) points at it.
struct IndexSeries {
  std::vector<DatedValue> points;
  std::string pointer;        // JSON pointer of its GPU key, or of the key that named its source
  std::string first_pointer;  // of its first date (inline), else `pointer`
  std::string origin;         // "" inline; "FILE:LINE: " for a CSV row; the catalog index's name
};

using IndexByGpu = std::map<std::string, IndexSeries>;

sim::Time market_time_of(sys_days start, sys_days d) {
  return sim::Time{(d - start).count() * sim::kSecondsPerDay};
}

/// The catalog's shipped indexes (models/catalog.json, "market_indexes"), by name.
const nlohmann::json& shipped_indexes() {
  static const nlohmann::json none = nlohmann::json::object();
  const auto& catalog = builtin_catalog();
  return catalog.contains("market_indexes") ? catalog.at("market_indexes") : none;
}

std::vector<std::string> shipped_index_names() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : shipped_indexes().items()) names.push_back(name);
  return names;
}

/// {"H100": [{"from", "usd_per_gpu_hour", "label", "source"}, ...], ...}
void read_inline_index(const ParamReader& index, IndexByGpu& out) {
  for (const auto& [gpu, list] : index.node().items()) {
    IndexSeries series;
    series.points =
        read_dated_values(index, gpu, "usd_per_gpu_hour", Bound::positive, {"label", "source"});
    series.pointer = index.pointer_of(gpu);
    series.first_pointer = series.pointer + "/0/from";
    if (list.is_array() && list.empty()) {
      index.error(gpu, "expected at least one {\"from\", \"usd_per_gpu_hour\"} entry");
    }
    if (!series.points.empty()) out.emplace(gpu, std::move(series));
  }
}

/// The catalog's index `name`: {"description", "source", "gpu", "points": [...]}.
void read_shipped_index(const ParamReader& p, const std::string& name, IndexByGpu& out) {
  const auto names = shipped_index_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    const std::string guess = nearest(name, names);
    p.error("index", fmt::format("unknown market index \"{}\"{} (known: {})", name,
                                 guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess),
                                 fmt::join(names, ", ")));
    return;
  }
  // The built-in entries are checked by the tests; a problem would point at "index".
  const ParamReader entry(shipped_indexes().at(name), p.pointer_of("index"), p.diagnostics());
  entry.allow_only({"description", "source", "gpu", "points"});
  const std::string gpu = entry.required_string("gpu");
  IndexSeries series;
  series.points =
      read_dated_values(entry, "points", "usd_per_gpu_hour", Bound::positive, {"label", "source"});
  series.pointer = series.first_pointer = p.pointer_of("index");
  series.origin = fmt::format("catalog index \"{}\": ", name);
  if (!gpu.empty() && !series.points.empty()) out.emplace(gpu, std::move(series));
}

/// A CSV file with columns date, gpu, usd_per_gpu_hour (others, such as a source, are
/// ignored); each GPU's rows in strictly increasing date order. The path is relative to the
/// scenario file's folder.
void read_csv_index(const ParamReader& p, IndexByGpu& out) {
  const auto resolved = data_file_path(p, "index_csv");
  if (!resolved) return;
  const std::string path = p.string("index_csv", "");  // as the scenario names it
  const std::filesystem::path full(*resolved);
  CsvReader in(full.string());
  if (!in.is_open()) {
    p.error("index_csv", fmt::format("cannot read \"{}\" (relative paths start at the scenario "
                                     "file's folder)",
                                     full.string()));
    return;
  }
  std::vector<std::string> header;
  if (!in.next(header)) {
    p.error("index_csv", fmt::format("{}: empty file (expected a header line)", path));
    return;
  }
  for (auto& h : header) h = std::string(trim(h));
  std::map<std::string, std::size_t> column;
  for (const char* name : {"date", "gpu", "usd_per_gpu_hour"}) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      p.error("index_csv", fmt::format("{}: no column \"{}\" among the header's {} columns "
                                       "(expected columns date, gpu, usd_per_gpu_hour)",
                                       path, name, header.size()));
      return;
    }
    column[name] = static_cast<std::size_t>(it - header.begin());
  }
  std::vector<std::string> fields;
  std::size_t problems = 0;
  const auto bad_row = [&](const std::string& message) {
    if (problems++ < 5) p.error("index_csv", fmt::format("{}:{}: {}", path, in.line(), message));
  };
  while (in.next(fields)) {
    if (in.unterminated() || fields.size() != header.size()) {
      bad_row(
          fmt::format("expected {} fields as in the header, got {}", header.size(), fields.size()));
      continue;
    }
    const std::string date_text(trim(fields[column["date"]]));
    const std::string gpu(trim(fields[column["gpu"]]));
    const auto date = parse_date(date_text);
    double usd = 0;
    if (!date) {
      bad_row("date: not a date (expected YYYY-MM-DD)");
      continue;
    }
    if (gpu.empty()) {
      bad_row("empty gpu (expected a catalog id such as \"H100\")");
      continue;
    }
    if (!parse_number(fields[column["usd_per_gpu_hour"]], usd) || usd <= 0) {
      bad_row("usd_per_gpu_hour: not a positive number");
      continue;
    }
    auto [it, fresh] = out.try_emplace(gpu);
    IndexSeries& series = it->second;
    if (fresh) {
      series.pointer = series.first_pointer = p.pointer_of("index_csv");
      series.origin = fmt::format("{}:{}: ", path, in.line());
    }
    if (!series.points.empty() && *date <= series.points.back().from) {
      bad_row(fmt::format("dates out of order for \"{}\" (got {}, expected after {})", gpu,
                          format_date(*date), format_date(series.points.back().from)));
      continue;
    }
    series.points.push_back({*date, usd});
  }
  if (problems > 5) p.error("index_csv", fmt::format("{}: {} more bad rows", path, problems - 5));
  if (problems == 0 && out.empty()) p.error("index_csv", fmt::format("{}: no data rows", path));
}

/// The index in force times (1 + spread). A GPU type without an index of its own follows
/// the index of `proxy_gpu`, scaled by its on-demand list price over the proxy's.
class MarketIndex final : public PricingModel {
 public:
  MarketIndex(IndexByGpu index, double spread, std::string proxy)
      : index_(std::move(index)), spread_(spread), proxy_(std::move(proxy)) {}

  double usd_per_gpu_hour(sys_days start, sim::Time t, const GpuType& gpu, double) const override {
    return index_at(start, t, gpu) * (1.0 + spread_);
  }
  bool prices(const GpuType& gpu) const override {
    return index_.count(gpu.id) > 0 ||
           (!proxy_.empty() && proxy_list_ > 0 && list_price(gpu, WorkClass::on_demand) > 0);
  }
  std::optional<double> index_usd_per_gpu_hour(sys_days start, sim::Time t,
                                               const GpuType& gpu) const override {
    return index_at(start, t, gpu);
  }
  std::vector<sys_days> change_dates(sys_days start, sys_days end) const override {
    std::vector<sys_days> out;
    for (const auto& [gpu, series] : index_) {
      for (const auto& point : series.points) {
        if (point.from >= start && point.from < end) out.push_back(point.from);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  void bind(const Scenario& s, WorkClass priced, const ParamReader& r) override {
    std::vector<std::string> ids;
    for (const auto& [id, type] : s.catalog) ids.push_back(id);
    for (const auto& [gpu, series] : index_) {
      if (s.catalog.count(gpu)) continue;
      const std::string guess = nearest(gpu, ids);
      r.diagnostics().add(
          series.pointer,
          fmt::format("{}unknown GPU type \"{}\" (expected a catalog id){}", series.origin, gpu,
                      guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess)));
    }
    if (!proxy_.empty()) {
      const auto it = s.catalog.find(proxy_);
      proxy_list_ = it == s.catalog.end() ? 0.0 : list_price(it->second, WorkClass::on_demand);
      if (proxy_list_ <= 0) {
        r.error("proxy_gpu", fmt::format("\"{}\" has no on-demand list price in the catalog "
                                         "(expected one, to scale its index to other types)",
                                         proxy_));
      }
    }
    // The types this model prices: inference is valued per H100-equivalent GPU-hour (the
    // catalog's H100); every other class on the type of each pool the policy lets it use (the
    // impairment test's on-demand price of the other types is checked with the finance
    // section, prices()).
    std::map<std::string, std::string> types;  // type -> a pool of it, for the message
    if (priced == WorkClass::inference) {
      if (s.catalog.count("H100")) types.emplace("H100", "");
    } else {
      for (const auto& pool : s.pools) {
        if (s.policy.allows(priced, pool.gpu)) types.emplace(pool.gpu, pool.id);
      }
    }
    for (const auto& [gpu, pool] : types) {
      const auto own = index_.find(gpu);
      const std::string of =
          pool.empty() ? "inference is valued in H100-hours" : fmt::format("pool \"{}\"", pool);
      if (own == index_.end() && proxy_.empty()) {
        r.error(source_key(r), fmt::format("no index for GPU type \"{}\" ({}) (expected an index "
                                           "for \"{}\", or a \"proxy_gpu\" to follow)",
                                           gpu, of, gpu));
        continue;
      }
      if (own == index_.end()) {
        const auto type = s.catalog.find(gpu);
        if (type == s.catalog.end() || list_price(type->second, WorkClass::on_demand) <= 0) {
          r.error("proxy_gpu", fmt::format("GPU type \"{}\" ({}) has no index and no on-demand "
                                           "list price in the catalog, so it cannot follow "
                                           "\"{}\" (expected an index for \"{}\")",
                                           gpu, of, proxy_, gpu));
        }
      }
      const IndexSeries& series = own != index_.end() ? own->second : index_.at(proxy_);
      // Contracts are quoted when booked, which may be before the start.
      sys_days first = s.start;
      std::string what = "the scenario's start";
      if (priced == WorkClass::reserved) {
        for (const auto& c : s.contracts) {
          const sys_days booked = s.date_of(c.indexed ? c.begin : c.booked);
          if (booked < first) {
            first = booked;
            what = fmt::format("contract \"{}\" is booked", c.id);
          }
        }
      }
      if (series.points.front().from > first) {
        r.diagnostics().add(
            series.first_pointer,
            fmt::format("{}the index of \"{}\" begins on {}, after {} on {} "
                        "(expected a first entry on or before it)",
                        series.origin, own != index_.end() ? gpu : proxy_,
                        format_date(series.points.front().from), what, format_date(first)));
      }
    }
  }

 private:
  /// The key that gave the index, for problems with the index as a whole.
  static const char* source_key(const ParamReader& r) {
    return r.has("index_csv") ? "index_csv" : "index";
  }

  double index_at(sys_days start, sim::Time t, const GpuType& gpu) const {
    auto it = index_.find(gpu.id);
    double relative = 1.0;
    if (it == index_.end() && !proxy_.empty()) {
      it = index_.find(proxy_);
      relative = list_price(gpu, WorkClass::on_demand) / proxy_list_;
    }
    if (it == index_.end()) {
      // bind() rejects a scenario with a pool of a type the index cannot price.
      throw std::logic_error(fmt::format("market_index: no index for \"{}\"", gpu.id));
    }
    const auto& points = it->second.points;
    const auto after = std::upper_bound(
        points.begin(), points.end(), t,
        [&](sim::Time x, const DatedValue& p) { return x < market_time_of(start, p.from); });
    if (after == points.begin()) {
      throw std::logic_error(fmt::format("market_index: {} is before the index of \"{}\" begins",
                                         format_date(start) + fmt::format(" + {} s", t.seconds),
                                         it->first));
    }
    return (after - 1)->value * relative;
  }

  IndexByGpu index_;
  double spread_;
  std::string proxy_;
  double proxy_list_ = 0;  // the proxy's on-demand list price, set by bind()
};

}  // namespace

void register_market_index(Registry<PricingModel>& registry) {
  const std::string shipped = fmt::format("{}", fmt::join(shipped_index_names(), ", "));
  registry.add(
      {"market_index",
       "Follows a dated market index per GPU type: the index in force times (1 + spread).",
       {{"index",
         fmt::format("{{\"H100\": [{{\"from\": date, \"usd_per_gpu_hour\": x, \"label\": text}}], "
                     "...}}, or the name of a catalog index ({})",
                     shipped),
         "none: give index or index_csv"},
        {"index_csv",
         "CSV file with columns date, gpu, usd_per_gpu_hour (relative to the scenario)",
         "none: give index or index_csv"},
        {"spread", "fraction above (> 0) or below (< 0) the index, above -1", "0"},
        {"proxy_gpu",
         "indexed type followed by types without an index, scaled by on-demand list prices",
         "none: every type of the fleet needs an index"}},
       [shipped](const ParamReader& p) {
         IndexByGpu index;
         if (p.has("index") == p.has("index_csv")) {
           p.error("", "expected exactly one of \"index\" and \"index_csv\"");
         } else if (p.has("index_csv")) {
           read_csv_index(p, index);
         } else if (p.node().at("index").is_string()) {
           read_shipped_index(p, p.string("index", ""), index);
         } else if (p.node().at("index").is_object() && !p.node().at("index").empty()) {
           read_inline_index(p.child("index"), index);
         } else {
           p.error("index", fmt::format("wrong type (got {}, expected an object of dated prices "
                                        "by GPU type, or the name of a catalog index: {})",
                                        brief(p.node().at("index")), shipped));
         }
         const double spread = p.number("spread", 0.0);
         if (p.has("spread") && p.node().at("spread").is_number() && !(spread > -1.0)) {
           p.error("spread", fmt::format("out of range (got {}, expected a number above -1)",
                                         brief(p.node().at("spread"))));
         }
         const std::string proxy = p.string("proxy_gpu", "");
         if (p.has("proxy_gpu") && !index.empty() && !index.count(proxy)) {
           std::vector<std::string> indexed;
           for (const auto& [gpu, series] : index) indexed.push_back(gpu);
           p.error("proxy_gpu", fmt::format("no index for \"{}\" (expected one of: {})", proxy,
                                            fmt::join(indexed, ", ")));
         }
         return std::make_unique<MarketIndex>(std::move(index), spread, proxy);
       }});
}

}  // namespace aidc
