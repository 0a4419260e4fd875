#include <vector>

#include "pool/WorkerPool.h"
#include "cmocka.h"

using msp::respawnDelay;
using msp::WorkerPool;

static void a_stable_worker_is_replaced_at_once(void**) {
  auto next = respawnDelay(60000, 4000);  // it had lived a minute: whatever the old backoff, start over
  assert_true(next.delayMs <= 100);
  assert_int_equal(next.nextBackoffMs, 2 * WorkerPool::kInitialBackoffMs);
}

static void a_crash_loop_backs_off_doubling_up_to_a_cap(void**) {
  uint64_t backoff = WorkerPool::kInitialBackoffMs;
  std::vector<uint64_t> delays;
  for (int i = 0; i < 10; ++i) {
    auto next = respawnDelay(50, backoff);  // dies 50 ms after each start
    delays.push_back(next.delayMs);
    backoff = next.nextBackoffMs;
  }
  assert_int_equal(delays[0], 100);
  assert_int_equal(delays[1], 200);
  assert_int_equal(delays[2], 400);
  assert_int_equal(delays[5], 3200);
  assert_int_equal(delays[6], WorkerPool::kMaxBackoffMs);
  assert_int_equal(delays[9], WorkerPool::kMaxBackoffMs);
}

static void stability_resets_the_backoff(void**) {
  auto looping = respawnDelay(10, 1600);
  assert_int_equal(looping.delayMs, 1600);
  auto recovered = respawnDelay(WorkerPool::kStableAfterMs, looping.nextBackoffMs);
  assert_int_equal(recovered.delayMs, WorkerPool::kInitialBackoffMs);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_stable_worker_is_replaced_at_once),
      cmocka_unit_test(a_crash_loop_backs_off_doubling_up_to_a_cap),
      cmocka_unit_test(stability_resets_the_backoff),
  };
  return cmocka_run_group_tests_name("respawn", tests, nullptr, nullptr);
}
