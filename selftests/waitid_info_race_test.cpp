// SPDX-License-Identifier: GPL-2.0
// waitid() reaping an ordinary child while another thread asks
// PIDFD_GET_INFO for PIDFD_INFO_EXIT (SPEC §9 parity): never ESRCH, and
// once waitid() returned always the exit info, with waitid()'s status.
// clone3_stress's waitid_info_race runs the same thousands of times.
// Ordinary children only, but not a Prereq test: upstream before 7.1 has
// the race (Debian 6.18.15: 6 ESRCH in 300 rounds, 7.0.13: 1), so the
// test is gated on CLONE_AUTOREAP, which only kernels that must be at
// parity (the series, the 7.1+ oracle) have; controls skip it.
#include <cstdio>
#include <gtest/gtest.h>

#include "require_feature.h"
#include "waitid_info_race.h"

// 80 rounds (under a second on TCG): no ESRCH, no reply after the reap
// without PIDFD_INFO_EXIT or with a status other than waitid()'s, and no
// reply that describes the child neither alive nor reaped.
TEST(PidfdInfoParity, WaitidReapRacingGetInfo)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    WaitidInfoRace counts;
    run_waitid_info_race(80, 1, counts);
    EXPECT_GT(counts.after_reap, 0) << "replies after the reap were made";
    EXPECT_EQ(counts.esrch, 0) << counts.describe();
    EXPECT_EQ(counts.missing_exit, 0) << counts.describe();
    EXPECT_EQ(counts.wrong_status, 0) << counts.describe();
    EXPECT_EQ(counts.empty, 0) << counts.describe();
    EXPECT_EQ(counts.other, 0) << counts.describe();
    std::fprintf(stderr, "clone3_selftests: waitid_info_race: %s\n", counts.describe().c_str());
}
