// SmallVec<T, N>: boost::container::small_vector with moves declared noexcept.
//
// An order's lines travel with every request (engine/command.h LineRequests, engine/result.h
// LineViews): keeping up to N in place means a request of a few lines allocates nothing
// (issue 12). boost's small_vector does not declare its moves noexcept, so a struct holding one
// would lose its own noexcept moves, and std::vector and std::variant would copy such structs
// where they could move them. The moves here cannot throw for a T whose moves cannot: the
// source's elements either move into the destination's N in-place slots (it always has at
// least N) or its heap buffer changes owner; nothing is allocated.
#pragma once

#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>

#include <boost/container/small_vector.hpp>

namespace credo {

template <typename T, std::size_t N>
class SmallVec : public boost::container::small_vector<T, N> {
  using Base = boost::container::small_vector<T, N>;
  static_assert(std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>);

 public:
  using Base::Base;
  SmallVec() = default;
  SmallVec(const SmallVec&) = default;
  SmallVec& operator=(const SmallVec&) = default;
  ~SmallVec() = default;
  // Nothing here can throw (see the top of the file); the handlers say so to the compiler and
  // to clang-tidy, which cannot see it through boost's code.
  SmallVec(SmallVec&& o) noexcept {
    try {
      Base::operator=(std::move(static_cast<Base&>(o)));
    } catch (...) {
      std::terminate();
    }
  }
  SmallVec& operator=(SmallVec&& o) noexcept {
    try {
      Base::operator=(std::move(static_cast<Base&>(o)));
    } catch (...) {
      std::terminate();
    }
    return *this;
  }
};

}  // namespace credo
