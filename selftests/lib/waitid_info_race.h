// SPDX-License-Identifier: GPL-2.0
// The waitid()-versus-PIDFD_GET_INFO race (SPEC §9), shared by the suite
// (waitid_info_race_test.cpp, a few hundred rounds) and clone3_stress
// (stress/waitid_info_race.cpp, many thousands): one thread reaps an
// ordinary child with waitid(P_PIDFD, WEXITED) while another loops
// PIDFD_GET_INFO(PIDFD_INFO_EXIT) on the same pidfd. pidfs_exit() records
// the exit info before the task is unhashed, so no reply may be ESRCH,
// once waitid() has returned every reply carries PIDFD_INFO_EXIT with
// the status waitid() reported, and every reply describes the child
// either alive (PIDFD_INFO_PID) or reaped (PIDFD_INFO_EXIT): one with
// neither is a lookup that lost the task and answered with nothing.
#pragma once

#include <string>

struct WaitidInfoRace {
    long rounds = 0;       // children reaped by waitid()
    long replies = 0;      // PIDFD_GET_INFO calls
    long after_reap = 0;   // of which started after waitid() had returned
    long esrch = 0;        // replies that failed with ESRCH
    long missing_exit = 0; // replies after the reap without PIDFD_INFO_EXIT
    long wrong_status = 0; // replies after the reap with another status
    long empty = 0;        // replies with neither PIDFD_INFO_PID nor PIDFD_INFO_EXIT
    long other = 0;        // clone3/waitid/thread failures, other errnos
    std::string first_problem;

    bool clean() const
    {
        return esrch == 0 && missing_exit == 0 && wrong_status == 0 && empty == 0 && other == 0;
    }
    std::string describe() const;
};

// Run rounds rounds (each its own child and querying thread), adding to
// counts; seed varies how long each child spins before it exits.
void run_waitid_info_race(long rounds, unsigned seed, WaitidInfoRace& counts);
