// SPDX-License-Identifier: GPL-2.0
// The checks after every section has run: zombies left in /proc, descriptors
// leaked, slab objects of the process caches, kmemleak; and the run's
// totals for the summary.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "kernel_checkers.h"
#include "proc_state.h"
#include "stress.h"

namespace stress {

struct SystemBaseline {
    std::set<pid_t> zombies;               // already there at the start
    std::map<int, std::string> fds;        // main's own descriptors
    std::map<std::string, SlabCount> slabs;
    bool kmemleak = false;
    long kmemleak_before = 0;              // suspects found (and cleared) at the start
};

// Taken before the first section (shrinks slabs, scans and clears kmemleak).
SystemBaseline take_baseline();

struct Totals {
    long children = 0, clone3_tries = 0, pidfd_info_tries = 0, disagreements = 0, violations = 0;
    long zombies_seen = 0;
    long fds_leaked = 0, pidfds_leaked = 0, stragglers = 0;
    long zombies_left = -1, kmemleak_new = -1; // -1: not measured
    std::string slab_deltas = "not measured";
    std::string checkers;                    // live_checkers() at the end
    double seconds = 0;
    // The volume sections (-1: not run): children made, seconds taken.
    long volume_autoreap_children = -1, volume_autokill_children = -1;
    double volume_autoreap_seconds = 0, volume_autokill_seconds = 0;

    void add(const char* section, const Report& r, double section_seconds = 0);
    // "key: value" lines (the summary block of the report).
    std::vector<std::string> summary(const Options& opt) const;
};

struct LeakVerdict {
    bool ok = true;
    std::string skip;
    std::vector<std::string> lines;
};

struct LeakCheck {
    const char* name;
    LeakVerdict (*fn)(const SystemBaseline&, Totals&);
};

const std::vector<LeakCheck>& leak_checks();

} // namespace stress
