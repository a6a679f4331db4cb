// Reserved contracts priced as the market signs them, against hand-worked revenue: by the term
// signed (not what is left inside the run), when booked (a capacity block booked before a price
// rise keeps the old price), renewed at the market price in force at renewal, or indexed.

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <string>

#include "finance_support.hpp"

namespace {

using aidc::WorkClass;
using aidc::test::run_finance;
constexpr std::size_t kContractClass = aidc::index(WorkClass::reserved);

/// 10 H100s for `days` days from 2026-01-01, all under one contract, priced by `prices`.
double reserved_revenue(const std::string& contract, const std::string& prices, int days = 20) {
  const auto run = run_finance(fmt::format(
      R"({{"name": "c", "start": "2026-01-01", "horizon": "{}d", "period": "day",
      "fleet": {{"pools": [{{"id": "h", "gpu": "H100", "count": 10}}]}},
      "workloads": {{"contracts": [{}]}},
      "finance": {{"prices": {{"reserved": {}}}}}}})",
      days, contract, prices));
  return run.f.total.revenue[kContractClass];
}

const std::string kStep = R"({"model": "schedule", "usd_per_gpu_hour": 2.0,
  "changes": [{"from": "2026-01-11", "factor": 1.15, "label": "+15%"}]})";

}  // namespace

TEST_CASE("A contract signed before the run is priced by the term signed", "[contracts]") {
  // Signed 2025-07-01 for 365 days: 30% off for a year or more, though 181 days remain.
  const std::string discounts = R"({"model": "reserved", "usd_per_gpu_hour": 3.0,
    "discounts": [{"min_term_days": 180, "discount": 0.1},
                  {"min_term_days": 365, "discount": 0.3}]})";
  const double revenue = reserved_revenue(
      R"({"id": "k", "gpus": 10, "start": "2025-07-01", "term_days": 365})", discounts);
  CHECK(revenue == Approx(10 * 20 * 24 * 3.0 * 0.7).epsilon(1e-12));
}

TEST_CASE("A capacity block is priced when booked and held for its term", "[contracts]") {
  // Booked on 2025-12-01, before the +15% of 2026-01-11: 2.00 for all 20 days.
  CHECK(reserved_revenue(R"({"id": "k", "gpus": 10, "start": "2026-01-01", "term_days": 20,
          "booked": "2025-12-01"})",
                         kStep) == Approx(10 * 20 * 24 * 2.0).epsilon(1e-12));
  // Booked when it starts (the default), before the rise: the same.
  CHECK(reserved_revenue(R"({"id": "k", "gpus": 10, "start": "2026-01-01", "term_days": 20})",
                         kStep) == Approx(10 * 20 * 24 * 2.0).epsilon(1e-12));
  // Indexed: it pays the price in force, 10 days at 2.00 and 10 at 2.30.
  CHECK(reserved_revenue(R"({"id": "k", "gpus": 10, "start": "2026-01-01", "term_days": 20,
          "price": "indexed"})",
                         kStep) == Approx(10 * 10 * 24 * (2.0 + 2.3)).epsilon(1e-12));
}

TEST_CASE("A renewed contract pays the market price in force at renewal", "[contracts]") {
  // A 10-day term renewed once on 2026-01-11, when the +15% is in force: 2.00 then 2.30.
  CHECK(reserved_revenue(R"({"id": "k", "gpus": 10, "start": "2026-01-01", "term_days": 10,
          "renewals": 1})",
                         kStep, 30) == Approx(10 * 10 * 24 * (2.0 + 2.3)).epsilon(1e-12));
  // Renewed twice over 30 days: a third term at 2.30 too.
  CHECK(reserved_revenue(R"({"id": "k", "gpus": 10, "start": "2026-01-01", "term_days": 10,
          "renewals": 2})",
                         kStep, 30) == Approx(10 * 10 * 24 * (2.0 + 2.3 + 2.3)).epsilon(1e-12));
}

TEST_CASE("A contract booked after it starts is refused", "[contracts]") {
  CHECK_THROWS_WITH(reserved_revenue(R"({"id": "k", "gpus": 10, "start": "2026-01-01",
          "term_days": 10, "booked": "2026-01-02"})",
                                     kStep),
                    Catch::Contains("/workloads/contracts/0/booked") &&
                        Catch::Contains("expected on or before the start"));
}
