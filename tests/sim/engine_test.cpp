#include "aidc/sim/engine.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using aidc::sim::Engine;
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
