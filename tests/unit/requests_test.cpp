#include <cstring>
#include <string>

#include "Requests.h"
#include "cmocka.h"

using namespace msp;

static std::variant<Request, ApiError> parse(const char* text) {
  Json body = Json::parse(text);
  return parseRequest(body.get());
}

static int errorCode(const std::variant<Request, ApiError>& result) {
  const ApiError* error = std::get_if<ApiError>(&result);
  return error ? error->code : 0;
}

static void create_with_and_without_room(void**) {
  auto named = parse("{\"request\":\"create\",\"room\":\"r1\"}");
  assert_string_equal(std::get<request::Create>(std::get<Request>(named)).room->c_str(), "r1");
  auto generated = parse("{\"request\":\"create\"}");
  assert_false(std::get<request::Create>(std::get<Request>(generated)).room.has_value());
}

static void integer_room_becomes_a_string(void**) {
  auto result = parse("{\"request\":\"exists\",\"room\":1234}");
  assert_string_equal(std::get<request::Exists>(std::get<Request>(result)).room.c_str(), "1234");
}

static void join_and_display(void**) {
  auto result = parse("{\"request\":\"join\",\"room\":\"r\",\"display\":\"Ann\"}");
  auto& join = std::get<request::Join>(std::get<Request>(result));
  assert_string_equal(join.room.c_str(), "r");
  assert_string_equal(join.display.c_str(), "Ann");
  assert_int_equal(errorCode(parse("{\"request\":\"join\",\"room\":\"r\",\"display\":5}")), kInvalidElement);
}

static void missing_elements(void**) {
  assert_int_equal(errorCode(parse("{}")), kMissingElement);
  assert_int_equal(errorCode(parse("{\"request\":\"destroy\"}")), kMissingElement);
  assert_int_equal(errorCode(parse("{\"request\":\"join\"}")), kMissingElement);
  assert_int_equal(errorCode(parse("{\"request\":\"exists\"}")), kMissingElement);
}

static void invalid_elements(void**) {
  assert_int_equal(errorCode(parse("[]")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":7}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":true}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":1.5}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":{}}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":\"\"}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":\"a\\u0001b\"}")), kInvalidElement);
  std::string longest = "{\"request\":\"create\",\"room\":\"" + std::string(kMaxRoomIdBytes, 'x') + "\"}";
  assert_int_equal(errorCode(parse(longest.c_str())), 0);
  std::string tooLong = "{\"request\":\"create\",\"room\":\"" + std::string(kMaxRoomIdBytes + 1, 'x') + "\"}";
  assert_int_equal(errorCode(parse(tooLong.c_str())), kInvalidElement);
}

static void unknown_request(void**) {
  auto result = parse("{\"request\":\"fly\"}");
  assert_int_equal(errorCode(result), kUnknownRequest);
  assert_non_null(strstr(std::get<ApiError>(result).message.c_str(), "fly"));
}

static void admin_requests(void**) {
  Json stats = Json::parse("{\"request\":\"stats\"}");
  assert_true(std::get<AdminRequest>(parseAdminRequest(stats.get())) == AdminRequest::Stats);
  Json workers = Json::parse("{\"request\":\"workers\"}");
  assert_true(std::get<AdminRequest>(parseAdminRequest(workers.get())) == AdminRequest::Workers);
  Json other = Json::parse("{\"request\":\"reboot\"}");
  assert_int_equal(std::get<ApiError>(parseAdminRequest(other.get())).code, kUnknownRequest);
  Json none = Json::parse("{}");
  assert_int_equal(std::get<ApiError>(parseAdminRequest(none.get())).code, kMissingElement);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(create_with_and_without_room),
      cmocka_unit_test(integer_room_becomes_a_string),
      cmocka_unit_test(join_and_display),
      cmocka_unit_test(missing_elements),
      cmocka_unit_test(invalid_elements),
      cmocka_unit_test(unknown_request),
      cmocka_unit_test(admin_requests),
  };
  return cmocka_run_group_tests_name("requests", tests, nullptr, nullptr);
}
