#include <fmt/format.h>

#include "aidc/models/distribution.hpp"
#include "commands.hpp"

namespace aidc::cli {

namespace {
template <class T>
void list(const Registry<T>& registry) {
  fmt::print("{} models (chosen with \"{}\"):\n", registry.kind(), registry.selector());
  for (const auto& [name, entry] : registry.entries()) {
    fmt::print("  {:<14} {}\n", name, entry.description);
    for (const auto& p : entry.params) {
      fmt::print(
          "      {:<12} {}{}\n", p.name, p.description,
          p.default_value.empty() ? " (required)" : fmt::format(" (default {})", p.default_value));
    }
  }
}
}  // namespace

void setup_models_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("models", "List the registered models and their parameters");
  cmd->callback([] { list(distributions()); });
}

}  // namespace aidc::cli
