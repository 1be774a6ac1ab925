// SPDX-License-Identifier: GPL-2.0
// One clone3() attempt with arbitrary flags, made in a throwaway helper
// process (optionally as nobody) so that a wrong outcome can never corrupt
// the test process. When the kernel accepts, the helper also checks the
// basic post-conditions of the flags and reports what did not hold.
#pragma once

#include <cstdint>
#include <string>

struct AttemptOptions {
    std::uint64_t flags = 0;
    int exit_signal = 0;
    bool as_nobody = false;     // drop to uid 65534 (no capabilities) first
    bool check_exit_info = false; // the kernel has PIDFD_INFO_EXIT
};

struct AttemptResult {
    bool ran = false;     // the helper reported; otherwise see problems
    int error = 0;        // errno of clone3, 0 when accepted
    std::string problems; // post-conditions that failed, "" if all held
};

AttemptResult attempt_clone3(const AttemptOptions& opt);

// The exit code an accepted child reports: 10, +1 when no_new_privs is set,
// +2 when it is pid 1 of a new pid namespace.
int attempt_child_code(std::uint64_t flags);
