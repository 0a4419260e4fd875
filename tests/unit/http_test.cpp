#include <string>

#include "api/HttpServer.h"
#include "cmocka.h"

using msp::resolveStaticPath;

static void serves_files_under_the_root(void**) {
  assert_string_equal(resolveStaticPath("/srv/web", "/index.html").c_str(), "/srv/web/index.html");
  assert_string_equal(resolveStaticPath("/srv/web", "/").c_str(), "/srv/web/index.html");
  assert_string_equal(resolveStaticPath("/srv/web", "/js/app.js").c_str(), "/srv/web/js/app.js");
  assert_string_equal(resolveStaticPath("/srv/web", "/dashboard/").c_str(), "/srv/web/dashboard/index.html");
}

static void refuses_traversal(void**) {
  assert_string_equal(resolveStaticPath("/srv/web", "/../etc/passwd").c_str(), "");
  assert_string_equal(resolveStaticPath("/srv/web", "/js/../../etc/passwd").c_str(), "");
  assert_string_equal(resolveStaticPath("/srv/web", "/./index.html").c_str(), "");
  assert_string_equal(resolveStaticPath("/srv/web", "//etc/passwd").c_str(), "");
  assert_string_equal(resolveStaticPath("/srv/web", "/a\\..\\b").c_str(), "");
  assert_string_equal(resolveStaticPath("/srv/web", "relative").c_str(), "");
}

static void no_root_serves_nothing(void**) {
  assert_string_equal(resolveStaticPath("", "/index.html").c_str(), "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(serves_files_under_the_root),
      cmocka_unit_test(refuses_traversal),
      cmocka_unit_test(no_root_serves_nothing),
  };
  return cmocka_run_group_tests_name("http", tests, nullptr, nullptr);
}
