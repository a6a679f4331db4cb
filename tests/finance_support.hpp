#pragma once
// What the finance tests share: a scenario given as JSON text, simulated once, with its
// statements.

#include <nlohmann/json.hpp>
#include <string>

#include "aidc/finance/finance.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"

namespace aidc::test {

struct FinanceRun {
  Scenario s;
  RunResult r;
  FinanceResult f;
};

/// Loads `text` as the scenario file `file`, simulates replication 0 and computes its
/// statements.
inline FinanceRun run_finance(const std::string& text, const std::string& file = "fin.json") {
  FinanceRun out{load_scenario(nlohmann::json::parse(text), file), {}, {}};
  out.r = simulate(out.s);
  out.f = compute_finance(out.s, out.r);
  return out;
}

}  // namespace aidc::test
