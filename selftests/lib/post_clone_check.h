// SPDX-License-Identifier: GPL-2.0
// The post-conditions of a clone the kernel accepted, checked by the
// process that made it (a caller, caller.h): the suite's attempts
// (clone_attempt.cpp) and the stress program's fuzzer (stress/
// fuzz_attempt.cpp) both check their children here.
//
// The child's side: a fork-like child runs accepted_child_main() (it
// blocks on a release pipe, except under CLONE_VFORK, then exits with
// accepted_child_code()); a CLONE_VM child runs vm_child_main() on its
// stack (it writes 'T' and exits).
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "unique_fd.h"

// The exit code an accepted child reports: 10, +1 when no_new_privs is set,
// +2 when it is pid 1 of a new pid namespace.
int accepted_child_code(std::uint64_t flags);

// In the child, after clone returned 0: raw syscalls only (it may share
// our memory or signal handlers).
[[noreturn]] void accepted_child_main(std::uint64_t flags, int release_rd);
// A CLONE_VM child's function; arg points to the int done_fd.
int vm_child_main(void* arg);

struct AcceptedClone {
    std::uint64_t flags = 0;
    int exit_signal = 0;          // clone3's exit_signal, or clone(2)'s CSIGNAL byte
    pid_t pid = -1;               // what the clone returned
    UniqueFd pidfd;               // its CLONE_PIDFD pidfd (closed here for autokill)
    int release_wr = -1;          // a byte here lets the child exit
    int vm_done_rd = -1;          // where a CLONE_VM child's 'T' arrives
    bool check_exit_info = false; // the kernel has PIDFD_INFO_EXIT
};

struct CloneProblem {
    bool waitable = false; // an autoreap child was waitable (a zombie)
    std::string text;      // what did not hold, e.g. "CLONE_VM child never ran"
};

struct CloneCheck {
    std::vector<CloneProblem> problems;
    bool sibling = false; // CLONE_PARENT: our parent reaps the child, not checked here
    bool ended = false;   // it ended as our child: its exit signal, if any, was sent
};

// A CLONE_VM child ran; a CLONE_THREAD child is not checked further (a
// thread of ours). Otherwise: CLONE_PIDFD gave a pidfd; the parent has no
// no_new_privs; an autokill child dies when its pidfd closes (unless it
// exited first: CLONE_VFORK, or CLONE_VM without blocking); an autoreap
// child (or pid 1 of a new pid namespace sharing our SIGCHLD handling,
// which exits ignored) is released (POLLHUP), never waitable, with its
// exit info; any other child is reaped with the exit code its flags say.
// Exit signals are the caller's to check (it owns the handlers).
CloneCheck check_accepted_clone(AcceptedClone c);
