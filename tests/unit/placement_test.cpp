// Which router (or new worker) a joining peer gets, and the "piped once, closed once" bookkeeping,
// as pure functions over room and worker state.
#include <string>
#include <utility>
#include <vector>

#include "base/OnceTable.h"
#include "rooms/Placement.h"
#include "cmocka.h"

using namespace msp;

static WorkerLoad worker(size_t rooms, double cpu = 0.0, uint64_t lastChosen = 0, bool alive = true) {
  WorkerLoad w;
  w.alive = alive;
  w.roomCount = rooms;
  w.cpuUsage = cpu;
  w.lastChosen = lastChosen;
  return w;
}
static RouterLoad router(size_t slot, size_t peers, bool usable = true) {
  RouterLoad r;
  r.worker = slot;
  r.peers = peers;
  r.usable = usable;
  return r;
}
static PlacementLimits limits(uint32_t maxPeers, double cpuLimit = 0.8) {
  PlacementLimits l;
  l.maxPeersPerRouter = maxPeers;
  l.routerCpuLimit = cpuLimit;
  return l;
}

static void fewest_peers_under_the_limit_wins(void**) {
  auto p = placePeer({router(0, 3), router(1, 1), router(2, 2)}, {worker(1), worker(1), worker(1)}, limits(4));
  assert_true(p.kind == Placement::Kind::ExistingRouter);
  assert_int_equal(p.router, 1);
}

static void ties_go_to_lower_cpu_then_earlier_router(void**) {
  auto p = placePeer({router(0, 1), router(1, 1)}, {worker(1, 0.5), worker(1, 0.1)}, limits(4));
  assert_int_equal(p.router, 1);
  p = placePeer({router(0, 1), router(1, 1)}, {worker(1, 0.1), worker(1, 0.1)}, limits(4));
  assert_int_equal(p.router, 0);
}

static void full_routers_get_a_new_router_on_a_worker_without_one(void**) {
  // Routers on workers 0 and 2 are full; worker 1 has the most rooms but is the only one without this room.
  auto p = placePeer({router(0, 2), router(2, 2)}, {worker(1), worker(9), worker(1)}, limits(2));
  assert_true(p.kind == Placement::Kind::NewRouter);
  assert_int_equal(p.worker, 1);
}

static void new_router_goes_to_the_balancers_choice(void**) {
  // Among workers 1, 2 and 3 (0 hosts it): fewest rooms, then CPU, then least recently chosen.
  auto p = placePeer({router(0, 1)}, {worker(0), worker(2), worker(1, 0.3), worker(1, 0.3, 0)}, limits(1));
  assert_int_equal(p.worker, 2);
  p = placePeer({router(0, 1)}, {worker(0), worker(2), worker(1, 0.3, 5), worker(1, 0.3, 2)}, limits(1));
  assert_int_equal(p.worker, 3);
}

static void a_busy_cpu_counts_as_full(void**) {
  auto p = placePeer({router(0, 0), router(1, 5)}, {worker(1, 0.95), worker(1, 0.1)}, limits(10, 0.8));
  assert_true(p.kind == Placement::Kind::ExistingRouter);
  assert_int_equal(p.router, 1);
}

static void every_worker_hosting_it_overfills_the_least_loaded_router(void**) {
  auto p = placePeer({router(0, 3), router(1, 2)}, {worker(1), worker(1)}, limits(2));
  assert_true(p.kind == Placement::Kind::ExistingRouter);
  assert_int_equal(p.router, 1);
}

static void no_limit_means_one_router(void**) {
  auto p = placePeer({router(0, 500)}, {worker(1), worker(0)}, limits(0, 1e9));
  assert_true(p.kind == Placement::Kind::ExistingRouter);
  assert_int_equal(p.router, 0);
}

