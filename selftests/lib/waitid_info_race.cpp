// SPDX-License-Identifier: GPL-2.0
#include "waitid_info_race.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <thread>

#include "child.h"
#include "sys.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace {

// Replies the querier still makes once it saw the reap done.
constexpr int kRepliesAfterReap = 3;
// A bound on the replies of one round, should waitid() never return.
constexpr long kMaxReplies = 1000000;

// The wait status waitid()'s siginfo stands for.
int wait_status(const siginfo_t& si)
{
    switch (si.si_code) {
    case CLD_EXITED:
        return si.si_status << 8;
    case CLD_KILLED:
        return si.si_status;
    case CLD_DUMPED:
        return si.si_status | 0x80;
    default:
        return -1;
    }
}

struct Round {
    int pidfd;
    std::atomic<bool> reaped{false};
    int status = -1; // written before reaped is set
};

void note(WaitidInfoRace& c, const std::string& what)
{
    if (c.first_problem.empty())
        c.first_problem = "round " + std::to_string(c.rounds) + ": " + what;
}

void query(Round& r, WaitidInfoRace& c)
{
    int after = 0;
    for (long n = 0; n < kMaxReplies && after < kRepliesAfterReap; ++n) {
        bool reaped = r.reaped.load(std::memory_order_acquire);
        uapi::PidfdInfo info{};
        info.mask = uapi::kInfoExit;
        int ret = sys::pidfd_get_info(r.pidfd, &info);
        int err = errno;
        ++c.replies;
        if (reaped) {
            ++after;
            ++c.after_reap;
        }
        if (ret != 0) {
            if (err == ESRCH) {
                ++c.esrch;
                note(c, std::string("ESRCH ") + (reaped ? "after" : "before") + " waitid() returned");
            } else {
                ++c.other;
                note(c, std::string("PIDFD_GET_INFO: ") + std::strerror(err));
            }
        } else if (!(info.mask & (uapi::kInfoPid | uapi::kInfoExit))) {
            ++c.empty;
            note(c, std::string("a reply with neither PIDFD_INFO_PID nor PIDFD_INFO_EXIT (mask 0x") +
                        std::to_string(info.mask) + "), " + (reaped ? "after" : "before") +
                        " waitid() returned");
        } else if (reaped && !(info.mask & uapi::kInfoExit)) {
            ++c.missing_exit;
            note(c, "no PIDFD_INFO_EXIT after waitid() returned");
        } else if (reaped && info.exit_code != r.status) {
            ++c.wrong_status;
            note(c, "PIDFD_GET_INFO says " + describe_status(info.exit_code) + ", waitid() said " +
                        describe_status(r.status));
        }
    }
}

} // namespace

std::string WaitidInfoRace::describe() const
{
    std::ostringstream out;
    out << rounds << " rounds, " << replies << " replies (" << after_reap << " after the reap): " << esrch
        << " ESRCH, " << missing_exit << " without PIDFD_INFO_EXIT after the reap, " << wrong_status
        << " with another status, " << empty << " with neither PID nor EXIT, " << other
        << " other failures";
    if (!first_problem.empty())
        out << "; first: " << first_problem;
    return out.str();
}

void run_waitid_info_race(long rounds, unsigned seed, WaitidInfoRace& c)
{
    std::mt19937 rng(seed);
    for (long i = 0; i < rounds; ++i) {
        // Spin a little, so the exit (and the reap) lands anywhere in the
        // querier's loop; SIGKILL now and then, for a status of the other kind.
        const long spins = std::uniform_int_distribution<long>(0, 500)(rng);
        const bool kill_self = i % 8 == 7;
        const int code = 1 + static_cast<int>(i % 200);
        Child child = spawn(CLONE_PIDFD, SIGCHLD, [=] {
            for (long s = 0; s < spins; ++s)
                asm volatile("" ::: "memory");
            if (kill_self)
                ::kill(::getpid(), SIGKILL);
            return code;
        });
        if (!child) {
            ++c.other;
            note(c, std::string("clone3: ") + std::strerror(child.error));
            return;
        }
        Round r;
        r.pidfd = child.pidfd.get();
        std::thread querier([&] { query(r, c); });
        siginfo_t si{};
        int ret;
        do {
            ret = sys::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(r.pidfd), &si, WEXITED);
        } while (ret < 0 && errno == EINTR);
        const int wait_errno = ret != 0 ? errno : 0;
        r.status = wait_status(si);
        r.reaped.store(true, std::memory_order_release);
        querier.join();
        if (wait_errno) {
            ++c.other;
            note(c, std::string("waitid(P_PIDFD): ") + std::strerror(wait_errno));
        }
        ++c.rounds;
    }
}
