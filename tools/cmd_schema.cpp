#include <fmt/format.h>

#include "aidc/scenario/scenario.hpp"
#include "commands.hpp"

namespace aidc::cli {

void setup_schema_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("schema", "Print the scenario language as JSON Schema");
  cmd->callback([] { fmt::print("{}\n", scenario_schema().dump(2)); });
}

}  // namespace aidc::cli
