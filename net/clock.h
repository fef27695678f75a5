// Business time for the server (docs/protocol.md "Time"): the engine has no clock; the engine
// thread stamps each command with Clock::now() before applying it. Owned and used by the engine
// thread only, so it needs no locking.
#pragma once

#include <chrono>

#include "engine/types.h"

namespace credo::net {

class Clock {
 public:
  enum class Mode { system, manual };

  // system: wall-clock milliseconds; manual: starts at `start_ms` and moves only by set().
  Clock(Mode mode, TimeMs start_ms) : mode_(mode), now_ms_(start_ms) {}

  Mode mode() const { return mode_; }

  // The current business time. Never goes backwards: with the system clock, a wall clock that
  // steps back (NTP) repeats the last value instead, because orders, holds and invoices must
  // stay in time order for expiries and aging to make sense.
  TimeMs now() {
    if (mode_ == Mode::system) {
      TimeMs wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
      if (wall > now_ms_) now_ms_ = wall;
    }
    return now_ms_;
  }

  // Moves time forward (manual clock: set_clock; both: catching up with a recovered engine
  // whose last command is later than the clock). Never moves it back.
  void advance_to(TimeMs t) {
    if (t > now_ms_) now_ms_ = t;
  }

 private:
  Mode mode_;
  TimeMs now_ms_;
};

}  // namespace credo::net
