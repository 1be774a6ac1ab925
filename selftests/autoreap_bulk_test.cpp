// SPDX-License-Identifier: GPL-2.0
// CLONE_AUTOREAP in bulk (SPEC §2): a thousand children leave nothing
// behind, neither zombies nor descriptors.
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <set>
#include <unistd.h>
#include <vector>

#include "child.h"
#include "proc_state.h"
#include "fresh_image.h"
#include "require_feature.h"
#include "signal_guard.h"

namespace {

constexpr int kChildren = 1000;
constexpr int kBatch = 50;

// Entries of /proc/self/fd (the directory's own descriptor included).
int count_fds() { return count_entries("/proc/self/fd"); }

// Processes in state Z whose parent is us, from /proc/*/stat.
std::set<pid_t> zombie_children()
{
    std::set<pid_t> ours;
    for (const ProcEntry& z : zombies())
        if (z.ppid == ::getpid())
            ours.insert(z.pid);
    return ours;
}

} // namespace

// 1000 autoreap children, spawned and awaited in batches of 50: each is
// released (POLLHUP) with its own exit status, no SIGCHLD arrives, and
// afterwards no zombie child and no extra descriptor remains.
TEST(AutoreapBulk, ThousandChildrenLeaveNothing)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    IN_FRESH_IMAGE(); // hundreds of forks (fresh_image.h)
    const std::set<pid_t> zombies_before = zombie_children();
    const int fds_before = count_fds();
    ASSERT_GT(fds_before, 0) << "count /proc/self/fd";
    BlockedSignal sigchld(SIGCHLD);
    int failed = 0, unreleased = 0, wrong_status = 0;
    std::string first_problem;
    for (int base = 0; base < kChildren; base += kBatch) {
        std::vector<Child> batch;
        for (int i = base; i < base + kBatch; ++i) {
            batch.push_back(spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [i] { return i & 0x7f; }));
            if (!batch.back() && failed++ == 0)
                first_problem =
                    "clone3 #" + std::to_string(i) + ": " + strerror(batch.back().error);
        }
        for (int i = base; i < base + kBatch; ++i) {
            const Child& c = batch[static_cast<std::size_t>(i - base)];
            if (!c)
                continue;
            if (!wait_pollhup(c.pidfd.get())) {
                if (unreleased++ == 0 && first_problem.empty())
                    first_problem = "child #" + std::to_string(i) + " never released";
                continue;
            }
            std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
            if (!info || !(info->mask & uapi::kInfoExit) || info->exit_code != (i & 0x7f) << 8) {
                if (wrong_status++ == 0 && first_problem.empty())
                    first_problem = "child #" + std::to_string(i) + ": " +
                                    (info && (info->mask & uapi::kInfoExit)
                                         ? describe_status(info->exit_code)
                                         : std::string("no exit info"));
            }
        }
    }
    EXPECT_EQ(failed, 0) << "clone3 failures; first: " << first_problem;
    EXPECT_EQ(unreleased, 0) << "children without POLLHUP; first: " << first_problem;
    EXPECT_EQ(wrong_status, 0) << "wrong or missing exit info; first: " << first_problem;
    EXPECT_FALSE(sigchld.pending()) << "SIGCHLD from an autoreap child";
    std::set<pid_t> new_zombies;
    for (pid_t z : zombie_children())
        if (!zombies_before.count(z))
            new_zombies.insert(z);
    EXPECT_TRUE(new_zombies.empty()) << new_zombies.size() << " zombie children, e.g. pid "
                                     << (new_zombies.empty() ? 0 : *new_zombies.begin());
    EXPECT_EQ(count_fds(), fds_before) << "descriptors in /proc/self/fd before and after";
}
