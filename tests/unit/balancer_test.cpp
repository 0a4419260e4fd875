#include "pool/LoadBalancer.h"
#include "cmocka.h"

using msp::chooseWorker;
using msp::WorkerLoad;

static WorkerLoad live(size_t rooms, double cpu = 0.0, uint64_t lastChosen = 0) {
  WorkerLoad w;
  w.alive = true;
  w.roomCount = rooms;
  w.cpuUsage = cpu;
  w.lastChosen = lastChosen;
  return w;
}

static void fewest_rooms_wins(void**) {
  assert_int_equal(*chooseWorker({live(3), live(1), live(2)}, 0.05), 1);
}

static void equal_rooms_lower_cpu_wins(void**) {
  assert_int_equal(*chooseWorker({live(1, 0.50), live(1, 0.10), live(2, 0.0)}, 0.05), 1);
}

static void cpu_within_tolerance_goes_to_least_recently_chosen(void**) {
  // 0.12 and 0.10 are within 0.05: worker 0 was chosen longer ago.
  assert_int_equal(*chooseWorker({live(1, 0.12, 3), live(1, 0.10, 7)}, 0.05), 0);
  // Outside the tolerance the lower CPU wins even though it was chosen more recently.
  assert_int_equal(*chooseWorker({live(1, 0.30, 3), live(1, 0.10, 7)}, 0.05), 1);
}

static void closed_workers_are_skipped(void**) {
  WorkerLoad dead = live(0);
  dead.alive = false;
  assert_int_equal(*chooseWorker({dead, live(5), dead}, 0.05), 1);
}

static void no_live_worker_gives_nothing(void**) {
  WorkerLoad dead;
  assert_false(chooseWorker({dead, dead}, 0.05).has_value());
  assert_false(chooseWorker({}, 0.05).has_value());
}

static void all_equal_never_chosen_takes_lowest_index(void**) {
  assert_int_equal(*chooseWorker({live(0), live(0), live(0)}, 0.05), 0);
}

static void all_equal_rotates_by_last_chosen(void**) {
  assert_int_equal(*chooseWorker({live(0, 0, 1), live(0, 0, 2), live(0, 0, 0)}, 0.05), 2);
}

static void one_worker_takes_everything(void**) {
  assert_int_equal(*chooseWorker({live(40, 0.99, 12)}, 0.05), 0);
}

static void seven_rooms_spread_three_two_two(void**) {
  std::vector<WorkerLoad> workers = {live(0), live(0), live(0)};
  uint64_t stamp = 0;
  for (int i = 0; i < 7; ++i) {
    size_t chosen = *chooseWorker(workers, 0.05);
    workers[chosen].roomCount++;
    workers[chosen].lastChosen = ++stamp;
  }
  assert_int_equal(workers[0].roomCount, 3);
  assert_int_equal(workers[1].roomCount, 2);
  assert_int_equal(workers[2].roomCount, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fewest_rooms_wins),
      cmocka_unit_test(equal_rooms_lower_cpu_wins),
      cmocka_unit_test(cpu_within_tolerance_goes_to_least_recently_chosen),
      cmocka_unit_test(closed_workers_are_skipped),
      cmocka_unit_test(no_live_worker_gives_nothing),
      cmocka_unit_test(all_equal_never_chosen_takes_lowest_index),
      cmocka_unit_test(all_equal_rotates_by_last_chosen),
      cmocka_unit_test(one_worker_takes_everything),
      cmocka_unit_test(seven_rooms_spread_three_two_two),
  };
  return cmocka_run_group_tests_name("balancer", tests, nullptr, nullptr);
}
