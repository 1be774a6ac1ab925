// SPDX-License-Identifier: GPL-2.0
// The kernel's own checkers, which the stress run compares before and
// after: slab object counts, lockdep and KASAN, kmemleak. (Processes and
// descriptors: ../lib/proc_state.h.)
#pragma once

#include <map>
#include <string>
#include <vector>

namespace stress {

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
