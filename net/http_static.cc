#include "net/http_static.h"

#include <string>

#include "net/http_response.h"

namespace credo::net {

namespace {

// Cache-Control: the browser may keep a file but must ask again (the ETag makes that a 304), so
// a new binary's console is picked up on the next load. The CSP allows only this origin.
constexpr std::string_view kStaticHeaders =
    "Cache-Control: no-cache\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'\r\n";

void error_page(std::string& out, unsigned status, std::string_view extra, std::string_view text) {
  std::string body = "{\"ok\":false,\"error\":{\"code\":\"";
  body.append(status == 404 ? "NOT_FOUND" : "BAD_REQUEST");
  body.append("\",\"message\":\"");
  body.append(text);  // fixed texts below, nothing from the request
  body.append("\"}}\n");
  append_http_response(out, status, extra, body, false);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view static_content_type(std::string_view name) {
  if (ends_with(name, ".html")) return "text/html; charset=utf-8";
  if (ends_with(name, ".js")) return "text/javascript; charset=utf-8";
  if (ends_with(name, ".css")) return "text/css; charset=utf-8";
  if (ends_with(name, ".svg")) return "image/svg+xml";
  if (ends_with(name, ".png")) return "image/png";
  if (ends_with(name, ".ico")) return "image/x-icon";
  if (ends_with(name, ".json")) return "application/json";
  return "application/octet-stream";
}

bool serve_console(std::string& out, std::string_view method, std::string_view path,
                   std::string_view if_none_match) {
  if (!path.starts_with(kConsolePrefix)) return false;
  std::string_view rest = path.substr(kConsolePrefix.size());
  if (!rest.empty() && rest.front() != '/') return false;  // "/consoles" is not ours
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    error_page(out, 405, "Allow: GET, HEAD\r\n", "the console is read with GET");
    return true;
  }
  if (rest.empty()) {
    append_http_response(out, 301, "Location: /console/\r\n", "", false, "text/plain");
    return true;
  }
  rest.remove_prefix(1);
  if (rest.empty()) rest = "index.html";
  for (const StaticFile& f : console_files()) {
    if (f.name != rest) continue;
    std::string headers(kStaticHeaders);
    headers.append("ETag: ").append(f.etag).append("\r\n");
    if (!if_none_match.empty() &&
        (if_none_match == f.etag || if_none_match.find(f.etag) != std::string_view::npos)) {
      append_http_response(out, 304, headers, "", false, static_content_type(f.name));
      return true;
    }
    append_http_response(out, 200, headers, f.bytes, false, static_content_type(f.name));
    if (head) out.resize(out.size() - f.bytes.size());
    return true;
  }
  error_page(out, 404, {}, "no such console file");
  return true;
}

}  // namespace credo::net
