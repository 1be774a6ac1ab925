// SPDX-License-Identifier: GPL-2.0
// Tests that spawn hundreds of children run their body in a fresh image of
// the suite binary. Under TCG a fork costs about 0.15 ms for every MB of
// the forking process's anonymous memory (its page table entries are
// copied, and torn down again at the child's exit), and the suite process
// carries the ten thousand tests gtest has registered; a fresh image
// started with --fresh-image registers no flag-matrix cases and forks at
// a fraction of that cost.
//
//   TEST(Suite, Name)
//   {
//       REQUIRE_FEATURE(...);
//       IN_FRESH_IMAGE(); // the rest runs in a fresh image
//       ...
//   }
//
// The suite process re-runs the same test there (--gtest_filter=Suite.Name,
// its KTAP on a pipe) and reports its outcome as its own: each failure
// with its message, a skip with its reason. A fresh image that dies or
// hangs fails the test. The statements before IN_FRESH_IMAGE() run in both.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include <gtest/gtest.h>

namespace fresh_image {

// Set by main for --fresh-image, before gtest registers the tests.
void enter();
// True in a fresh image.
bool inside();
// Run the current test in a fresh image and report its outcome here.
void run_current_test();

// What a fresh image made of one test.
struct Outcome {
    bool hung = false;     // killed at the timeout
    bool reported = false; // a result line was there
    bool ok = false;
    std::string skip;      // the SKIP reason, when skipped
    std::string messages;  // the diagnostics before the result
    int status = 0;        // the fresh image's wait status
    std::string ktap;      // all it wrote
};
// Run the test full_name ("Suite.Name") in a fresh image; extra_args
// go after the gtest flags. as_fresh_image = false runs it in a new suite
// process instead (whose IN_FRESH_IMAGE() starts a fresh image in turn).
Outcome run(const std::string& full_name, const std::vector<std::string>& extra_args = {},
            bool as_fresh_image = true);
// Start a fresh image of this binary with args (after argv[0]) and fd as
// its descriptor 3, its stdout on /dev/null; its pid, or -1 with errno.
pid_t start(const std::vector<std::string>& args, int fd);

} // namespace fresh_image

#define IN_FRESH_IMAGE()                              \
    do {                                              \
        if (!::fresh_image::inside()) {               \
            ::fresh_image::run_current_test();        \
            return;                                   \
        }                                             \
    } while (0)
