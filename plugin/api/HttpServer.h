// The stats HTTP server (libmicrohttpd, its own threads): GET /stats, /workers and /metrics, and static files
// from the configured web root. The document handler gets its answers from the core's loop.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/Json.h"

struct MHD_Daemon;

namespace msp {

struct HttpDocument {
  unsigned status = 200;
  std::string body;
  std::string contentType;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type, Cache-Control and CORS
  // 503 with a line of text saying why (the loop did not answer in time, the plugin is stopping).
  static HttpDocument unavailable(const std::string& why) {
    return {503, "503 Service Unavailable: " + why + "\n", "text/plain; charset=utf-8", {}};
  }
};

// A request with what the WHIP endpoint reads of it.
struct HttpRequest {
  std::string method;
  std::string path;
  std::string contentType;    // Content-Type
  std::string authorization;  // Authorization
  std::string display;        // ?display=
  std::string body;
  bool bodyTooLarge = false;  // over kMaxRequestBody: the body was dropped
};

class HttpServer {
 public:
  static constexpr size_t kMaxRequestBody = 256 * 1024;
  // The document of a path ("/stats", "/workers", "/metrics"), or nullopt when the path is not one of them
  // (then a static file, or 404).
  using DocumentHandler = std::function<std::optional<HttpDocument>(const std::string& path)>;

  // Any method: the answer to a request, or nullopt when its path is not the handler's (WHIP: /whip/…).
  using RequestHandler = std::function<std::optional<HttpDocument>(const HttpRequest& request)>;

  HttpServer(DocumentHandler documents, std::string webRoot, RequestHandler requests = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  bool start(const std::string& ip, uint32_t port, std::string& error);
  void stop();

  // Internal: called from libmicrohttpd's callback once the request (and its body) is in.
  int respond(void* connection, const char* url, const char* method, HttpRequest& request);

 private:
  DocumentHandler documents_;
  RequestHandler requests_;
  std::string webRoot_;
  MHD_Daemon* daemon_ = nullptr;
};

// The file under root that a URL path names, or "" when it would leave root (.., absolute, NUL, …).
std::string resolveStaticPath(const std::string& root, const std::string& urlPath);

}  // namespace msp
