#include "aidc/sim/engine.hpp"

#include <fmt/format.h>

#include <bit>
#include <stdexcept>

namespace aidc::sim {

namespace {
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
    where_.push_back(Where{kNotPending, 0});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  const std::uint64_t key = next_key(static_cast<std::uint64_t>(priority) << kPriorityShift, slot);
  Slot& s = slots_[slot];
  s.action = action;
  s.generation = bump(s.generation);
  insert(Entry{at.seconds, key});
  ++size_;
  return EventId{slot, s.generation};
}

bool Engine::is_pending(EventId id) const {
  return id.generation != 0 && id.slot < slots_.size() && where_[id.slot].bucket != kNotPending &&
         slots_[id.slot].generation == id.generation;
}

void Engine::cancel(EventId id) {
  if (!is_pending(id)) return;
  erase(id.slot);
  --size_;
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
  const Where w = where_[id.slot];
  const std::uint64_t priority_bits =
      buckets_[w.bucket][w.index].key & (std::uint64_t{3} << kPriorityShift);
  erase(id.slot);
  insert(Entry{at.seconds, next_key(priority_bits, id.slot)});
  Slot& s = slots_[id.slot];
  s.generation = bump(s.generation);
  return EventId{id.slot, s.generation};
}

// Adds `e` (e.time >= base_) to its bucket: the index of the highest bit where its time
// differs from base_, plus one; 0 for base_ itself.
void Engine::insert(Entry e) {
  const auto diff = static_cast<std::uint64_t>(e.time ^ base_);
  if (diff == 0) {
    buckets_[0].push_back(e);
    current_sift_up(buckets_[0].size() - 1, e);
    return;
  }
  const auto b = static_cast<std::uint32_t>(64 - std::countl_zero(diff));
  std::vector<Entry>& bucket = buckets_[b];
  where_[slot_of(e)] = Where{b, static_cast<std::uint32_t>(bucket.size())};
  bucket.push_back(e);
  occupied_ |= std::uint64_t{1} << (b - 1);
}

// Takes the slot's entry out of its bucket and marks the slot not pending.
void Engine::erase(std::uint32_t slot) {
  const Where w = where_[slot];
  where_[slot].bucket = kNotPending;
  if (w.bucket == 0) {
    current_remove_at(w.index);
    return;
  }
  std::vector<Entry>& bucket = buckets_[w.bucket];
  const Entry last = bucket.back();
  bucket.pop_back();
  if (w.index < bucket.size()) {
    bucket[w.index] = last;
    where_[slot_of(last)].index = w.index;
  }
  if (bucket.empty()) occupied_ &= ~(std::uint64_t{1} << (w.bucket - 1));
}

// The lowest non-empty bucket above 0; some bucket above 0 must hold entries.
std::uint32_t Engine::lowest_bucket() const {
  return static_cast<std::uint32_t>(std::countr_zero(occupied_) + 1);
}

std::int64_t Engine::earliest_in(std::uint32_t bucket) const {
  const std::vector<Entry>& entries = buckets_[bucket];
  std::int64_t earliest = entries.front().time;
  for (const Entry& e : entries) earliest = e.time < earliest ? e.time : earliest;
  return earliest;
}

// Makes `base` (the earliest time in `bucket`, bucket 0 being empty) the new base_ and
// moves the bucket's entries down. Every entry of the bucket agrees with `base` on the
// bits above bit bucket - 1 and on that bit, so each lands in a lower bucket and none
// comes back to the one being read.
void Engine::spread(std::uint32_t bucket, std::int64_t base) {
  base_ = base;
  occupied_ &= ~(std::uint64_t{1} << (bucket - 1));
  std::vector<Entry>& entries = buckets_[bucket];
  for (const Entry& e : entries) insert(e);
  entries.clear();
}

void Engine::current_sift_up(std::size_t hole, Entry e) {
  std::vector<Entry>& heap = buckets_[0];
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / 2;
    if (e.key >= heap[parent].key) break;
    heap[hole] = heap[parent];
    where_[slot_of(heap[hole])] = Where{0, static_cast<std::uint32_t>(hole)};
    hole = parent;
  }
  heap[hole] = e;
  where_[slot_of(e)] = Where{0, static_cast<std::uint32_t>(hole)};
}

// Removes the entry at index `at` of bucket 0's heap; the caller marks its slot.
void Engine::current_remove_at(std::size_t at) {
  std::vector<Entry>& heap = buckets_[0];
  const Entry last = heap.back();
  heap.pop_back();
  const std::size_t n = heap.size();
  if (at >= n) return;
  if (at > 0 && last.key < heap[(at - 1) / 2].key) {
    current_sift_up(at, last);
    return;
  }
  std::size_t hole = at;
  for (;;) {
    std::size_t child = 2 * hole + 1;
    if (child >= n) break;
    if (child + 1 < n && heap[child + 1].key < heap[child].key) ++child;
    if (last.key <= heap[child].key) break;
    heap[hole] = heap[child];
    where_[slot_of(heap[hole])] = Where{0, static_cast<std::uint32_t>(hole)};
    hole = child;
  }
  heap[hole] = last;
  where_[slot_of(last)] = Where{0, static_cast<std::uint32_t>(hole)};
}

// Runs the first event of bucket 0, which must not be empty.
void Engine::run_current() {
  const Entry e = buckets_[0].front();
  const std::uint32_t slot = slot_of(e);
  current_remove_at(0);  // not erase(): where_[slot] need not be read
  where_[slot].bucket = kNotPending;
  --size_;
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
  if (size_ == 0) return false;
  if (buckets_[0].empty()) {
    const std::uint32_t b = lowest_bucket();
    spread(b, earliest_in(b));
  }
  run_current();
  return true;
}

void Engine::run_until(Time end) {
  while (size_ > 0) {
    if (buckets_[0].empty()) {
      // base_ moves only to a time about to run: an event may still be scheduled at any
      // time from now_ on, and none may go below base_.
      const std::uint32_t b = lowest_bucket();
      const std::int64_t earliest = earliest_in(b);
      if (earliest >= end.seconds) break;
      spread(b, earliest);
    } else if (base_ >= end.seconds) {
      break;
    }
    run_current();
  }
  if (now_ < end) now_ = end;
}

}  // namespace aidc::sim
