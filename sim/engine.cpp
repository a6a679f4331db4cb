#include "aidc/sim/engine.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace aidc::sim {

namespace {
constexpr std::size_t kArity = 4;  // a 4-ary heap halves the depth of a binary one
}

EventId Engine::schedule_at(Time at, Action action, Priority priority) {
  if (at < now_) {
    throw std::logic_error(fmt::format("cannot schedule an event at t={} s, before now (t={} s)",
                                       at.seconds, now_.seconds));
  }
  std::uint32_t slot;
  if (free_slots_.empty()) {
    if (slots_.size() > kSlotMask) {
      throw std::length_error(fmt::format("more than {} events pending at once", kSlotMask + 1));
    }
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Slot& s = slots_[slot];
  s.action = action;
  s.live = true;
  ++s.generation;
  if (s.generation == 0) ++s.generation;  // keep 0 as "no event"
  if (next_seq_ >> kSeqBits) {
    throw std::length_error(fmt::format("more than 2^{} events scheduled in one run", kSeqBits));
  }
  const std::uint64_t key = (static_cast<std::uint64_t>(priority) << (kSeqBits + kSlotBits)) |
                            (next_seq_++ << kSlotBits) | slot;
  push(Entry{at.seconds, key});
  return EventId{slot, s.generation};
}

bool Engine::is_pending(EventId id) const {
  return id.generation != 0 && id.slot < slots_.size() && slots_[id.slot].live &&
         slots_[id.slot].generation == id.generation;
}

void Engine::cancel(EventId id) {
  if (!is_pending(id)) return;
  Slot& s = slots_[id.slot];
  s.live = false;
  ++cancelled_pending_;
}

void Engine::push(Entry e) {
  std::size_t hole = heap_.size();
  heap_.push_back(e);
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!before(e, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = e;
}

Engine::Entry Engine::pop() {
  const Entry top = heap_.front();
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return top;
  // Bottom-up: walk the hole down along the smallest children to a leaf, then sift
  // `last` up from there. `last` nearly always belongs near the bottom, so this saves
  // one comparison per level over the textbook sift-down.
  std::size_t hole = 0;
  for (;;) {
    const std::size_t first = hole * kArity + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t end = first + kArity < n ? first + kArity : n;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    heap_[hole] = heap_[best];
    hole = best;
  }
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!before(last, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = last;
  return top;
}

bool Engine::run_top() {
  const Entry e = pop();
  const std::uint32_t slot = slot_of(e);
  Slot& s = slots_[slot];
  free_slots_.push_back(slot);
  if (!s.live) {
    --cancelled_pending_;
    return false;
  }
  s.live = false;
  const Action action = s.action;  // copied: the action may grow slots_
  now_ = Time{e.time};
  ++processed_;
  try {
    action(*this);
  } catch (const std::exception& ex) {
    // Failures are never swallowed; they leave the loop with the event time attached.
    std::throw_with_nested(
        std::runtime_error(fmt::format("in the event at t={} s: {}", e.time, ex.what())));
  }
  return true;
}

bool Engine::step() {
  while (!heap_.empty()) {
    if (run_top()) return true;
  }
  return false;
}

void Engine::run_until(Time end) {
  while (!heap_.empty() && heap_.front().time < end.seconds) run_top();
  if (now_ < end) now_ = end;
}

}  // namespace aidc::sim
