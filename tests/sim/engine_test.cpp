#include "aidc/sim/engine.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

using aidc::sim::Engine;
using aidc::sim::EventId;
using aidc::sim::Priority;
using aidc::sim::Time;

TEST_CASE("Events run in time order", "[engine]") {
  Engine engine;
  std::vector<int> order;
  engine.schedule_at(Time{30}, [&](Engine&) { order.push_back(30); });
  engine.schedule_at(Time{10}, [&](Engine&) { order.push_back(10); });
  engine.schedule_at(Time{20}, [&](Engine&) { order.push_back(20); });
  engine.run_until(Time{100});
  CHECK(order == std::vector<int>{10, 20, 30});
  CHECK(engine.events_processed() == 3);
  CHECK(engine.now() == Time{100});
}

TEST_CASE("Equal times run by priority, then in scheduling order", "[engine]") {
  Engine engine;
  std::string order;
  engine.schedule_at(
      Time{5}, [&](Engine&) { order += 'a'; }, Priority::accounting);
  engine.schedule_at(Time{5}, [&](Engine&) { order += 'b'; });
  engine.schedule_at(
      Time{5}, [&](Engine&) { order += 'c'; }, Priority::urgent);
  engine.schedule_at(Time{5}, [&](Engine&) { order += 'd'; });
  engine.schedule_at(
      Time{5}, [&](Engine&) { order += 'e'; }, Priority::urgent);
  engine.run_until(Time{6});
  // urgent (c, e), then normal (b, d), then accounting (a); each group in insertion order.
  CHECK(order == "cebda");
}

TEST_CASE("An event scheduled for now by a running event runs in the same instant", "[engine]") {
  Engine engine;
  std::vector<std::int64_t> times;
  engine.schedule_at(Time{7}, [&](Engine& e) {
    times.push_back(e.now().seconds);
    e.schedule_in(aidc::sim::seconds(0), [&](Engine& e2) { times.push_back(e2.now().seconds); });
  });
  engine.run_until(Time{8});
  CHECK(times == std::vector<std::int64_t>{7, 7});
}

TEST_CASE("A cancelled event never runs and is not counted", "[engine]") {
  Engine engine;
  int ran = 0;
  const auto keep = engine.schedule_at(Time{1}, [&](Engine&) { ++ran; });
  const auto drop = engine.schedule_at(Time{2}, [&](Engine&) { ran += 100; });
  CHECK(engine.is_pending(drop));
  engine.cancel(drop);
  CHECK_FALSE(engine.is_pending(drop));
  CHECK(engine.pending() == 1);
  engine.cancel(drop);  // twice is harmless
  engine.run_until(Time{10});
  CHECK(ran == 1);
  CHECK(engine.events_processed() == 1);
  CHECK_FALSE(engine.is_pending(keep));
}

TEST_CASE("Cancelling an event that already ran does not touch a reused slot", "[engine]") {
  Engine engine;
  int ran = 0;
  const auto first = engine.schedule_at(Time{1}, [&](Engine&) { ++ran; });
  engine.run_until(Time{2});
  // The new event may reuse the first one's slot; the old handle must not cancel it.
  engine.schedule_at(Time{3}, [&](Engine&) { ran += 10; });
  engine.cancel(first);
  engine.run_until(Time{4});
  CHECK(ran == 11);
}

TEST_CASE("An event can cancel another pending at the same instant", "[engine]") {
  Engine engine;
  std::string order;
  aidc::sim::EventId later{};
  engine.schedule_at(Time{5}, [&](Engine& e) {
    order += 'a';
    e.cancel(later);
  });
  later = engine.schedule_at(Time{5}, [&](Engine&) { order += 'b'; });
  engine.run_until(Time{6});
  CHECK(order == "a");
}

TEST_CASE("run_until stops before the end time and leaves later events pending", "[engine]") {
  Engine engine;
  int ran = 0;
  engine.schedule_at(Time{9}, [&](Engine&) { ++ran; });
  engine.schedule_at(Time{10}, [&](Engine&) { ++ran; });
  engine.run_until(Time{10});
  CHECK(ran == 1);
  CHECK(engine.pending() == 1);
  CHECK(engine.step());
  CHECK(ran == 2);
  CHECK_FALSE(engine.step());
}

