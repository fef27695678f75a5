// credo-edi's file handling: one input file through the reader and a Session, the
// acknowledgments written beside it (or to an output directory) atomically, the control number
// state file, and the drop folder of `credo-edi watch`.
#pragma once

#include <string>

#include "edi/control_state.h"
#include "edi/partner.h"
#include "tools/edi/backend.h"
#include "tools/edi/session.h"

namespace credo::edi_tool {

struct FileResult {
  bool ok = false;  // read to the end with at least one interchange, and the server reachable
  Stats stats;
  std::string ack997, ack855;  // paths written ("" if none)
  std::string error;
};

struct RunOptions {
  std::string out_dir;  // "" : beside the input
  std::string state_file;
  bool quiet = false;
};

// Reads the whole file at `path` ("-": stdin), streaming.
FileResult process_file(const std::string& path, const edi::PartnerBook& book, edi::ControlState* controls,
                        Backend* backend, const RunOptions& o, bool translate_only);

bool load_state(const std::string& path, edi::ControlState* s, std::string* error);
bool save_state(const std::string& path, const edi::ControlState& s, std::string* error);
// Writes `data` to path atomically (temporary file, fsync, rename).
bool write_atomically(const std::string& path, const std::string& data, std::string* error);

// The drop folder: files put in `dir` (complete: written elsewhere or under a name starting with
// '.' or ending in .tmp/.part, then renamed in) are claimed by a rename into dir/work/,
// processed, and moved to dir/done/ or dir/failed/, their acknowledgments to dir/out/. A file
// left in work/ by a crash is processed again at start (credo's idempotency by customer and PO
// number makes the resubmission a no-op). once: stop when the folder is empty.
int watch(const std::string& dir, const edi::PartnerBook& book, const ServerOptions& server, bool once,
          int interval_ms);

std::string utc_date();  // CCYYMMDD
std::string utc_time();  // HHMM

}  // namespace credo::edi_tool
