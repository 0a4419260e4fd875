#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>

#include "channel/ProcStats.h"
#include "cmocka.h"

using namespace msp;

static void parses_fields_after_a_tricky_name(void**) {
  // The command name holds spaces and a ')': fields are counted from the last ')'.
  std::string line =
      "4242 (media soup) w) S 1 4242 4242 0 -1 4194560 500 0 0 0 150 50 0 0 20 0 9 0 100 300000000 3500 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  auto sample = parseProcStat(line);
  assert_true(sample.has_value());
  assert_int_equal(sample->cpuTicks, 200);  // utime 150 + stime 50
  assert_int_equal(sample->rssPages, 3500);
}

static void rejects_garbage(void**) {
  assert_false(parseProcStat("").has_value());
  assert_false(parseProcStat("12 (x) S 1 2 3").has_value());
  assert_false(parseProcStat("no parenthesis at all").has_value());
}

static void cpu_share_is_cpu_time_over_wall_time(void**) {
  assert_true(cpuShare(0, 25, 1000, 100) == 0.25);   // 0.25 s of CPU in 1 s
  assert_true(cpuShare(100, 300, 1000, 100) == 2.0); // two cores' worth
  assert_true(cpuShare(5, 5, 1000, 100) == 0.0);
  assert_true(cpuShare(0, 10, 0, 100) == 0.0);       // no interval: nothing to say
  assert_true(cpuShare(10, 5, 1000, 100) == 0.0);    // counters never go back (a new process)
}

static void measures_a_real_busy_process(void**) {
  pid_t child = fork();
  if (child == 0) {
    for (;;) {
    }
  }
  auto before = readProcStat(child);
  auto start = std::chrono::steady_clock::now();
  usleep(400000);
  auto after = readProcStat(child);
  auto wallMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  assert_true(before && after);
  double share = cpuShare(before->cpuTicks, after->cpuTicks, static_cast<uint64_t>(wallMs), sysconf(_SC_CLK_TCK));
  assert_true(share > 0.3);  // a spinning process uses most of a core
  assert_true(share < 1.2);
  assert_true(after->rssPages > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parses_fields_after_a_tricky_name),
      cmocka_unit_test(rejects_garbage),
      cmocka_unit_test(cpu_share_is_cpu_time_over_wall_time),
      cmocka_unit_test(measures_a_real_busy_process),
  };
  return cmocka_run_group_tests_name("procstats", tests, nullptr, nullptr);
}
