#pragma once
// The pending-event sets the hold benchmark compares (hold_bench.cpp), each run in one small
// copy of the engine's frame (BenchEngine: slots with generations and actions of at most 24
// bytes called through one pointer, out-of-line calls), so they compare on equal terms:
// LazyHeap, the engine's 4-ary heap before cancelled entries were removed; IndexedHeap, the
// same heap with positions; RadixHeap, the design aidc::sim::Engine uses.

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "aidc/sim/engine.hpp"

namespace aidc::bench {

using aidc::sim::EventId;
using aidc::sim::Priority;
using aidc::sim::Time;

// A pending-set entry as in aidc::sim::Engine: the key packs the priority (top 2 bits),
// the insertion sequence (38 bits) and the slot (24 bits).
struct Entry {
  std::int64_t time;
  std::uint64_t key;
};
constexpr int kSlotBits = 24;
constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
constexpr std::uint32_t slot_of(const Entry& e) {
  return static_cast<std::uint32_t>(e.key & kSlotMask);
}
constexpr bool before(const Entry& a, const Entry& b) {
  return a.time < b.time || (a.time == b.time && a.key < b.key);
}
constexpr std::size_t kArity = 4;

// A 4-ary heap with bottom-up pop and no positions (the engine's pending set before the
// indexed ones): a cancelled entry stays until its time and is skipped then.
class LazyHeap {
 public:
  static constexpr bool kIndexed = false;
  void grow(std::size_t /*slots*/) {}
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  void push(Entry e) {
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
  Entry pop() {
    const Entry top = heap_.front();
    const Entry last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n == 0) return top;
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
  void remove(std::uint32_t /*slot*/) {}

 private:
  std::vector<Entry> heap_;
};

// A 4-ary min-heap that knows where each slot's entry is.
class IndexedHeap {
 public:
  static constexpr bool kIndexed = true;
  void grow(std::size_t slots) { pos_.resize(slots); }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  void push(Entry e) {
    heap_.push_back(e);
    sift_up(heap_.size() - 1, e);
  }
  Entry pop() {
    const Entry top = heap_.front();
    remove_at(0);
    return top;
  }
  void remove(std::uint32_t slot) { remove_at(pos_[slot]); }

 private:
  void remove_at(std::size_t at) {
    const Entry last = heap_.back();
    heap_.pop_back();
    if (at >= heap_.size()) return;
    if (at > 0 && before(last, heap_[(at - 1) / kArity])) {
      sift_up(at, last);
    } else {
      sift_down(at, last);
    }
  }
  void sift_up(std::size_t hole, Entry e) {
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / kArity;
      if (!before(e, heap_[parent])) break;
      heap_[hole] = heap_[parent];
      pos_[slot_of(heap_[hole])] = static_cast<std::uint32_t>(hole);
      hole = parent;
    }
    heap_[hole] = e;
    pos_[slot_of(e)] = static_cast<std::uint32_t>(hole);
  }
  void sift_down(std::size_t hole, Entry e) {
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
      pos_[slot_of(heap_[hole])] = static_cast<std::uint32_t>(hole);
      hole = best;
    }
    while (hole > start) {
      const std::size_t parent = (hole - 1) / kArity;
      if (!before(e, heap_[parent])) break;
      heap_[hole] = heap_[parent];
      pos_[slot_of(heap_[hole])] = static_cast<std::uint32_t>(hole);
      hole = parent;
    }
    heap_[hole] = e;
    pos_[slot_of(e)] = static_cast<std::uint32_t>(hole);
  }

  std::vector<Entry> heap_;
  std::vector<std::uint32_t> pos_;
};

// A radix heap over the integer-second times, which never fall below the last time popped
// (the clock). Bucket b > 0 holds the entries whose time first differs from that time in
// bit b - 1, unordered; bucket 0 holds the entries at that very time, as a binary heap by
// key (priority, then insertion). Popping from an empty bucket 0 takes the lowest
// non-empty bucket, makes its earliest time the new reference and spreads the bucket
// over the lower ones. Every slot knows its bucket and index, so removal is O(1) outside
// bucket 0.
class RadixHeap {
 public:
  static constexpr bool kIndexed = true;
  void grow(std::size_t slots) { loc_.resize(slots); }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  void push(Entry e) {
    place(e);
    ++size_;
  }
  Entry pop() {
    if (now_.empty()) refill();
    const Entry top = now_.front();
    now_remove_at(0);
    --size_;
    return top;
  }
  void remove(std::uint32_t slot) {
    const Loc l = loc_[slot];
    if (l.bucket == 0) {
      now_remove_at(l.index);
    } else {
      std::vector<Entry>& v = buckets_[l.bucket];
      v[l.index] = v.back();
      loc_[slot_of(v[l.index])].index = l.index;
      v.pop_back();
      if (v.empty()) mask_ &= ~(std::uint64_t{1} << (l.bucket - 1));
    }
    --size_;
  }

