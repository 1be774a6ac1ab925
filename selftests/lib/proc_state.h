// SPDX-License-Identifier: GPL-2.0
// What /proc says: processes and their states, a task's whereabouts, this
// process's descriptors and capabilities, and bounded waits for a task to
// reach a syscall or a state. Read afresh every time: a snapshot, whose
// entries may vanish meanwhile.
#pragma once

#include <map>
#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

#include "child.h"

// A whole file (up to limit bytes), "" when it cannot be opened; and
// text written in one write(2), true when all of it went.
std::string read_text_file(const std::string& path, std::size_t limit = 1 << 20);
bool write_text_file(const std::string& path, const char* text);

struct ProcEntry {
    pid_t pid = 0;
    pid_t ppid = 0;
    pid_t pgrp = 0;
    char state = '?';
    std::string comm;
};

// Every process /proc shows.
std::vector<ProcEntry> processes();
std::vector<ProcEntry> zombies(const std::set<pid_t>& ignore = {});
// "pid 12 (comm) state Z ppid 1".
std::string describe(const ProcEntry& p);
// For a failure message: "state S, ppid 1, wchan pipe_read, syscall 0 ..." of pid.
std::string task_summary(pid_t pid);

// fd number -> readlink target of /proc/self/fd/N.
std::map<int, std::string> open_fds();
bool is_pidfd_target(const std::string& target);

// Entries of a directory such as /proc/PID/task or /proc/self/fd, "." and
// ".." not counted; -1 if it cannot be opened.
int count_entries(const std::string& dir);

// CAP_SYS_ADMIN in our effective set (/proc/self/status CapEff bit 21).
bool have_cap_sys_admin();

// Debian's kernel.unprivileged_userns_clone; absent means allowed.
bool userns_clone_sysctl();

// The path of this very binary, for exec-based helpers.
std::string self_exe();

// Spin (yielding) until /proc/PID/syscall shows the task blocked in syscall
// nr, or the timeout passes. For tests that must release a peer only once
// it sleeps in a given call.
bool wait_until_in_syscall(pid_t pid, long nr, int timeout_ms = kTimeoutMs);
// The same for the state letter of /proc/PID/task/TID/stat ('Z': zombie).
bool wait_until_state(pid_t pid, pid_t tid, char state, int timeout_ms = kTimeoutMs);
