// The stats HTTP server (libmicrohttpd, its own threads): GET /stats, GET /workers, and static files from the
// configured web root. Handlers get their JSON from the core's loop.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/Json.h"

struct MHD_Daemon;

namespace msp {

class HttpServer {
 public:
  // The JSON for an API path ("/stats", "/workers"), or a null Json when the path is not an API path.
  using ApiHandler = std::function<Json(const std::string& path)>;
  // The text document of a path ("/metrics"), or nullopt when the path is not one.
  using TextHandler = std::function<std::optional<std::string>(const std::string& path)>;

  HttpServer(ApiHandler api, TextHandler text, std::string webRoot);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  bool start(const std::string& ip, uint32_t port, std::string& error);
  void stop();

  // Internal: called from libmicrohttpd's callback.
  int respond(void* connection, const char* url, const char* method);

 private:
  ApiHandler api_;
  TextHandler text_;
  std::string webRoot_;
  MHD_Daemon* daemon_ = nullptr;
};

// The file under root that a URL path names, or "" when it would leave root (.., absolute, NUL, …).
std::string resolveStaticPath(const std::string& root, const std::string& urlPath);

}  // namespace msp
