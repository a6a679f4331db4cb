// The entity's statements: interest and debt service on loans raised against purchases, and
// income tax on the whole fleet by fiscal year, with losses carried forward and the deferred
// tax that the difference between book and tax depreciation creates (ASC 740, IAS 12).

#include <algorithm>
#include <chrono>

#include "aidc/finance/capital.hpp"
#include "aidc/finance/finance.hpp"
#include "ledger.hpp"

namespace aidc::finance {

namespace {

Date add_months(Date d, int n) {
  const std::chrono::year_month_day moved = std::chrono::year_month_day{d} + std::chrono::months{n};
  if (moved.ok()) return Date{moved};
  return Date{moved.year() / moved.month() / std::chrono::last};
}

/// Loans: drawn when a purchase's balance is paid, repaid monthly from a month later.
void loans(const Scenario& s, const RunResult& r, Ledger& ledger, FinanceResult& out) {
  const FinanceSpec& f = *s.finance;
  if (!f.financing) return;
  const std::size_t periods = out.entity.size();
  std::vector<double> balance_change(periods, 0.0);
  for (const auto& [drawn, principal] : ledger.borrowings) {
    if (principal <= 0) continue;
    const std::size_t k0 = period_of(ledger, drawn);
    out.entity[k0].debt_drawn += principal;
    balance_change[k0] += principal;
    const Date from = s.date_of(drawn);
    for (const LoanPayment& pay : loan_schedule(principal, f.financing->interest_rate,
                                                f.financing->term_years, f.financing->repayment)) {
      const sim::Time due = time_at(s, add_months(from, pay.month));
      if (due > r.window_end) break;  // still owed at the horizon
      const std::size_t k = period_of(ledger, due);
      out.entity[k].interest += pay.interest;
      out.entity[k].debt_repaid += pay.principal;
      balance_change[k] -= pay.principal;
      ledger.years[f.tax.calendar.year_of(s.date_of(due))].interest += pay.interest;
    }
  }
  double balance = 0;
  for (std::size_t k = 0; k < periods; ++k) {
    balance += balance_change[k];
    out.entity[k].debt_outstanding = balance;
  }
}

/// Where and when a fiscal year's tax is paid: in the period in which the year ends, or in
/// four equal instalments at its quarter ends. Dates after the window fall on its end; dates
/// before it are dropped.
std::vector<sim::Time> payment_dates(const Scenario& s, const RunResult& r, int fiscal_year) {
  const TaxSpec& tax = s.finance->tax;
  std::vector<sim::Time> dates;
  const int count = tax.payments == TaxPayments::quarterly ? 4 : 1;
  for (int q = 5 - count; q <= 4; ++q) {
    const sim::Time t = time_at(s, tax.calendar.quarter_end(fiscal_year, q));
    if (t <= r.window_begin) continue;
    dates.push_back(std::min(t, r.window_end));
  }
  return dates;
}

}  // namespace

void entity_statements(const Scenario& s, const RunResult& r, Ledger& ledger, FinanceResult& out) {
  const FinanceSpec& f = *s.finance;
  const double rate = f.tax.rate;
  out.entity.assign(ledger.period_ends.size(), Statement{});
  if (out.entity.empty()) return;
  loans(s, r, ledger, out);

  std::vector<TaxYearInput> levered, unlevered;
  for (const auto& [year, items] : ledger.years) {
    const double before_interest = items.ebitda + items.tax_gain - items.tax_depreciation;
    levered.push_back({year, before_interest - items.interest});
    unlevered.push_back({year, before_interest});
  }
  const auto taxed = tax_by_year(levered, f.tax);
  const auto taxed_unlevered = tax_by_year(unlevered, f.tax);
  // The net deferred tax liability: the rate times book value less tax basis, less the rate
  // times the losses carried forward (recognized in full: no valuation allowance).
  double liability = rate * (out.opening_net_book_value - out.opening_tax_basis) -
                     rate * f.tax.opening_loss_carryforward_usd;
  std::vector<std::pair<std::size_t, std::pair<double, double>>> stocks;  // period, (DTL, NOL)
  std::size_t i = 0;
  for (const auto& [year, items] : ledger.years) {
    const TaxYearResult& t = taxed[i];
    const TaxYearResult& u = taxed_unlevered[i];
    ++i;
    Statement& at_end = out.entity[period_of(ledger, items.end)];
    at_end.current_tax += t.tax;
    const double end_liability =
        rate * (items.book_value_end - items.tax_basis_end) - rate * t.loss_carryforward;
    at_end.deferred_tax += end_liability - liability;
    liability = end_liability;
    stocks.push_back({period_of(ledger, items.end), {liability, t.loss_carryforward}});
    const auto dates = payment_dates(s, r, year);
    for (const sim::Time d : dates) {
      Statement& paid = out.entity[period_of(ledger, d)];
      paid.tax_paid += t.tax / static_cast<double>(dates.size());
      paid.unlevered_tax_paid += u.tax / static_cast<double>(dates.size());
    }
  }
  // Stocks by period: those of the last fiscal year ended by then, else the opening ones.
  double dtl = rate * (out.opening_net_book_value - out.opening_tax_basis) -
               rate * f.tax.opening_loss_carryforward_usd;
  double nol = f.tax.opening_loss_carryforward_usd;
  std::size_t next = 0;
  for (std::size_t k = 0; k < out.entity.size(); ++k) {
    while (next < stocks.size() && stocks[next].first <= k) {
      dtl = stocks[next].second.first;
      nol = stocks[next].second.second;
      ++next;
    }
    out.entity[k].deferred_tax_liability = dtl;
    out.entity[k].loss_carryforward = nol;
  }
}

}  // namespace aidc::finance
