#pragma once
/// A scenario as the simulation sees it: validated, with dates turned into
/// simulated time and models built. Loading reports every problem at once.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aidc/distribution/distribution.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/work_class.hpp"
#include "aidc/sim/time.hpp"

namespace aidc {

using Date = std::chrono::sys_days;

enum class Period { day, week, month, quarter, year };

/// "training", "inference", ... as written in scenarios and outputs (kWorkClasses).
inline const char* class_name(WorkClass c) { return info(c).name.data(); }

/// Rental list prices of one accelerator type, USD per GPU-hour; unset when unknown.
struct RentalPrices {
  std::optional<double> on_demand, reserved, spot;
};

/// What a used GPU resells for, as a share of its new price (the pool's capex per GPU):
///   share(age) = initial_share x (1 - decline_per_year)^age, age in years of 365.25 days.
struct ResaleCurve {
  double initial_share = 1;
  double decline_per_year = 0;
};

/// One accelerator type of the catalog.
struct GpuType {
  std::string id;
  std::string name;
  std::string vendor;
  int year = 0;
  std::optional<double> tdp_w, bf16_tflops, hbm_gb;
  /// The GPU alone, and per GPU its server, network share and installation (no building).
  std::optional<double> price_usd, allin_capex_usd;
  /// Power per GPU at the server, before PUE: busy and idle.
  std::optional<double> server_power_kw, server_idle_power_kw;
  RentalPrices rental_usd_per_gpu_hour;
  /// Work per GPU-hour relative to an H100 (default: BF16 TFLOPS / 989).
  double training_factor = 1.0;
  double inference_factor = 1.0;
  /// Mean time between GPU failures; unset: this type does not fail.
  std::optional<double> mtbf_hours;
  double repair_hours = 0;
  /// The used-GPU price curve; unset when the catalog gives none.
  std::optional<ResaleCurve> resale;
};

/// The catalog's list price of an hour of `g` for class c: `spot` pays the spot price and
/// `reserved` the reserved price, each else the on-demand price; every other class the
/// on-demand price; 0 when the catalog has none.
inline double list_price(const GpuType& g, WorkClass c) {
  const auto& r = g.rental_usd_per_gpu_hour;
  switch (c) {
    case WorkClass::spot:
      return r.spot.value_or(r.on_demand.value_or(0.0));
    case WorkClass::reserved:
      return r.reserved.value_or(r.on_demand.value_or(0.0));
    default:
      return r.on_demand.value_or(0.0);
  }
}

/// A pool: identical GPUs at one site, installed over [in_service, retire).
struct PoolSpec {
  std::string id;
  std::string gpu;
  std::string site;
  std::int64_t count = 0;
  sim::Time in_service{};
  sim::Time retire{};
  /// When it was put in service, before the clamp to the start: negative for a pool already
  /// in service at the start. Ages (for depreciation) count from here.
  sim::Time acquired{};
  /// When it was ordered: a purchase's `ordered` date; for a pool, `acquired`.
  sim::Time ordered{};
};

/// A site: where pools stand, with an optional power budget at the meter.
struct SiteSpec {
  std::string id;
  std::optional<double> power_mw;  // the budget; unset: none
  std::optional<double> pue;       // the site's PUE, to turn megawatts into GPUs
  /// The most its pools in service at once draw at full load (server power x PUE, or 1
  /// without a PUE), when and from which pools.
  double peak_mw = 0;
  sim::Time peak_at{};
  std::vector<std::string> peak_pools;
};

/// A piece of a piecewise-constant arrival rate, in force from `from` on.
struct RateSegment {
  sim::Time from{};
  double per_hour = 0;
};

/// A stream of requests for GPUs: outside rentals, or internal experiment jobs.
struct RentalSpec {
  std::string id;
  std::string pointer;  // where the file states it (the lists are kept in id order)
  WorkClass work_class = WorkClass::on_demand;
  /// Replayed jobs (hours since start, GPUs, duration hours) instead of random arrivals.
  struct TraceJob {
    double submit_hours;
    std::int64_t gpus;
    double duration_hours;
  };
  std::vector<TraceJob> trace;
  std::vector<RateSegment> arrivals;  // sorted by `from`, first at t=0
  std::shared_ptr<const Distribution> gpus;
  std::shared_ptr<const Distribution> duration_hours;
  double patience_hours = 0;  // 0: lost if not served at once; +inf: waits
  /// When set, each request draws its own patience in hours (`patience_hours` is its mean).
  std::shared_ptr<const Distribution> patience;
  std::vector<std::size_t> pools;  // indices of eligible pools
};

/// A reserved contract: a fixed number of GPUs for a term, never preempted. Its price is set
/// when it is booked, for the term signed, and held for the term; an indexed contract instead
/// pays the price in force.
struct ContractSpec {
  std::string id;
  std::string pointer;  // where the file states it (the lists are kept in id order)
  std::int64_t gpus = 0;
  sim::Time begin{};          // its start, or the run's start when it began before
  sim::Time end{};            // the end of its first term
  sim::Time booked{};         // when it was signed and priced (negative: before the run's start)
  double term_days = 0;       // the term signed
  std::int64_t renewals = 0;  // further terms of the same length, each priced at renewal
  bool indexed = false;
  std::vector<std::size_t> pools;  // eligible pools
};

/// A training campaign: a gang that needs all of its GPUs at once.
struct CampaignSpec {
  std::string id;
  std::string pointer;  // where the file states it (the lists are kept in id order)
  std::int64_t gpus = 0;
  double gpu_hours = 0;  // work, in H100-equivalent GPU-hours
  sim::Time earliest_start{};
  std::vector<std::size_t> after;  // campaigns that must finish first
  std::vector<std::size_t> pools;  // eligible pools (its "pools" and "gpu_types" both allow)
  int priority = 0;                // among campaigns: lower goes first; ties by id
  double checkpoint_hours = 1;     // compute between checkpoints
  double restart_hours = 0.5;
  /// Time to write a checkpoint, during which the gang makes no progress.
  double checkpoint_write_hours = 0;
  /// Of the work since the last checkpoint, the share a failure loses (1: the whole gang
  /// restarts from the checkpoint; less with in-memory or partial restart).
  double restart_scope = 1;
  /// Hot spares held beside the gang: a failed GPU is swapped for one at once.
  std::int64_t spares = 0;
};

class DemandCurve;
class PricingModel;
struct FinanceSpec;

/// Inference demand: the operator's own (class `inference`, in H100-equivalent GPUs) or
/// model access sold to outside customers by the token (class `api`, in tokens per second).
struct InferenceSpec {
  std::string id;
  std::string pointer;  // where the file states it (the lists are kept in id order)
  WorkClass work_class = WorkClass::inference;  // inference or api
  std::shared_ptr<const DemandCurve> demand;
  /// inference: converts the curve's unit to H100-equivalent GPUs; api: 1 (tokens/s)
  double gpus_per_unit = 1;
  /// Tokens per second one GPU serves, by GPU type id (api: every eligible type).
  std::map<std::string, double> tokens_per_second_per_gpu;
  /// api: the share of tokens that are output (the rest are input).
  double output_share = 0;
  /// api: the share of demand the service must serve; unset: none stated.
  std::optional<double> service_objective;
  std::vector<std::size_t> pools;
};

/// Output tokens are 1 / (1 + 9.33) of all tokens in the Azure LLM inference trace of 2023
/// (sum of input / sum of output tokens = 9.33; Patel et al., "Splitwise", ISCA 2024): the
/// default output share of model access and of a token price per GPU-hour.
inline constexpr double kAzureOutputTokenShare = 1.0 / 10.33;

/// How classes share the fleet.
struct PolicySpec {
  std::vector<WorkClass> order{WorkClass::training, WorkClass::inference,   WorkClass::api,
                               WorkClass::reserved, WorkClass::experiments, WorkClass::on_demand,
                               WorkClass::spot};
  /// Whether the scenario ranked each class (without an `order`, the default ranks them all).
  ClassFlags order_listed = [] {
    ClassFlags all{};
    all.fill(true);
    return all;
  }();
  std::array<std::vector<std::string>, kClassCount> gpu_types;  // empty: every type
  double reserve_fraction = 0;  // of each pool, held back for the classes below
  /// The classes that may use the reserve: the internal ones unless the policy says.
  ClassFlags may_use_reserve = class_flags(&WorkClassInfo::internal);
  /// The largest share of each pool's installed GPUs a job-stream class may hold (1: no cap).
  std::array<double, kClassCount> max_share = [] {
    std::array<double, kClassCount> all{};
    all.fill(1.0);
    return all;
  }();
  ClassFlags preemptible = class_flags(&WorkClassInfo::preemptible);
  double spot_notice_hours = 0;
  double reconcile_hours = 1;
  /// Rank of a class in `order` (0 first).
  int rank(WorkClass c) const;
  bool allows(WorkClass c, const std::string& gpu) const;
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
  std::vector<SiteSpec> sites;      // fleet.sites, in id order
  std::vector<RentalSpec> rentals;  // rentals and experiment streams
  std::vector<ContractSpec> contracts;
  std::vector<CampaignSpec> campaigns;
  std::vector<InferenceSpec> inference;
  PolicySpec policy;
  std::shared_ptr<const FinanceSpec> finance;  // null: no statements
  /// The pricing models of `finance.prices`, by class: the simulation quotes the ones that
  /// set a price when the work starts.
  std::array<std::shared_ptr<const PricingModel>, kClassCount> quotes;
  /// Where the accounting is cut besides period ends, so that each piece has one price and
  /// one fiscal year (from `finance`), ascending within (warmup, horizon).
  std::vector<sim::Time> cuts;

