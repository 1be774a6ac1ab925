// SPDX-License-Identifier: GPL-2.0
// Child processes: one spawn() for clone3 children, bounded waits on pidfds,
// and small channels a child uses to report to the test (children never
// call gtest).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>

#include "unique_fd.h"
#include "uapi.h"

// Generous: under TCG one CPU emulates everything, and a busy VM is slow.
inline constexpr int kTimeoutMs = 30000;

struct Child {
    pid_t pid = -1;
    UniqueFd pidfd; // set when CLONE_PIDFD was passed
    int error = 0;  // errno when the clone failed (pid == -1)
    explicit operator bool() const { return pid > 0; }
};

// The child's code: its return value becomes the exit status (via _exit).
using Body = std::function<int()>;

// clone3() a fork-like child (no CLONE_VM) that runs body and _exit()s.
Child spawn(std::uint64_t flags, int exit_signal, const Body& body);
// The same through legacy clone(2); exit_signal goes into CSIGNAL.
Child spawn_legacy(unsigned long flags, int exit_signal, const Body& body);

// poll() one fd; returns revents, 0 on timeout or error.
short poll_fd(int fd, short events, int timeout_ms = kTimeoutMs);
// True once the pidfd reports POLLHUP (task released).
bool wait_pollhup(int pidfd, int timeout_ms = kTimeoutMs);

// Wait for an ordinary (zombie-producing) child: polls its pidfd (opening
// one if pidfd < 0), then reaps. On timeout the child is SIGKILLed and
// reaped, and nullopt comes back.
std::optional<int> wait_child(pid_t pid, int pidfd = -1, int timeout_ms = kTimeoutMs);

// Run body in an ordinary child process and wait for it (wait_child());
// its wait status, or nullopt when the clone failed or it timed out.
std::optional<int> run_in_process(const Body& body, int timeout_ms = kTimeoutMs);

// PIDFD_GET_INFO asking for mask; nullopt (errno kept) when the ioctl fails.
std::optional<uapi::PidfdInfo> pidfd_info(int pidfd, std::uint64_t mask);

// "exited 42", "killed by signal 9", "killed by signal 11 (core dumped)".
std::string describe_status(int status);

// A connected SOCK_SEQPACKET pair; [0] for the test, [1] for the child.
struct Channel {
    UniqueFd ends[2];
    static Channel make();
};
bool send_msg(int fd, const void* buf, std::size_t len);
// Receive one message within the timeout; returns its length or -1.
long recv_msg(int fd, void* buf, std::size_t len, int timeout_ms = kTimeoutMs);

// Become uid/gid 65534 with no supplementary groups: drops every
// capability. Returns 0 or -1 with errno.
int drop_to_nobody();

// Run fn in a forked helper process (optionally as nobody) and return the
// text it produced. The helper is bounded by timeout_ms; a hung or crashed
// helper yields a description starting with "helper ".
struct HelperResult {
    bool ok = false;     // helper ran fn and exited 0
    std::string text;    // what fn returned, or why the helper failed
};
HelperResult run_helper(const std::function<std::string()>& fn, bool as_nobody,
                        int timeout_ms = kTimeoutMs);

// A pipe a child blocks on until the test opens it, so the test can watch
// the child's pid before it does anything. EOF (the test gave up) opens it too.
struct Gate {
    UniqueFd rd, wr;
    static Gate make();
    explicit operator bool() const { return rd && wr; }
    // In the child: drop our copy of the write end and block until opened;
    // true when opened by open(), false on EOF (the test closed it).
    bool wait();
    bool open();
};

// An orphan: a middle child clones G (flags, exit_signal 0) and exits at
// once, so G is reparented to the nearest subreaper or pid-namespace init
// (the caller, when it is one). G blocks on gate and then exits with code,
// code + 1 if the gate only reached EOF. failure: 0, or 3 when G's pid never
// came, 4 when the middle child failed or G could not be opened.
struct Orphan {
    pid_t pid = -1;
    UniqueFd pidfd; // from pidfd_open(): never an autokill copy
    int failure = 0;
};
Orphan make_orphan(std::uint64_t flags, Gate& gate, int code);