 private:
  struct Loc {
    std::uint32_t bucket;
    std::uint32_t index;
  };
  void place(Entry e) {
    const auto diff = static_cast<std::uint64_t>(e.time ^ last_);
    if (diff == 0) {
      now_.push_back(e);
      now_sift_up(now_.size() - 1, e);
      return;
    }
    const auto b = static_cast<std::uint32_t>(64 - std::countl_zero(diff));
    std::vector<Entry>& v = buckets_[b];
    loc_[slot_of(e)] = Loc{b, static_cast<std::uint32_t>(v.size())};
    v.push_back(e);
    mask_ |= std::uint64_t{1} << (b - 1);
  }
  void refill() {
    const auto b = static_cast<std::uint32_t>(std::countr_zero(mask_) + 1);
    std::vector<Entry>& v = buckets_[b];
    std::int64_t least = v.front().time;
    for (const Entry& e : v) least = e.time < least ? e.time : least;
    last_ = least;
    mask_ &= ~(std::uint64_t{1} << (b - 1));
    // Every entry lands in a bucket below b: none comes back to v while it is read.
    for (const Entry& e : v) place(e);
    v.clear();
  }
  void now_sift_up(std::size_t hole, Entry e) {
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / 2;
      if (e.key >= now_[parent].key) break;
      now_[hole] = now_[parent];
      loc_[slot_of(now_[hole])] = Loc{0, static_cast<std::uint32_t>(hole)};
      hole = parent;
    }
    now_[hole] = e;
    loc_[slot_of(e)] = Loc{0, static_cast<std::uint32_t>(hole)};
  }
  void now_remove_at(std::size_t at) {
    const Entry last = now_.back();
    now_.pop_back();
    if (at >= now_.size()) return;
    if (at > 0 && last.key < now_[(at - 1) / 2].key) {
      now_sift_up(at, last);
      return;
    }
    std::size_t hole = at;
    for (;;) {
      std::size_t child = 2 * hole + 1;
      if (child >= now_.size()) break;
      if (child + 1 < now_.size() && now_[child + 1].key < now_[child].key) ++child;
      if (last.key <= now_[child].key) break;
      now_[hole] = now_[child];
      loc_[slot_of(now_[hole])] = Loc{0, static_cast<std::uint32_t>(hole)};
      hole = child;
    }
    now_[hole] = last;
    loc_[slot_of(last)] = Loc{0, static_cast<std::uint32_t>(hole)};
  }

  std::int64_t last_ = 0;
  std::size_t size_ = 0;
  std::uint64_t mask_ = 0;  // bit b - 1 set: bucket b is not empty
  std::vector<Entry> now_;
  std::array<std::vector<Entry>, 65> buckets_;
  std::vector<Loc> loc_;
};

// The engine's frame around a pending set: slots with generations and actions of at most
// 24 bytes called through one pointer; schedule, cancel and step are out of line, as the
// engine's are from a model.
template <class Queue>
class BenchEngine {
 public:
  class Action {
   public:
    Action() = default;
    template <class F>
    requires(!std::is_same_v<std::decay_t<F>, Action>) Action(const F& f) {  // NOLINT
      static_assert(sizeof(F) <= sizeof(storage_) && std::is_trivially_copyable_v<F>);
      std::memcpy(storage_, &f, sizeof(F));
      invoke_ = [](const void* self, BenchEngine& e) { (*static_cast<const F*>(self))(e); };
    }
    void operator()(BenchEngine& e) const { invoke_(storage_, e); }

   private:
    alignas(8) unsigned char storage_[24] = {};
    void (*invoke_)(const void*, BenchEngine&) = nullptr;
  };

  Time now() const { return now_; }
  EventId schedule_in(aidc::sim::Duration delay, Action action,
                      Priority priority = Priority::normal) {
    return schedule_at(now_ + delay, action, priority);
  }
  [[gnu::noinline]] EventId schedule_at(Time at, Action action,
                                        Priority priority = Priority::normal) {
    std::uint32_t slot;
    if (free_slots_.empty()) {
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.emplace_back();
      queue_.grow(slots_.size());
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    Slot& s = slots_[slot];
    s.action = action;
    s.live = true;
    if (++s.generation == 0) ++s.generation;
    const std::uint64_t key =
        (static_cast<std::uint64_t>(priority) << 62) | (next_seq_++ << kSlotBits) | slot;
    queue_.push(Entry{at.seconds, key});
    return EventId{slot, s.generation};
  }
  [[gnu::noinline]] void cancel(EventId id) {
    if (id.slot >= slots_.size()) return;
    Slot& s = slots_[id.slot];
    if (!s.live || s.generation != id.generation) return;
    s.live = false;
    if constexpr (Queue::kIndexed) {
      queue_.remove(id.slot);
      free_slots_.push_back(id.slot);
    }
  }
  [[gnu::noinline]] bool step() {
    while (!queue_.empty()) {
      const Entry e = queue_.pop();
      const std::uint32_t slot = slot_of(e);
      Slot& s = slots_[slot];
      free_slots_.push_back(slot);
      if (!s.live) continue;  // a cancelled entry of the lazy heap
      s.live = false;
      const Action action = s.action;
      now_ = Time{e.time};
      action(*this);
      return true;
    }
    return false;
  }

 private:
  struct Slot {
    Action action;
    std::uint32_t generation = 0;
    bool live = false;
  };
  Time now_{};
  std::uint64_t next_seq_ = 0;
  Queue queue_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace aidc::bench
