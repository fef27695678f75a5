// One command of every journaled kind, with every optional field set, unset, and (where a body
// has several) set in a mix, under a stable label ("upsert_customer/all"). The WAL codec's golden
// bytes (codec_golden_test.cc) and credo-wal dump's golden JSON (tests/wal) pin what each of
// these encodes to, so a rewrite of either cannot change the on-disk or printed format unseen.
#pragma once

#include <string>
#include <vector>

#include "engine/command.h"

namespace credo::test {

struct GoldenCommand {
  std::string label;
  Command command;
};

// Fixed forever: the golden strings were recorded from these exact values.
std::vector<GoldenCommand> golden_commands();

// Lower-case hex of `bytes`, two digits a byte.
std::string hex(std::string_view bytes);

}  // namespace credo::test