TEST_CASE("Scheduling in the past throws and names both times", "[engine]") {
  Engine engine;
  engine.schedule_at(Time{50}, [](Engine&) {});
  engine.run_until(Time{60});
  REQUIRE_THROWS_WITH(engine.schedule_at(Time{40}, [](Engine&) {}),
                      Catch::Contains("t=40") && Catch::Contains("t=60"));
}

TEST_CASE("An exception from an event leaves the loop with the event time", "[engine]") {
  Engine engine;
  engine.schedule_at(Time{123}, [](Engine&) { throw std::runtime_error("boom"); });
  REQUIRE_THROWS_WITH(engine.run_until(Time{200}),
                      Catch::Contains("t=123") && Catch::Contains("boom"));
}

TEST_CASE("Many interleaved events pop in (time, order) order", "[engine]") {
  // A pseudo-random insertion order; the pops must come out sorted by (time, insertion).
  Engine engine;
  std::vector<std::pair<std::int64_t, int>> seen;
  std::uint64_t x = 12345;
  for (int i = 0; i < 5000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto t = static_cast<std::int64_t>((x >> 33) % 500);
    engine.schedule_at(Time{t}, [&seen, t, i](Engine&) { seen.emplace_back(t, i); });
  }
  engine.run_until(Time{1000});
  REQUIRE(seen.size() == 5000);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
}

TEST_CASE("cancel removes the event from the pending set at once", "[engine]") {
  Engine engine;
  std::vector<EventId> ids;
  ids.reserve(100);
  for (int i = 0; i < 100; ++i) ids.push_back(engine.schedule_at(Time{1000 - i}, [](Engine&) {}));
  CHECK(engine.pending() == 100);
  for (int i = 0; i < 100; i += 2) engine.cancel(ids[static_cast<std::size_t>(i)]);
  CHECK(engine.pending() == 50);
  // The slots of cancelled events are free again: new events reuse them at once.
  const auto reused = engine.schedule_at(Time{5}, [](Engine&) {});
  CHECK(reused.slot == ids[98].slot);
  CHECK(engine.pending() == 51);
  engine.run_until(Time{2000});
  CHECK(engine.events_processed() == 51);
  CHECK(engine.pending() == 0);
}

TEST_CASE("cancel of an event that ran or was cancelled changes nothing", "[engine]") {
  Engine engine;
  std::string order;
  const auto ran = engine.schedule_at(Time{1}, [&](Engine&) { order += 'a'; });
  const auto dropped = engine.schedule_at(Time{2}, [&](Engine&) { order += 'b'; });
  engine.schedule_at(Time{3}, [&](Engine&) { order += 'c'; });
  engine.schedule_at(Time{4}, [&](Engine&) { order += 'd'; });
  CHECK(engine.step());
  engine.cancel(dropped);
  CHECK(engine.pending() == 2);
  engine.cancel(ran);
  engine.cancel(dropped);
  engine.cancel(EventId{});
  engine.cancel(EventId{12345, 1});
  CHECK(engine.pending() == 2);
  engine.run_until(Time{10});
  CHECK(order == "acd");
}

namespace {

// Runs the same script on two engines, one moving events with reschedule() and the other
// with cancel() and schedule_at(); returns both orders of running.
struct Twin {
  Engine moved;
  Engine replaced;
  std::string moved_order;
  std::string replaced_order;
  std::vector<EventId> moved_ids;
  std::vector<EventId> replaced_ids;

  void schedule(Time at, char tag, Priority priority = Priority::normal) {
    moved_ids.push_back(moved.schedule_at(
        at, [this, tag](Engine&) { moved_order += tag; }, priority));
    replaced_ids.push_back(replaced.schedule_at(
        at, [this, tag](Engine&) { replaced_order += tag; }, priority));
  }
  void move(std::size_t i, Time at, char tag, Priority priority = Priority::normal) {
    const EventId before = moved_ids[i];
    moved_ids[i] = moved.reschedule(moved_ids[i], at);
    CHECK_FALSE(moved.is_pending(before));
    CHECK(moved.is_pending(moved_ids[i]));
    replaced.cancel(replaced_ids[i]);
    replaced_ids[i] = replaced.schedule_at(
        at, [this, tag](Engine&) { replaced_order += tag; }, priority);
    // The same slot with the next generation: the id cancel and schedule_at would give.
    CHECK(moved_ids[i] == replaced_ids[i]);
    CHECK(moved.pending() == replaced.pending());
  }
  void run(Time end) {
    moved.run_until(end);
    replaced.run_until(end);
  }
};

}  // namespace

