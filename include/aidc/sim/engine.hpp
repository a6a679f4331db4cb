#pragma once
/// The discrete-event engine: a clock and a pending-event set ordered by
/// (time, priority, insertion order). It knows nothing of GPUs or dollars.

#include <cstdint>
#include <functional>
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

class Engine {
 public:
  using Action = std::function<void(Engine&)>;

  Time now() const { return now_; }
  /// Schedules `action` at `at`; throws std::logic_error when `at` is in the past.
  EventId schedule_at(Time at, Action action, Priority priority = Priority::normal);
  EventId schedule_in(Duration delay, Action action, Priority priority = Priority::normal) {
    return schedule_at(now_ + delay, std::move(action), priority);
  }
  /// Cancels a pending event; a no-op for an event that already ran or was cancelled.
  void cancel(EventId id);
  /// True while `id` names an event that has neither run nor been cancelled.
  bool is_pending(EventId id) const;
  /// Runs the next event; false when none is left.
  bool step();
  /// Runs every event before `end`, then sets the clock to `end`.
  void run_until(Time end);

  std::uint64_t events_processed() const { return processed_; }
  std::size_t pending() const { return heap_.size() - cancelled_pending_; }

 private:
  // A heap entry is small and trivially copyable; the action lives in slots_ so that
  // sifting moves 24 bytes, not a std::function.
  struct Entry {
    std::int64_t time;
    std::uint64_t order;  // priority in the top byte, then the insertion sequence
    std::uint32_t slot;
  };
  struct Slot {
    Action action;
    std::uint32_t generation = 0;
    bool live = false;
  };
  static bool before(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.order < b.order);
  }
  void push(Entry e);
  Entry pop();
  void run_top();

  Time now_{};
  std::uint64_t next_seq_ = 0;  // equal (time, priority): run in scheduling order
  std::uint64_t processed_ = 0;
  std::size_t cancelled_pending_ = 0;
  std::vector<Entry> heap_;  // 4-ary min-heap
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace aidc::sim
