// SPDX-License-Identifier: GPL-2.0
// clone3()/clone() attempts with arbitrary flags, made in throwaway helper
// processes (as root, as nobody, or as an autoreap child) so that a wrong
// outcome can never corrupt the test process.
//
// attempt_clone(): one attempt; when the kernel accepts, the helper also
// checks the flags' post-conditions (post_clone_check.h) and its exit
// signal, and reports what did not hold.
// attempt_batch(): many attempts expected to fail, one helper for all of
// them: each is still its own syscall and gets its own errno, at the cost
// of one fork per batch instead of one per attempt. A batch helper that
// hangs or dies costs only the attempt it was making; the batch resumes
// in a new helper after it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "caller.h"

struct AttemptOptions {
    std::uint64_t flags = 0;
    int exit_signal = 0;
    CallerKind caller = CallerKind::Root;
    bool check_exit_info = false; // the kernel has PIDFD_INFO_EXIT
    bool legacy = false;          // clone(2): exit_signal goes into CSIGNAL
};

struct AttemptResult {
    bool ran = false;     // the helper reported; otherwise see problems
    int error = 0;        // errno of the syscall, 0 when accepted
    std::string problems; // post-conditions that failed, "" if all held
};

AttemptResult attempt_clone(const AttemptOptions& opt);
inline AttemptResult attempt_clone3(const AttemptOptions& opt) { return attempt_clone(opt); }

// attempt_clone() in the attempt server: a fresh image of the suite
// (fresh_image.h, started with --attempt-server) that makes each attempt
// it is sent, so the helper and the child fork from a small process
// instead of the suite's (the flag matrix makes thousands). The server
// is this process's child until stop_attempt_server(), which a test suite
// that uses it calls when it ends. A server that dies or hangs fails the
// attempt it was making; the next attempt starts a new one.
AttemptResult attempt_clone_in_server(const AttemptOptions& opt);
void stop_attempt_server();
// main() for --attempt-server: serve the requests on fd until EOF.
int serve_attempts(int fd);

// Every attempt in one helper; all must share the caller. No post-conditions: an accepted attempt's child exits
// at once and is cleaned up, and its result says error 0.
std::vector<AttemptResult> attempt_batch(const std::vector<AttemptOptions>& opts);