TEST_CASE("reschedule runs events as cancel and schedule_at would", "[engine]") {
  Twin twin;
  twin.schedule(Time{10}, 'a');
  twin.schedule(Time{20}, 'b');
  twin.schedule(Time{20}, 'c', Priority::urgent);
  twin.schedule(Time{30}, 'd');
  twin.schedule(Time{30}, 'e', Priority::accounting);
  twin.schedule(Time{40}, 'f');

  SECTION("earlier") {
    twin.move(5, Time{20}, 'f');  // after b: a new insertion sequence among equals
    twin.move(3, Time{5}, 'd');
  }
  SECTION("later") {
    twin.move(0, Time{30}, 'a');  // after d (same time, priority), before e (accounting)
    twin.move(2, Time{35}, 'c', Priority::urgent);
  }
  SECTION("to the same time, behind its equals") {
    twin.move(1, Time{20}, 'b');
    twin.move(3, Time{30}, 'd');
  }
  SECTION("twice") {
    twin.move(4, Time{10}, 'e', Priority::accounting);
    twin.move(4, Time{50}, 'e', Priority::accounting);
  }
  twin.run(Time{100});
  CHECK(twin.moved_order.size() == 6);
  CHECK(twin.moved_order == twin.replaced_order);
  CHECK(twin.moved.events_processed() == twin.replaced.events_processed());
}

TEST_CASE("reschedule keeps the priority and orders by the new insertion", "[engine]") {
  Engine engine;
  std::string order;
  const auto a = engine.schedule_at(
      Time{10}, [&](Engine&) { order += 'a'; }, Priority::urgent);
  engine.schedule_at(Time{5}, [&](Engine&) { order += 'b'; });
  engine.schedule_at(
      Time{5}, [&](Engine&) { order += 'c'; }, Priority::urgent);
  engine.schedule_at(Time{5}, [&](Engine&) { order += 'd'; });
  engine.reschedule(a, Time{5});
  engine.run_until(Time{20});
  CHECK(order == "cabd");
}

TEST_CASE("reschedule from a running event, and of an event at the same instant", "[engine]") {
  Engine engine;
  std::string order;
  EventId later{};
  engine.schedule_at(Time{5}, [&](Engine& e) {
    order += 'a';
    later = e.reschedule(later, e.now());  // behind c, which was scheduled after it
  });
  later = engine.schedule_at(Time{5}, [&](Engine&) { order += 'b'; });
  engine.schedule_at(Time{5}, [&](Engine&) { order += 'c'; });
  engine.run_until(Time{6});
  CHECK(order == "acb");
}

TEST_CASE("reschedule rejects a time in the past and an event that is not pending", "[engine]") {
  Engine engine;
  int ran = 0;
  const auto first = engine.schedule_at(Time{10}, [&](Engine&) { ++ran; });
  const auto second = engine.schedule_at(Time{20}, [&](Engine&) { ++ran; });
  const auto third = engine.schedule_at(Time{30}, [&](Engine&) { ++ran; });
  engine.run_until(Time{15});
  REQUIRE_THROWS_WITH(engine.reschedule(second, Time{12}),
                      Catch::Contains("t=12") && Catch::Contains("t=15"));
  CHECK(engine.is_pending(second));  // unchanged by the failed call
  REQUIRE_THROWS_AS(engine.reschedule(first, Time{40}), std::logic_error);
  engine.cancel(third);
  REQUIRE_THROWS_AS(engine.reschedule(third, Time{40}), std::logic_error);
  REQUIRE_THROWS_AS(engine.reschedule(EventId{}, Time{40}), std::logic_error);
  REQUIRE_THROWS_AS(engine.reschedule(EventId{999, 1}, Time{40}), std::logic_error);
  const auto moved = engine.reschedule(second, Time{15});  // now itself is allowed
  REQUIRE_THROWS_AS(engine.reschedule(second, Time{40}), std::logic_error);  // a stale id
  CHECK(engine.pending() == 1);
  engine.run_until(Time{100});
  CHECK(ran == 2);
  CHECK_FALSE(engine.is_pending(moved));
}

