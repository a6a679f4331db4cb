#pragma once
/// The discrete-event engine: a clock and a pending-event set ordered by
/// (time, priority, insertion order). It knows nothing of GPUs or dollars.

#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "aidc/sim/time.hpp"

namespace aidc::sim {

/// Events at the same time run in this order; accounting runs last so that it
/// sees every state change of its instant.
enum class Priority : std::uint8_t { urgent = 0, normal = 1, accounting = 2 };

/// A handle to a scheduled event, valid for cancel() until the event runs.
struct EventId {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;  // 0 never names a live event
  constexpr bool operator==(const EventId&) const = default;
};

class Engine;

/// What an event does: a small, trivially copyable callable taking the engine, such as a
/// lambda that captures `this` and an index or two. Events carry ids, not objects, so an
/// action is copied as bytes and called through one pointer (no allocation, no destructor).
class Action {
 public:
  static constexpr std::size_t kCapacity = 24;

  Action() = default;
  template <class F>
  requires(!std::is_same_v<std::decay_t<F>, Action> && std::is_invocable_v<const F&, Engine&>)
      Action(const F& f) {  // NOLINT(google-explicit-constructor): lambdas convert implicitly
    static_assert(sizeof(F) <= kCapacity, "an event action may capture at most 24 bytes");
    static_assert(std::is_trivially_copyable_v<F>,
                  "an event action must be trivially copyable: capture pointers and ids");
    std::memcpy(storage_, &f, sizeof(F));
    invoke_ = [](const void* self, Engine& engine) { (*static_cast<const F*>(self))(engine); };
  }
  explicit operator bool() const { return invoke_ != nullptr; }
  void operator()(Engine& engine) const { invoke_(storage_, engine); }

 private:
  alignas(8) unsigned char storage_[kCapacity] = {};
  void (*invoke_)(const void*, Engine&) = nullptr;
};

class Engine {
 public:
  Time now() const { return now_; }
  /// Schedules `action` at `at`; throws std::logic_error when `at` is in the past.
  EventId schedule_at(Time at, Action action, Priority priority = Priority::normal);
  EventId schedule_in(Duration delay, Action action, Priority priority = Priority::normal) {
    return schedule_at(now_ + delay, action, priority);
  }
  /// Removes a pending event from the pending set at once (O(1); O(log k) for one of the
  /// k events at the current instant); a no-op for an event that already ran or was
  /// cancelled.
  void cancel(EventId id);
  /// Moves the pending event `id` to `at`, keeping its action and priority, and returns its
  /// new id. It behaves exactly as cancel(id) followed by schedule_at(at, action, priority):
  /// the event takes a new insertion sequence number (among events at `at` with its
  /// priority it runs after those already scheduled), and the new id names the same slot
  /// with the next generation, the id that schedule_at would have returned, so `id` is no
  /// longer pending. No slot is allocated. Throws std::logic_error when `at` is in the past
  /// or `id` is not pending.
  EventId reschedule(EventId id, Time at);
  /// True while `id` names an event that has neither run nor been cancelled.
  bool is_pending(EventId id) const;
  /// Runs the next event; false when none is left.
  bool step();
  /// Runs every event before `end`, then sets the clock to `end`.
  void run_until(Time end);

  std::uint64_t events_processed() const { return processed_; }
  /// The number of events scheduled and neither run nor cancelled.
  std::size_t pending() const { return size_; }

 private:
  // An entry is 16 bytes, as small as a bare (time, sequence) pair: the key packs the
  // priority (top 2 bits), the insertion sequence (38 bits, ~2.7e11 events a run) and the
  // slot of the action (24 bits, ~16.7M pending events). Comparing keys orders equal
  // times by priority, then by insertion; the slot never decides.
  struct Entry {
    std::int64_t time;
    std::uint64_t key;
  };
  static constexpr int kSlotBits = 24;
  static constexpr int kSeqBits = 38;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static std::uint32_t slot_of(const Entry& e) {
    return static_cast<std::uint32_t>(e.key & kSlotMask);
  }
  struct Slot {
    Action action;
    std::uint32_t generation = 0;
  };
  // Where a pending slot's entry is: its bucket and its index there.
  struct Where {
    std::uint32_t bucket;
    std::uint32_t index;
  };
  static constexpr std::uint32_t kNotPending = ~std::uint32_t{0};  // as a bucket
  static constexpr std::size_t kBuckets = 65;

  void check_not_past(Time at) const;
  void check_sequence() const;
  std::uint64_t next_key(std::uint64_t priority_bits, std::uint32_t slot);
  static std::uint32_t bump(std::uint32_t generation);
  void insert(Entry e);
  void erase(std::uint32_t slot);
  std::uint32_t lowest_bucket() const;
  std::int64_t earliest_in(std::uint32_t bucket) const;
  void spread(std::uint32_t bucket, std::int64_t base);
  void current_sift_up(std::size_t hole, Entry e);
  void current_remove_at(std::size_t at);
  void run_current();

  Time now_{};
  std::uint64_t next_seq_ = 0;  // equal (time, priority): run in scheduling order
  std::uint64_t processed_ = 0;
  // The pending events only, in a radix heap over the integer-second times, which are
  // never below base_ (the time of the last event run, at most now_). Bucket b > 0 holds,
  // unordered, the entries whose time first differs from base_ in bit b - 1; bucket 0
  // holds the entries at base_ itself as a binary min-heap by key (priority, then
  // insertion). When bucket 0 is empty, the lowest non-empty bucket's earliest time
  // becomes base_ and its entries move to lower buckets, each at most 64 times in its
  // life. where_[slot] locates each pending entry, so cancel() and reschedule() find it at
  // once.
  std::int64_t base_ = 0;
  std::size_t size_ = 0;
  std::uint64_t occupied_ = 0;  // bit b - 1 set: bucket b (b > 0) has entries
  std::array<std::vector<Entry>, kBuckets> buckets_;
  std::vector<Where> where_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace aidc::sim