static void dead_and_draining_workers_are_skipped(void**) {
  // The router on worker 0 is unusable (its worker died); worker 1 is dead: the new router goes to 2.
  auto p = placePeer({router(0, 0, false)}, {worker(0, 0, 0, false), worker(0, 0, 0, false), worker(3)}, limits(4));
  assert_true(p.kind == Placement::Kind::NewRouter);
  assert_int_equal(p.worker, 2);
  // No live worker at all.
  p = placePeer({router(0, 0, false)}, {worker(0, 0, 0, false)}, limits(4));
  assert_true(p.kind == Placement::Kind::NoWorker);
  // A room with no router yet goes where a new room would.
  p = placePeer({}, {worker(2), worker(1)}, limits(4));
  assert_true(p.kind == Placement::Kind::NewRouter);
  assert_int_equal(p.worker, 1);
}

using Table = OnceTable<std::pair<std::string, std::string>>;

static void piped_once_for_concurrent_askers(void**) {
  Table table;
  std::vector<int> outcomes;
  auto key = std::make_pair(std::string("producer"), std::string("router-b"));
  assert_true(table.request(key, [&](const Failure& f) { outcomes.push_back(f ? 1 : 0); }) == Table::Step::Start);
  assert_true(table.request(key, [&](const Failure& f) { outcomes.push_back(f ? 1 : 0); }) == Table::Step::Waiting);
  assert_int_equal(outcomes.size(), 0);
  for (auto& waiter : table.finish(key, Failure{})) waiter(Failure{});
  assert_int_equal(outcomes.size(), 2);
  assert_true(table.done(key));
  // Later askers go on at once; their waiter is not kept.
  assert_true(table.request(key, [&](const Failure&) { outcomes.push_back(9); }) == Table::Step::Done);
  assert_int_equal(outcomes.size(), 2);
}

static void a_failed_pipe_is_retried_by_the_next_asker(void**) {
  Table table;
  auto key = std::make_pair(std::string("p"), std::string("r"));
  table.request(key, [](const Failure&) {});
  auto waiters = table.finish(key, Failure::workerGone("died"));
  assert_int_equal(waiters.size(), 1);
  assert_false(table.contains(key));
  assert_true(table.request(key, [](const Failure&) {}) == Table::Step::Start);
}

static void closed_once(void**) {
  Table table;
  auto a = std::make_pair(std::string("p1"), std::string("r1"));
  auto b = std::make_pair(std::string("p2"), std::string("r1"));
  auto c = std::make_pair(std::string("p1"), std::string("r2"));
  for (const auto& k : {a, b, c}) {
    table.request(k, [](const Failure&) {});
    table.finish(k, Failure{});
  }
  // The router r1 goes: every pipe into it is forgotten, each once.
  auto intoR1 = table.keysWhere([](const auto& k) { return k.second == "r1"; });
  assert_int_equal(intoR1.size(), 2);
  for (const auto& k : intoR1) assert_true(table.erase(k));
  for (const auto& k : intoR1) assert_false(table.erase(k));
  assert_int_equal(table.size(), 1);
  // Erasing a pending entry hands its waiters back to be failed.
  auto d = std::make_pair(std::string("p3"), std::string("r3"));
  table.request(d, [](const Failure&) {});
  std::vector<Table::Waiter> pending;
  assert_true(table.erase(d, &pending));
  assert_int_equal(pending.size(), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fewest_peers_under_the_limit_wins),
      cmocka_unit_test(ties_go_to_lower_cpu_then_earlier_router),
      cmocka_unit_test(full_routers_get_a_new_router_on_a_worker_without_one),
      cmocka_unit_test(new_router_goes_to_the_balancers_choice),
      cmocka_unit_test(a_busy_cpu_counts_as_full),
      cmocka_unit_test(every_worker_hosting_it_overfills_the_least_loaded_router),
      cmocka_unit_test(no_limit_means_one_router),
      cmocka_unit_test(dead_and_draining_workers_are_skipped),
      cmocka_unit_test(piped_once_for_concurrent_askers),
      cmocka_unit_test(a_failed_pipe_is_retried_by_the_next_asker),
      cmocka_unit_test(closed_once),
  };
  return cmocka_run_group_tests_name("placement", tests, nullptr, nullptr);
}
