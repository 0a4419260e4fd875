// Entity and room ids: the shape mediasoup expects (UUID v4) and no repeats, across many refills of the
// per-thread random pool and from several threads at once.
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/Ids.h"
#include "cmocka.h"

static bool isUuidV4(const std::string& id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (id[i] == '-')) return false;
    if (!dash && !((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))) return false;
  }
  return id[14] == '4' && (id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
}

static void uuids_are_version_4_and_distinct(void**) {
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) {  // 20,000 × 16 bytes: hundreds of pool refills
    std::string id = msp::newUuid();
    assert_true(isUuidV4(id));
    assert_true(seen.insert(id).second);
  }
}

static void threads_draw_distinct_ids(void**) {
  std::vector<std::vector<std::string>> drawn(4);
  std::vector<std::thread> threads;
  for (auto& ids : drawn) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 5000; ++i) ids.push_back(msp::newUuid());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> seen;
  for (const auto& ids : drawn) {
    for (const auto& id : ids) assert_true(seen.insert(id).second);
  }
  assert_int_equal(seen.size(), 20000);
}

static void room_ids_are_url_safe(void**) {
  std::set<std::string> seen;
  for (int i = 0; i < 5000; ++i) {
    std::string id = msp::randomRoomId();
    assert_int_equal(id.size(), 16);
    for (char c : id) {
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      assert_true(ok);
    }
    assert_true(seen.insert(id).second);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(uuids_are_version_4_and_distinct),
      cmocka_unit_test(threads_draw_distinct_ids),
      cmocka_unit_test(room_ids_are_url_safe),
  };
  return cmocka_run_group_tests_name("ids", tests, nullptr, nullptr);
}
