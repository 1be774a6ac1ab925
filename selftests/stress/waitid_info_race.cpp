// SPDX-License-Identifier: GPL-2.0
// The waitid()-versus-PIDFD_GET_INFO race (SPEC §9), thousands of rounds
// of ../lib/waitid_info_race.cpp: ordinary children only, so it runs on any
// kernel with PIDFD_INFO_EXIT, controls included, and always prints the
// two counts (ESRCH replies, replies after the reap without
// PIDFD_INFO_EXIT) so kernels can be compared.
#include "sections.h"
#include "waitid_info_race.h"

namespace stress {

void waitid_info_race(Context& ctx, Report& r)
{
    if (!need(ctx, r, has(Feature::PidfdInfoExit), "PIDFD_INFO_EXIT"))
        return;
    WaitidInfoRace counts;
    constexpr long kBatch = 100;
    while (ctx.budget.more(r.rounds)) {
        run_waitid_info_race(kBatch, static_cast<unsigned>(ctx.rng()), counts);
        r.rounds += kBatch;
        r.children += kBatch;
        if (counts.other)
            break;
    }
    r.note("waitid_info_race: esrch=%ld missing_exit=%ld (%s)", counts.esrch, counts.missing_exit,
           counts.describe().c_str());
    if (!counts.clean())
        r.fail("waitid() racing PIDFD_GET_INFO: %s", counts.describe().c_str());
}

} // namespace stress
