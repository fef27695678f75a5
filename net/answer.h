// What flows between the server's stages (docs/architecture.md): a Job goes from the I/O thread
// to the engine thread; an Answer comes back as plain data and is serialized only on the I/O
// thread, by the session that owns the connection, straight into its output buffer.
//
// Why the engine thread does not format JSON: serialization is the edge's business (the TCP edge
// writes an NDJSON envelope with the request's id; an HTTP edge writes a status line and a body),
// and every byte the single writer spends formatting is a byte of throughput lost for everyone.
// An Answer is values only (no pointers into engine state), so it may cross threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/command.h"
#include "engine/result.h"
#include "net/codec.h"

namespace credo::net {

struct Answer;

// Where answers go back to: a connection of either edge (net/session.h for TCP,
// net/http_session.h for HTTP). Every method runs on the I/O thread.
class Connection {
 public:
  virtual ~Connection() = default;
  // An answer from the engine thread for request `req_no`; serialized when its turn comes.
  virtual void complete(uint64_t req_no, Answer&& answer) = 0;
  // Shutdown: read nothing more, answer what was read, then close.
  virtual void drain() = 0;
};

// A request on its way to the engine thread.
struct Job {
  std::shared_ptr<Connection> session;
  uint64_t req_no = 0;  // the request's position on its connection
  Principal principal;
  Request request;
};

// An answer on its way back to the I/O thread. One of: an engine Result (which carries errors
// too), a finished snapshot, or a state hash. `op_id` says which op produced it
// (engine/ops.h): the writer picks the answer's shape from it.
struct Answer {
  enum class Kind : uint8_t { result, snapshot, state_hash };
  Kind kind = Kind::result;
  OpId op_id = 0;
  std::string id_json;
  Result result;  // kind == result
  // kind == snapshot: seq, file; kind == state_hash: seq, durable_seq, hash.
  uint64_t seq = 0;
  uint64_t durable_seq = 0;
  uint64_t hash = 0;
  std::string file;
  // kind == result of a query on a standby: the seq its state is at ("as_of_seq"); 0: none.
  uint64_t as_of_seq = 0;

  static Answer error(std::string_view id_json, Error e) {
    Answer a;
    a.id_json.assign(id_json);
    a.result.error = std::move(e);
    return a;
  }
};

// Appends the answer's response line (ending in '\n') to `out`. I/O thread.
void write_answer(std::string& out, const Answer& a);

// An answer and where it goes.
struct Completion {
  std::shared_ptr<Connection> session;
  uint64_t req_no = 0;
  uint64_t seq = 0;  // > 0: a state change; released only when durable_seq >= seq
  Answer answer;
};

}  // namespace credo::net
