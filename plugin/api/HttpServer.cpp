#include "api/HttpServer.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <cstring>
#include <memory>
#include <fstream>
#include <sstream>

#include "base/Log.h"

namespace msp {
namespace {

MHD_Result sendDocument(MHD_Connection* connection, const HttpDocument& document, bool headOnly) {
  MHD_Response* response = MHD_create_response_from_buffer(headOnly ? 0 : document.body.size(),
                                                           const_cast<char*>(document.body.data()), MHD_RESPMEM_MUST_COPY);
  if (!response) return MHD_NO;
  if (!document.contentType.empty()) MHD_add_response_header(response, "Content-Type", document.contentType.c_str());
  MHD_add_response_header(response, "Cache-Control", "no-store");
  // The dashboard may live elsewhere (or be a file): stats are read-only and public on their bind address.
  MHD_add_response_header(response, "Access-Control-Allow-Origin", "*");
  for (const auto& [name, value] : document.headers) MHD_add_response_header(response, name.c_str(), value.c_str());
  MHD_Result result = MHD_queue_response(connection, document.status, response);
  MHD_destroy_response(response);
  return result;
}

MHD_Result sendBody(MHD_Connection* connection, unsigned status, const std::string& body, const char* contentType,
                    bool headOnly) {
  HttpDocument document{status, body, contentType, {}};
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED) document.headers.emplace_back("Allow", "GET, HEAD");
  return sendDocument(connection, document, headOnly);
}

std::string valueOf(MHD_Connection* connection, MHD_ValueKind kind, const char* key) {
  const char* value = MHD_lookup_connection_value(connection, kind, key);
  return value ? value : "";
}

std::string errorJson(const std::string& message) {
  Json body = Json::object();
  body.set("error", message);
  return body.dump();
}

const char* contentTypeOf(const std::string& path) {
  static const std::pair<const char*, const char*> types[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".ico", "image/x-icon"},              {".map", "application/json"},
  };
  for (const auto& [extension, type] : types) {
    size_t n = std::strlen(extension);
    if (path.size() >= n && path.compare(path.size() - n, n, extension) == 0) return type;
  }
  return "application/octet-stream";
}

}  // namespace

std::string resolveStaticPath(const std::string& root, const std::string& urlPath) {
  if (root.empty() || urlPath.empty() || urlPath[0] != '/') return "";
  std::string relative = urlPath.substr(1);
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  std::stringstream parts(relative);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty() || part == "." || part == ".." || part.find('\\') != std::string::npos) return "";
  }
  if (relative.find('\0') != std::string::npos) return "";
  return root + "/" + relative;
}

HttpServer::HttpServer(DocumentHandler documents, std::string webRoot, RequestHandler requests)
    : documents_(std::move(documents)), requests_(std::move(requests)), webRoot_(std::move(webRoot)) {}

HttpServer::~HttpServer() { stop(); }

bool HttpServer::start(const std::string& ip, uint32_t port, std::string& error) {
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  const sockaddr* address = nullptr;
  // epoll, not select: Janus may hold far more than FD_SETSIZE (1024) fds, and select() cannot watch a socket
  // numbered above that (every connection would be refused).
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
  if (inet_pton(AF_INET, ip.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<uint16_t>(port));
    address = reinterpret_cast<const sockaddr*>(&v4);
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<uint16_t>(port));
    address = reinterpret_cast<const sockaddr*>(&v6);
    flags |= MHD_USE_IPv6;
  } else {
    error = "invalid stats address " + ip;
    return false;
  }
  auto handler = [](void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                    const char* upload, size_t* uploadSize, void** state) -> MHD_Result {
    // libmicrohttpd calls once for the headers, then for each body chunk: the request is kept in *state
    // (freed by the completion callback below) and answered on the last call.
    if (*state == nullptr) {
      *state = std::make_unique<HttpRequest>().release();
      return MHD_YES;
    }
    auto* request = static_cast<HttpRequest*>(*state);
    if (*uploadSize != 0) {
      if (request->body.size() + *uploadSize > kMaxRequestBody) {
        request->bodyTooLarge = true;
        request->body.clear();
      } else if (!request->bodyTooLarge) {
        request->body.append(upload, *uploadSize);
      }
      *uploadSize = 0;
      return MHD_YES;
    }
    return static_cast<MHD_Result>(static_cast<HttpServer*>(cls)->respond(connection, url, method, *request));
  };
  auto completed = [](void*, MHD_Connection*, void** state, MHD_RequestTerminationCode) {
    std::unique_ptr<HttpRequest> owned(static_cast<HttpRequest*>(*state));
    *state = nullptr;
  };
  daemon_ = MHD_start_daemon(flags, static_cast<uint16_t>(port), nullptr, nullptr, handler, this,
                             MHD_OPTION_SOCK_ADDR, address, MHD_OPTION_THREAD_POOL_SIZE, 2u,
                             MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                             MHD_OPTION_NOTIFY_COMPLETED, static_cast<MHD_RequestCompletedCallback>(completed), nullptr,
                             MHD_OPTION_END);
  if (!daemon_) {
    error = "the stats HTTP server could not listen on " + ip + ":" + std::to_string(port) + " (port in use?)";
    return false;
  }
  return true;
}

void HttpServer::stop() {
  if (daemon_) MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

int HttpServer::respond(void* conn, const char* url, const char* method, HttpRequest& request) {
  auto* connection = static_cast<MHD_Connection*>(conn);
  bool head = std::strcmp(method, "HEAD") == 0;
  if (requests_) {
    request.method = method;
    request.path = url ? url : "/";
    request.contentType = valueOf(connection, MHD_HEADER_KIND, "Content-Type");
    request.authorization = valueOf(connection, MHD_HEADER_KIND, "Authorization");
    request.display = valueOf(connection, MHD_GET_ARGUMENT_KIND, "display");
    if (auto document = requests_(request)) return sendDocument(connection, *document, head);
  }
  if (std::strcmp(method, "GET") != 0 && !head) {
    return sendBody(connection, MHD_HTTP_METHOD_NOT_ALLOWED, errorJson("method not allowed"), "application/json", false);
  }
  std::string path = url ? url : "/";
  if (auto document = documents_ ? documents_(path) : std::nullopt) {
    return sendBody(connection, document->status, document->body, document->contentType.c_str(), head);
  }

  std::string file = resolveStaticPath(webRoot_, path);
  struct stat info {};
  if (!file.empty() && stat(file.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return sendBody(connection, MHD_HTTP_OK, content.str(), contentTypeOf(file), head);
  }
  return sendBody(connection, MHD_HTTP_NOT_FOUND, errorJson("not found: " + path), "application/json", head);
}

}  // namespace msp
