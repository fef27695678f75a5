// One input file through credo-edi: the X12 reader's handler that translates each transaction
// set (edi/x12_orders.h), hands the orders to a Backend (credo-server, or none when only
// translating), and writes the 997 per functional group and the 855 per purchase order into
// two output streams. Counts everything for the per-file summary.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "edi/control_state.h"
#include "edi/partner.h"
#include "edi/x12_reader.h"
#include "edi/x12_writer.h"
#include "tools/edi/backend.h"

namespace credo::edi_tool {

struct Stats {
  std::size_t interchanges = 0, groups = 0, sets = 0;
  std::size_t pos = 0, lines = 0;
  std::size_t accepted = 0, held = 0, rejected = 0, failed = 0;  // decisions (failed: ok:false)
  std::size_t refused = 0;     // sets rejected in the 997 (syntax, envelope, unknown partner)
  std::size_t cancelled = 0, changed = 0, ignored = 0, duplicates = 0;
  std::size_t errors = 0;      // diagnostics (outside sets)
  bool edifact = false;        // counted by the EDIFACT session: messages, CONTRL
  std::string summary() const;
};

struct SessionOptions {
  std::string date, time;  // CCYYMMDD, HHMM of the acknowledgments
  bool translate_only = false;
  std::function<void(const std::string&)> emit;  // translate mode: one JSON line per order
  std::function<void(const std::string&)> log;   // diagnostics and notes
  std::function<void(std::string&, std::string&)> drain;  // called when the ack buffers grow (997, 855)
  std::function<void(const Stats&)> progress;    // every 10,000 POs
};

// What the X12 and the EDIFACT sessions share: the counts, the options, the backend, and how a
// decision, a diagnostic, a translated order and a cancel's acknowledgment are handled.
class SessionBase {
 public:
  const Stats& stats() const { return stats_; }
  bool controls_changed() const { return controls_changed_; }

 protected:
  SessionBase(const edi::PartnerBook& book, edi::ControlState* controls, Backend* backend, SessionOptions o)
      : book_(book), controls_(controls), backend_(backend), o_(std::move(o)) {}

  void count(const edi::Decision& d);
  void log_diagnostic(uint64_t byte_offset, uint64_t file_segment, const std::string& message);
  // Hands the two acknowledgment buffers to the caller once either passes 1 MiB.
  void maybe_drain(std::string& first, std::string& second);
  // A set that translated to an order: its notes logged, counted, progress every 10,000.
  void count_po(const std::string& label, const edi::PurchaseOrder& po);
  // The acknowledgment of a cancel request: accepted when credo cancelled it.
  static edi::PoAck cancel_ack(const edi::PurchaseOrder& po, const edi::Decision& d);

  const edi::PartnerBook& book_;
  edi::ControlState* controls_;
  Backend* backend_;
  SessionOptions o_;
  Stats stats_;
  bool controls_changed_ = false;
};

class Session : public edi::X12Handler, public SessionBase {
 public:
  Session(const edi::PartnerBook& book, edi::ControlState* controls, Backend* backend, SessionOptions o)
      : SessionBase(book, controls, backend, std::move(o)) {}

  void interchange_start(const edi::Interchange& isa) override;
  void group_start(const edi::Interchange& isa, const edi::Group& gs) override;
  void transaction(const edi::Interchange& isa, const edi::Group& gs, edi::TransactionSet& set) override;
  void group_end(const edi::Interchange& isa, const edi::Group& gs, const edi::GroupEnd& end) override;
  void interchange_end(const edi::Interchange& isa, bool trailer_ok) override;
  void diagnostic(const edi::Diagnostic& d) override;

  std::string& out997() { return out997_; }
  std::string& out855() { return out855_; }

 private:
  edi::Envelope envelope(const edi::Interchange& isa, const edi::Group& gs, const char* functional_id);
  void begin_855(const edi::Interchange& isa, const edi::Group& gs);
  void ack_po(const edi::PurchaseOrder& po, const edi::Decision& d);

  const edi::Partner* partner_ = nullptr;  // of the current group (envelope), or null
  const edi::Partner* isa_partner_ = nullptr;  // the first partner seen in the interchange
  edi::AckTally tally_;                    // the current group's 997 so far
  std::string out997_, out855_;
  edi::X12Writer w997_{{}, &out997_};
  edi::X12Writer w855_{{}, &out855_};
  bool open997_ = false, open855_ = false;
  std::string group_version_;
  edi::Interchange isa_;
  edi::Group gs_;
};

}  // namespace credo::edi_tool
