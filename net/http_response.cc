#include "net/http_response.h"

#include <boost/beast/http/status.hpp>

#include "net/codec.h"
#include "net/json_writer.h"

namespace credo::net {

unsigned http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::OK:
      return 200;
    case ErrorCode::BAD_JSON:
    case ErrorCode::BAD_REQUEST:
      return 400;
    case ErrorCode::UNAUTHENTICATED:
      return 401;
    case ErrorCode::FORBIDDEN:
      return 403;
    case ErrorCode::NOT_FOUND:
    case ErrorCode::UNKNOWN_OP:
      return 404;
    case ErrorCode::INVALID_STATE:
    case ErrorCode::DUPLICATE:
      return 409;
    case ErrorCode::LINE_TOO_LONG:
      return 413;
    case ErrorCode::OVERLOADED:
    case ErrorCode::NOT_PRIMARY:  // this node is a standby: the message names the primary
    case ErrorCode::UNAVAILABLE:  // the journal cannot take changes now: retry (docs/protocol.md)
      return 503;
    case ErrorCode::INTERNAL:
      return 500;
  }
  return 500;
}

std::string error_headers(ErrorCode code) {
  if (code == ErrorCode::UNAUTHENTICATED) return "WWW-Authenticate: Bearer realm=\"credo\"\r\n";
  if (code == ErrorCode::OVERLOADED || code == ErrorCode::UNAVAILABLE) return "Retry-After: 1\r\n";
  return {};
}

void append_http_response(std::string& out, unsigned status, std::string_view extra_headers,
                          std::string_view body, bool close, std::string_view content_type) {
  out.append("HTTP/1.1 ");
  append_uint(out, status);
  out.push_back(' ');
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  out.append(reason.data(), reason.size());
  out.append("\r\nContent-Type: ");
  out.append(content_type);
  out.append("\r\nContent-Length: ");
  append_uint(out, body.size());
  out.append("\r\n");
  out.append(extra_headers);
  if (close) out.append("Connection: close\r\n");
  out.append("\r\n");
  out.append(body);
}

void append_answer_response(std::string& out, const Answer& a, bool close) {
  thread_local std::string body;
  body.clear();
  write_answer(body, a);
  const ErrorCode code = a.kind == Answer::Kind::result ? a.result.error.code : ErrorCode::OK;
  append_http_response(out, http_status(code), error_headers(code), body, close);
}

void append_error_response(std::string& out, const Error& e, std::string_view id_json, bool close,
                           std::string_view extra_headers) {
  thread_local std::string body;
  body.clear();
  write_error(body, id_json, e);
  std::string headers = error_headers(e.code);
  headers.append(extra_headers);
  append_http_response(out, http_status(e.code), headers, body, close);
}

}  // namespace credo::net
