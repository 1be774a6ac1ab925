// SPDX-License-Identifier: GPL-2.0
// System state the stress run compares before and after: zombies in /proc,
// this process's open descriptors, slab object counts and kmemleak.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

namespace stress {

struct ProcEntry {
    pid_t pid = 0;
    pid_t ppid = 0;
    pid_t pgrp = 0;
    char state = '?';
    std::string comm;
};

// Every process /proc shows (a snapshot; entries may vanish meanwhile).
std::vector<ProcEntry> processes();
std::vector<ProcEntry> zombies(const std::set<pid_t>& ignore = {});
std::string describe(const ProcEntry& p);
// For a failure message: "state S, wchan pipe_read, syscall 0 ..." of pid.
std::string task_summary(pid_t pid);

// fd number -> readlink target of /proc/self/fd/N.
std::map<int, std::string> open_fds();
bool is_pidfd_target(const std::string& target);

struct SlabCount {
    long active = 0;        // active_objs
    long per_slab = 0;      // objperslab
};
// The caches that track processes, as /proc/slabinfo shows them (empty
// when the kernel has no slabinfo, e.g. SLUB_TINY).
std::map<std::string, SlabCount> slab_counts();
// Flush per-CPU slabs and KASAN's quarantine of those caches, so that
// active_objs means "in use".
void shrink_slabs(const std::map<std::string, SlabCount>& caches);

// Which kernel checkers are live: "lockdep on (N lock classes)" or "lockdep
// off (debug_locks 0: an earlier splat turned it off)", "KASAN built in",
// ...; one phrase per checker this kernel has.
std::string live_checkers();

// kmemleak via debugfs (mounted on demand). available() is false without
// CONFIG_DEBUG_KMEMLEAK or when it was disabled at boot.
namespace kmemleak {
bool available();
// Scan and forget everything found so far; returns how many suspects
// there were.
long clear();
// Objects unreferenced in two scans min_age seconds apart: the first line
// of each report and its first backtrace frame.
std::vector<std::string> suspects();
} // namespace kmemleak

} // namespace stress
