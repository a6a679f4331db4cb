#include "aidc/sim/engine.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace aidc::sim {

namespace {
constexpr std::size_t kArity = 4;   // a 4-ary heap halves the depth of a binary one
constexpr int kPriorityShift = 62;  // kSeqBits + kSlotBits
}  // namespace

void Engine::check_not_past(Time at) const {
  if (at < now_) {
    throw std::logic_error(fmt::format("cannot schedule an event at t={} s, before now (t={} s)",
                                       at.seconds, now_.seconds));
  }
}

void Engine::check_sequence() const {
  if (next_seq_ >> kSeqBits) {
    throw std::length_error(fmt::format("more than 2^{} events scheduled in one run", kSeqBits));
  }
}

std::uint64_t Engine::next_key(std::uint64_t priority_bits, std::uint32_t slot) {
  static_assert(kPriorityShift == kSeqBits + kSlotBits);
  return priority_bits | (next_seq_++ << kSlotBits) | slot;
}

std::uint32_t Engine::bump(std::uint32_t generation) {
  ++generation;
  if (generation == 0) ++generation;  // keep 0 as "no event"
  return generation;
}

EventId Engine::schedule_at(Time at, Action action, Priority priority) {
  check_not_past(at);
  check_sequence();
  std::uint32_t slot;
  if (free_slots_.empty()) {
    if (slots_.size() > kSlotMask) {
      throw std::length_error(fmt::format("more than {} events pending at once", kSlotMask + 1));
    }
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
    heap_pos_.push_back(kNotPending);
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  const std::uint64_t key = next_key(static_cast<std::uint64_t>(priority) << kPriorityShift, slot);
  Slot& s = slots_[slot];
  s.action = action;
  s.generation = bump(s.generation);
  heap_.push_back(Entry{});
  sift_up(heap_.size() - 1, Entry{at.seconds, key});
  return EventId{slot, s.generation};
}

bool Engine::is_pending(EventId id) const {
  return id.generation != 0 && id.slot < slots_.size() && heap_pos_[id.slot] != kNotPending &&
         slots_[id.slot].generation == id.generation;
}

void Engine::cancel(EventId id) {
  if (!is_pending(id)) return;
  remove_at(heap_pos_[id.slot]);
  heap_pos_[id.slot] = kNotPending;
  free_slots_.push_back(id.slot);
}

EventId Engine::reschedule(EventId id, Time at) {
  if (!is_pending(id)) {
    throw std::logic_error(
        fmt::format("cannot reschedule event (slot {}, generation {}): it is not pending", id.slot,
                    id.generation));
  }
  check_not_past(at);
  check_sequence();
  const std::size_t pos = heap_pos_[id.slot];
  const std::uint64_t priority_bits = heap_[pos].key & (std::uint64_t{3} << kPriorityShift);
  const Entry e{at.seconds, next_key(priority_bits, id.slot)};
  Slot& s = slots_[id.slot];
  s.generation = bump(s.generation);
  place(pos, e);
  return EventId{id.slot, s.generation};
}

// Puts `e` at index `at`, whose old entry is gone, and restores the heap order.
void Engine::place(std::size_t at, Entry e) {
  if (at > 0 && before(e, heap_[(at - 1) / kArity])) {
    sift_up(at, e);
  } else {
    sift_down(at, e);
  }
}

void Engine::sift_up(std::size_t hole, Entry e) {
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!before(e, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    heap_pos_[slot_of(heap_[hole])] = static_cast<std::uint32_t>(hole);
    hole = parent;
  }
  heap_[hole] = e;
  heap_pos_[slot_of(e)] = static_cast<std::uint32_t>(hole);
}

// Bottom-up: walks the hole down along the smallest children to a leaf, then sifts `e` up
// from there, no higher than where it started. `e` (the heap's last entry when popping)
// nearly always belongs near the bottom, so this saves one comparison per level over the
// textbook sift-down.
void Engine::sift_down(std::size_t hole, Entry e) {
  const std::size_t start = hole;
  const std::size_t n = heap_.size();
  for (;;) {
    const std::size_t first = hole * kArity + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t end = first + kArity < n ? first + kArity : n;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    heap_[hole] = heap_[best];
    heap_pos_[slot_of(heap_[hole])] = static_cast<std::uint32_t>(hole);
    hole = best;
  }
  while (hole > start) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!before(e, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    heap_pos_[slot_of(heap_[hole])] = static_cast<std::uint32_t>(hole);
    hole = parent;
  }
  heap_[hole] = e;
  heap_pos_[slot_of(e)] = static_cast<std::uint32_t>(hole);
}

// Removes the entry at index `at`; the caller marks its slot.
void Engine::remove_at(std::size_t at) {
  const Entry last = heap_.back();
  heap_.pop_back();
  if (at < heap_.size()) place(at, last);
}

void Engine::run_top() {
  const Entry e = heap_.front();
  remove_at(0);
  const std::uint32_t slot = slot_of(e);
  heap_pos_[slot] = kNotPending;
  free_slots_.push_back(slot);
  const Action action = slots_[slot].action;  // copied: the action may grow slots_
  now_ = Time{e.time};
  ++processed_;
  try {
    action(*this);
  } catch (const std::exception& ex) {
    // Failures are never swallowed; they leave the loop with the event time attached.
    std::throw_with_nested(
        std::runtime_error(fmt::format("in the event at t={} s: {}", e.time, ex.what())));
  }
}

bool Engine::step() {
  if (heap_.empty()) return false;
  run_top();
  return true;
}

void Engine::run_until(Time end) {
  while (!heap_.empty() && heap_.front().time < end.seconds) run_top();
  if (now_ < end) now_ = end;
}

}  // namespace aidc::sim