  /// Ends of the reporting periods within [warmup, horizon], ascending; the last is horizon.
  std::vector<sim::Time> period_ends() const;
  /// The calendar date of a simulated time (whole days).
  Date date_of(sim::Time t) const;
  /// Whether it sells model access by the token (an inference workload of class `api`).
  bool sells_tokens() const {
    return std::any_of(inference.begin(), inference.end(),
                       [](const InferenceSpec& k) { return k.work_class == WorkClass::api; });
  }
};

/// Parses a JSON file; malformed JSON becomes a ScenarioError with line and column.
nlohmann::json read_json_file(const std::string& path);

/// Applies `--set /json/pointer=VALUE` overrides; VALUE is JSON, or else a string.
void apply_overrides(nlohmann::json& doc, const std::vector<std::string>& assignments,
                     const std::string& file);

/// Validates and builds a scenario, or throws ScenarioError listing every problem.
Scenario load_scenario(const nlohmann::json& doc, const std::string& file);

/// Valid input that is probably not what the user meant (a stream named for another class
/// than it is billed as; facility or maintenance costs left at zero), as "warning: ..."
/// diagnostics of `doc`'s file. `aidc validate` prints them and exits 0.
std::vector<Diagnostic> scenario_warnings(const nlohmann::json& doc, const Scenario& s);

/// The events a run of `s` will process, estimated before it starts (arrivals x 3, plus the
/// reconcile steps), and the limit `aidc run` keeps to unless --force is given.
double estimated_events(const Scenario& s);
/// 300 times the largest shipped scenario (1.7e6 events): about a minute, and 1-2 GB for
/// the requests' wait records (8 bytes each) and queues.
inline constexpr double kMaxEstimatedEvents = 5e8;
/// Throws ScenarioError when estimated_events(s) exceeds `limit`.
void check_event_budget(const Scenario& s, double limit = kMaxEstimatedEvents);

/// Reads, overrides and loads in one step.
Scenario load_scenario_file(const std::string& path,
                            const std::vector<std::string>& assignments = {});

/// The built-in accelerator catalog (models/catalog.json, compiled in).
const nlohmann::json& builtin_catalog();

/// The scenario language as JSON Schema.
const nlohmann::json& scenario_schema();

/// The date (YYYY-MM-DD) at `key`; nullopt, with a recorded problem, when it is malformed or
/// when it is missing and `required`.
std::optional<Date> read_date(const ParamReader& r, std::string_view key, bool required = false);

/// One entry of a dated list: a value in force from a date on.
struct DatedValue {
  Date from{};
  double value = 0;
};

/// Reads [{"from": date, value_key: x, ...}, ...] under `key`, with dates strictly increasing;
/// `extra_keys` (labels, descriptions) are allowed and ignored. Entries with a bad date are
/// left out, with their problems recorded.
std::vector<DatedValue> read_dated_values(const ParamReader& r, std::string_view key,
                                          const std::string& value_key, Bound bound,
                                          const std::vector<std::string>& extra_keys = {});

/// "2026-01-01" as a date, or nullopt.
std::optional<Date> parse_date(const std::string& text);
std::string format_date(Date d);

}  // namespace aidc
