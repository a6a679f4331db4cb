#include <fmt/format.h>

#include "aidc/models/demand.hpp"
#include "aidc/models/depreciation.hpp"
#include "aidc/models/distribution.hpp"
#include "aidc/models/pricing.hpp"
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
  });
}

}  // namespace aidc::cli
