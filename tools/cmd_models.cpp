#include <fmt/format.h>

#include "aidc/demand/demand.hpp"
#include "aidc/depreciation/depreciation.hpp"
#include "aidc/distribution/distribution.hpp"
#include "aidc/pricing/pricing.hpp"
#include "commands.hpp"

namespace aidc::cli {

namespace {
template <class T>
void list(const char* title, const Registry<T>& registry) {
  fmt::print("{} (chosen with \"{}\"):\n", title, registry.selector());
  for (const auto& [name, entry] : registry.entries()) {
    fmt::print("  {:<22} {}\n", name, entry.description);
    for (const auto& p : entry.params) {
      fmt::print(
          "      {:<24} {}{}\n", p.name, p.description,
          p.default_value.empty() ? " (required)" : fmt::format(" (default {})", p.default_value));
    }
  }
}
/// The named definitions of the finance section (docs/models.md has each formula).
void finance_choices() {
  fmt::print("finance definitions (chosen in \"finance\"):\n");
  const std::pair<const char*, const char*> choices[] = {
      {"tax",
       "income tax by fiscal year on the fleet: rate, fiscal_year_end_month (12), "
       "depreciation (macrs), loss_offset_limit (0.8), loss_carryforward_years (never), "
       "opening_loss_carryforward_usd (0), payments: annual | quarterly"},
      {"opening_value",
       "the fleet bought before the start, at the window's opening: resale "
       "(default) | sunk | book"},
      {"terminal_value",
       "the fleet owned at the horizon: resale (default) | none | book | "
       "{\"method\": \"going_concern\", \"growth_rate\": g}"},
      {"impairment", "{\"standard\": none (default) | us_gaap | ifrs, \"utilization\": u}"},
      {"idle_power_fraction",
       "an idle GPU's share of its busy server power, for every type; absent: each type's "
       "server_idle_power_kw from the catalog"},
      {"resale", "used-GPU price curves by type: {\"initial_share\", \"decline_per_year\"}"},
      {"financing",
       "{\"debt_fraction\", \"interest_rate\", \"term_years\", \"repayment\": "
       "annuity | straight}"},
      {"deposit_fraction", "share of a purchase's capex paid when ordered (0)"},
      {"utilization_before_window",
       "busy share assumed for units_of_production pools "
       "in service before the window"},
  };
  for (const auto& [key, text] : choices) fmt::print("  {:<26} {}\n", key, text);
}

}  // namespace

void setup_models_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("models", "List the registered models and their parameters");
  cmd->callback([] {
    list("distributions", distributions());
    fmt::print("\n");
    list("demand trends", trend_models());
    fmt::print("\n");
    list("depreciation models", depreciation_models());
    fmt::print("\n");
    list("pricing models", pricing_models());
    fmt::print("\n");
    finance_choices();
  });
}

}  // namespace aidc::cli
