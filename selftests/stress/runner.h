// SPDX-License-Identifier: GPL-2.0
// Runs one section in a process of its own (its own process group), bounded
// by its budget plus a grace period; afterwards checks that it left no
// descriptor open, and that none of its processes is still running or a
// zombie.
#pragma once

#include "stress.h"

namespace stress {

struct SectionRun {
    bool completed = false; // the section's process exited 0
    std::string trouble;    // why not (crash, time limit)
    double seconds = 0;     // the section's process, fork to exit
    double settle_seconds = 0; // then until its process group was empty
};

// index: the section's place in sections(), which seeds its generator (so
// that --seed replays it also under a filter).
SectionRun run_section(const Section& s, int index, const Options& opt, bool cap_sys_admin);

} // namespace stress
