// CREDO_ASSERT (engine/assert.h) stays on in Release builds (this suite is built with NDEBUG in
// Release, like the server): a broken invariant stops the process loudly, naming where.
#include "engine/assert.h"

#include <gtest/gtest.h>

namespace credo {
namespace {

TEST(AssertDeathTest, FailedAssertPrintsWhereWhatAndWhyThenAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(CREDO_ASSERT(1 + 1 == 3, "arithmetic is broken"),
               "assert_test\\.cc:[0-9]+: assertion failed: 1 \\+ 1 == 3: arithmetic is broken");
}

TEST(AssertDeathTest, MessageIsOptional) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const int held = 2;
  EXPECT_DEATH(CREDO_ASSERT(held < 1), "assertion failed: held < 1\n");
}

TEST(Assert, HoldingConditionIsEvaluatedOnceAndDoesNothing) {
  int evaluations = 0;
  CREDO_ASSERT(++evaluations == 1, "not reached");
  EXPECT_EQ(evaluations, 1);
#ifdef NDEBUG
  // The point of the macro: the standard assert() would be compiled out here.
  SUCCEED() << "NDEBUG build: CREDO_ASSERT checked anyway";
#endif
}

}  // namespace
}  // namespace credo
