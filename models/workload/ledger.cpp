// The ledger: GPU-seconds by pool, state and class into reporting rows (one per period and
// pool) and segments (the rows cut where a price steps or a fiscal year ends). Periods close
// at `accounting` priority, after the other events of their instant.

#include <algorithm>

#include "kernel.hpp"

namespace aidc::kernel {

void Ledger::start() {
  const Scenario& s = k_.scenario;
  if (s.warmup.seconds > 0) {
    k_.engine.schedule_at(
        s.warmup, [this](Engine&) { open_window(); }, Priority::accounting);
  }
  const auto ends = s.period_ends();
  for (std::size_t i = 0; i + 1 < ends.size(); ++i) {
    k_.engine.schedule_at(
        ends[i], [this](Engine&) { close_period(); }, Priority::accounting);
  }
  for (const Time t : s.cuts) {
    if (std::find(ends.begin(), ends.end(), t) != ends.end()) continue;
    k_.engine.schedule_at(
        t, [this](Engine&) { cut(); }, Priority::accounting);
  }
}

void Ledger::open_window() {
  for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
    k_.fleet[p].advance(k_.now());
    k_.fleet[p].acc = {};
  }
  for (const auto& w : k_.workloads()) w->open_window();
  period_begin_ = k_.now();
  segment_begin_ = k_.now();
}

void Ledger::close_period() {
  for (const auto& w : k_.workloads()) w->before_cut(true);
  segment_rows();
  for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
    k_.result.rows.push_back(
        PeriodRow{period_index_, Time{period_begin_}, Time{k_.now()}, p, period_acc_[p], 0});
    period_acc_[p] = {};
  }
  ++period_index_;
  period_begin_ = k_.now();
  segment_begin_ = k_.now();
}

void Ledger::cut() {
  for (const auto& w : k_.workloads()) w->before_cut(false);
  segment_rows();
}

void Ledger::segment_rows() {
  for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
    Pool& pool = k_.fleet[p];
    pool.advance(k_.now());
    const std::size_t row = period_index_ * k_.fleet.size() + p;
    k_.result.segments.push_back(
        PeriodRow{period_index_, Time{segment_begin_}, Time{k_.now()}, p, pool.acc, row});
    period_acc_[p] += pool.acc;
    pool.acc = {};
  }
  segment_begin_ = k_.now();
}

}  // namespace aidc::kernel
