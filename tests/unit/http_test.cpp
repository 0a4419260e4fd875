#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "api/HttpServer.h"
#include "cmocka.h"

using msp::HttpDocument;
using msp::HttpServer;
using msp::resolveStaticPath;

// A plain HTTP/1.0 request over loopback: the whole response, status line first.
static std::string roundTrip(uint16_t port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return "";
  }
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = write(fd, request.data() + sent, request.size() - sent);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  return response;
}

static std::string get(uint16_t port, const std::string& path) {
  return roundTrip(port, "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n");
}

static uint16_t startOnFreePort(HttpServer& server) {
  std::string error;
  for (uint16_t candidate = 39100; candidate < 39200; ++candidate) {
    if (server.start("127.0.0.1", candidate, error)) return candidate;
  }
  return 0;
}

// The request handler sees any method with its headers, query and body, and sets status and headers; a
// body over the limit reaches it dropped and flagged; paths it does not take fall through to the documents.
static void requests_reach_the_handler_with_their_body(void**) {
  msp::HttpRequest seen;
  HttpServer server([](const std::string&) -> std::optional<HttpDocument> { return std::nullopt; }, "",
                    [&seen](const msp::HttpRequest& request) -> std::optional<HttpDocument> {
                      if (request.path.rfind("/whip/", 0) != 0) return std::nullopt;
                      seen = request;
                      HttpDocument created{201, "answer", "application/sdp", {{"Location", "/whip/r/1"}}};
                      return created;
                    });
  uint16_t port = startOnFreePort(server);
  assert_int_not_equal(port, 0);
  std::string body = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n";
  std::string response = roundTrip(port, "POST /whip/r?display=Ana HTTP/1.0\r\nContent-Type: application/sdp\r\nAuthorization: Bearer t\r\n"
                                        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  assert_non_null(strstr(response.c_str(), " 201 "));
  assert_non_null(strstr(response.c_str(), "Location: /whip/r/1"));
  assert_string_equal(seen.method.c_str(), "POST");
  assert_string_equal(seen.body.c_str(), body.c_str());
  assert_string_equal(seen.display.c_str(), "Ana");
  assert_string_equal(seen.authorization.c_str(), "Bearer t");
  assert_string_equal(seen.contentType.c_str(), "application/sdp");
  std::string huge(HttpServer::kMaxRequestBody + 1, 'x');
  roundTrip(port, "POST /whip/r HTTP/1.0\r\nContent-Length: " + std::to_string(huge.size()) + "\r\n\r\n" + huge);
  assert_true(seen.bodyTooLarge);
  assert_true(seen.body.empty());
  // Not the handler's: GET documents and 405 for other methods, as before.
  assert_non_null(strstr(get(port, "/nothing").c_str(), " 404 "));
  assert_non_null(strstr(roundTrip(port, "DELETE /stats HTTP/1.0\r\n\r\n").c_str(), " 405 "));
  server.stop();
}

// The document handler decides the status: a loop that did not answer is a 503 with its reason, an unknown path
// (no web root) a 404.
static void documents_carry_their_status(void**) {
  HttpServer server([](const std::string& path) -> std::optional<HttpDocument> {
    if (path == "/stats") return HttpDocument::unavailable("the worker did not answer in time");
    if (path == "/workers") return HttpDocument{200, "{}", "application/json", {}};
    return std::nullopt;
  }, "");
  uint16_t port = startOnFreePort(server);
  assert_int_not_equal(port, 0);
  std::string stats = get(port, "/stats");
  assert_int_equal(stats.rfind("HTTP/1.0 503", 0) == 0 || stats.rfind("HTTP/1.1 503", 0) == 0, 1);
  assert_non_null(strstr(stats.c_str(), "503 Service Unavailable: the worker did not answer in time"));
  assert_non_null(strstr(stats.c_str(), "text/plain"));
  std::string workers = get(port, "/workers");
  assert_non_null(strstr(workers.c_str(), " 200 "));
  assert_non_null(strstr(get(port, "/nothing").c_str(), " 404 "));
  server.stop();
}

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
      cmocka_unit_test(documents_carry_their_status),
      cmocka_unit_test(requests_reach_the_handler_with_their_body),
  };
  return cmocka_run_group_tests_name("http", tests, nullptr, nullptr);
}
