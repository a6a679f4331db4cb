#pragma once
/// A scenario as the simulation sees it: validated, with dates turned into
/// simulated time and models built. Loading reports every problem at once.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aidc/models/distribution.hpp"
#include "aidc/sim/time.hpp"

namespace aidc {

using Date = std::chrono::sys_days;

enum class Period { day, week, month, quarter, year };

/// Rental list prices of one accelerator type, USD per GPU-hour; unset when unknown.
struct RentalPrices {
  std::optional<double> on_demand, reserved, spot;
};

/// One accelerator type of the catalog.
struct GpuType {
  std::string id;
  std::string name;
  std::string vendor;
  int year = 0;
  std::optional<double> tdp_w, bf16_tflops, hbm_gb, price_usd, allin_capex_usd, server_power_kw;
  RentalPrices rental_usd_per_gpu_hour;
};

/// A pool: identical GPUs at one site, installed over [in_service, retire).
struct PoolSpec {
  std::string id;
  std::string gpu;
  std::string site;
  std::int64_t count = 0;
  sim::Time in_service{};
  sim::Time retire{};
};

/// A piece of a piecewise-constant arrival rate, in force from `from` on.
struct RateSegment {
  sim::Time from{};
  double per_hour = 0;
};

/// A stream of outside rental requests.
struct RentalSpec {
  std::string id;
  std::vector<RateSegment> arrivals;  // sorted by `from`, first at t=0
  std::shared_ptr<const Distribution> gpus;
  std::shared_ptr<const Distribution> duration_hours;
  double patience_hours = 0;       // 0: lost if not served at once; +inf: waits
  std::vector<std::size_t> pools;  // indices of eligible pools
};

struct Scenario {
  std::string file;
  std::string name;
  Date start{};
  sim::Time horizon{};
  sim::Time warmup{};  // statistics cover [warmup, horizon)
  std::uint64_t seed = 0;
  Period period = Period::month;
  std::map<std::string, GpuType> catalog;
  std::vector<PoolSpec> pools;
  std::vector<RentalSpec> rentals;

  /// Ends of the reporting periods within [warmup, horizon], ascending; the last is horizon.
  std::vector<sim::Time> period_ends() const;
  /// The calendar date of a simulated time (whole days).
  Date date_of(sim::Time t) const;
};

/// Parses a JSON file; malformed JSON becomes a ScenarioError with line and column.
nlohmann::json read_json_file(const std::string& path);

/// Applies `--set /json/pointer=VALUE` overrides; VALUE is JSON, or else a string.
void apply_overrides(nlohmann::json& doc, const std::vector<std::string>& assignments,
                     const std::string& file);

/// Validates and builds a scenario, or throws ScenarioError listing every problem.
Scenario load_scenario(const nlohmann::json& doc, const std::string& file);

/// Reads, overrides and loads in one step.
Scenario load_scenario_file(const std::string& path,
                            const std::vector<std::string>& assignments = {});

/// The built-in accelerator catalog (models/catalog.json, compiled in).
const nlohmann::json& builtin_catalog();

/// The scenario language as JSON Schema.
const nlohmann::json& scenario_schema();

/// "2026-01-01" as a date, or nullopt.
std::optional<Date> parse_date(const std::string& text);
std::string format_date(Date d);

}  // namespace aidc
