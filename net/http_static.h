// The web console's static files (console/, docs/console.md), embedded into the binary at build
// time (net/http_static_embed.cmake writes the generated .cc) and served by the HTTP edge at
// GET /console/ (index.html) and /console/<file>. Names are matched exactly against the embedded
// list, never against the file system, so there is no path to traverse.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace credo::net {

struct StaticFile {
  std::string_view name;  // "index.html", "app.js" (no directories)
  std::string_view bytes;
  std::string_view etag;  // a quoted strong tag: the first 16 hex digits of the SHA-256
};

// The embedded console files (generated).
std::span<const StaticFile> console_files();

// The URL prefix the console lives under.
inline constexpr std::string_view kConsolePrefix = "/console";

// The Content-Type for a file name by its extension ("application/octet-stream" if unknown).
std::string_view static_content_type(std::string_view name);

// True if `path` is the console's (kConsolePrefix or under it); then appends the whole response
// to `out`: 200 with the file (HEAD: without the body), 304 when `if_none_match` names its ETag,
// 301 from /console to /console/, 404 for a name that is not embedded, 405 for other methods.
bool serve_console(std::string& out, std::string_view method, std::string_view path,
                   std::string_view if_none_match);

}  // namespace credo::net