namespace {

// The reference: the pending events as (time, priority, sequence, label) in a multiset,
// the sequence counted here as the engine counts it (one per schedule_at and reschedule).
struct Reference {
  using Key = std::tuple<std::int64_t, int, std::uint64_t, std::uint32_t>;
  struct Event {
    EventId id;
    Key key;
    bool pending = false;
  };

  Engine engine;
  std::multiset<Key> pending;
  std::vector<Event> events;  // by label
  std::uint64_t next_seq = 0;
  std::vector<std::uint32_t> ran;
  std::mt19937_64 rng{20240611};
  std::size_t mismatches = 0;

  std::uint64_t draw(std::uint64_t n) { return rng() % n; }

  void on_run(std::uint32_t label) {
    ran.push_back(label);
    if (pending.empty() || std::get<3>(*pending.begin()) != label ||
        std::get<0>(*pending.begin()) != engine.now().seconds) {
      ++mismatches;
      return;
    }
    pending.erase(pending.begin());
    events[label].pending = false;
    // Some events schedule another, at the same instant or soon after.
    if (label % 5 == 0) schedule(static_cast<std::int64_t>(label % 3));
  }

  void schedule(std::int64_t delay) {
    const auto label = static_cast<std::uint32_t>(events.size());
    const auto priority = static_cast<int>(draw(3));
    const std::int64_t at = engine.now().seconds + delay;
    const EventId id = engine.schedule_at(
        Time{at}, [this, label](Engine&) { on_run(label); }, static_cast<Priority>(priority));
    const Key key{at, priority, next_seq++, label};
    events.push_back(Event{id, key, true});
    pending.insert(key);
  }

  void cancel(std::uint32_t label) {
    Event& e = events[label];
    engine.cancel(e.id);
    if (e.pending) {
      pending.erase(pending.find(e.key));
      e.pending = false;
    }
  }

  void reschedule(std::uint32_t label, std::int64_t delay) {
    Event& e = events[label];
    const std::int64_t at = engine.now().seconds + delay;
    if (!e.pending) {
      if (engine.is_pending(e.id)) ++mismatches;
      REQUIRE_THROWS_AS(engine.reschedule(e.id, Time{at}), std::logic_error);
      return;
    }
    pending.erase(pending.find(e.key));
    e.id = engine.reschedule(e.id, Time{at});
    e.key = Key{at, std::get<1>(e.key), next_seq++, label};
    pending.insert(e.key);
  }
};

}  // namespace

TEST_CASE("Random schedule, cancel, reschedule and step match a reference model", "[engine]") {
  Reference ref;
  constexpr int kOperations = 100000;
  for (int op = 0; op < kOperations; ++op) {
    const std::uint64_t what = ref.draw(100);
    // Few distinct times, so that ties on time and on priority are common.
    const auto delay = static_cast<std::int64_t>(ref.draw(4) == 0 ? 0 : ref.draw(40));
    if (what < 35 || ref.events.empty()) {
      ref.schedule(delay);
    } else if (what < 50) {
      // Any event ever scheduled: pending, already run or already cancelled.
      ref.cancel(static_cast<std::uint32_t>(ref.draw(ref.events.size())));
    } else if (what < 65) {
      // Mostly a recent event, which is more often still pending.
      const std::size_t n = ref.events.size();
      const std::size_t window = n < 64 ? n : 64;
      const std::size_t label = ref.draw(4) == 0 ? ref.draw(n) : n - 1 - ref.draw(window);
      ref.reschedule(static_cast<std::uint32_t>(label), delay);
    } else {
      const bool any = !ref.pending.empty();
      if (ref.engine.step() != any) ++ref.mismatches;
    }
    if (ref.engine.pending() != ref.pending.size()) ++ref.mismatches;
  }
  while (ref.engine.step()) {
  }
  CHECK(ref.mismatches == 0);
  CHECK(ref.pending.empty());
  CHECK(ref.engine.pending() == 0);
  CHECK(ref.engine.events_processed() == ref.ran.size());
  CHECK(ref.ran.size() > 20000);
}
