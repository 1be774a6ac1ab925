// SPDX-License-Identifier: GPL-2.0
#include "runner.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "proc_state.h"
#include "sys.h"

namespace stress {
namespace {

// Time a section may take beyond its budget: its last round and its own
// checks (which wait up to kTimeoutMs for a child more than once).
constexpr double kGraceSeconds = 150;
// How long the section's processes may take to disappear after it ended.
constexpr double kSettleSeconds = 15;

[[noreturn]] void section_process(const Section& s, int index, const Options& opt, bool cap_sys_admin)
{
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::map<int, std::string> before = open_fds();
    long rounds = std::max(1L, static_cast<long>(static_cast<double>(s.rounds) * opt.scale));
    Context ctx{opt, cap_sys_admin, Budget(section_seconds(s, opt), rounds),
                std::mt19937_64(opt.seed * 0x9E3779B97F4A7C15ULL + static_cast<unsigned>(index))};
    Report& r = report();
    s.fn(ctx, r);
    for (const auto& [fd, target] : open_fds()) {
        auto it = before.find(fd);
        if (it != before.end() && it->second == target)
            continue;
        r.fds_leaked++;
        if (is_pidfd_target(target))
            r.pidfds_leaked++;
        r.fail("descriptor %d left open by the section: %s", fd, target.c_str());
    }
    std::fflush(nullptr);
    _exit(0);
}

std::vector<ProcEntry> group_members(pid_t pgrp)
{
    std::vector<ProcEntry> out;
    for (const ProcEntry& p : processes())
        if (p.pgrp == pgrp)
            out.push_back(p);
    return out;
}

// Wait for the section's process group to empty; complain about whatever
// stays, then kill it.
void settle_group(pid_t pgrp, Report& r)
{
    double end = now_seconds() + kSettleSeconds;
    std::vector<ProcEntry> left;
    while (!(left = group_members(pgrp)).empty() && now_seconds() < end)
        ::usleep(50000);
    for (const ProcEntry& p : left) {
        if (p.state == 'Z') {
            r.zombie("left by the section: %s", describe(p).c_str());
        } else {
            r.stragglers++;
            r.fail("still running %.0f s after the section ended: %s", kSettleSeconds,
                   describe(p).c_str());
        }
    }
    if (!left.empty())
        ::kill(-pgrp, SIGKILL);
}

} // namespace

SectionRun run_section(const Section& s, int index, const Options& opt, bool cap_sys_admin)
{
    SectionRun run;
    report().reset();
    double t0 = now_seconds();
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) {
        run.trouble = "fork failed";
        return run;
    }
    if (pid == 0)
        section_process(s, index, opt, cap_sys_admin);
    ::setpgid(pid, pid);
    UniqueFd pidfd(sys::pidfd_open(pid));
    double limit = section_seconds(s, opt) + kGraceSeconds;
    int timeout_ms = static_cast<int>(limit * 1000);
    bool exited = pidfd ? (poll_fd(pidfd.get(), POLLIN, timeout_ms) & POLLIN) : true;
    if (!exited) {
        ::kill(-pid, SIGKILL);
        run.trouble = "did not finish within " + std::to_string(static_cast<int>(limit)) +
                      " s (budget plus grace); killed";
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    run.seconds = now_seconds() - t0;
    if (exited) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            run.completed = true;
        else
            run.trouble = "section process " + describe_status(status);
    }
    double t1 = now_seconds();
    settle_group(pid, report());
    run.settle_seconds = now_seconds() - t1;
    return run;
}

} // namespace stress
