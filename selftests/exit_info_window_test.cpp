// SPDX-License-Identifier: GPL-2.0
// When is an autoreap child's exit info readable? Upstream guarantees it at
// POLLHUP; the series also guarantees it at POLLIN (SPEC §2 "Better than
// upstream"). Many children, three ways to die: _exit(), SIGKILL, and a
// multithreaded child whose leader exits first. A fourth way, the last
// thread's exit_group() racing with the leader's own exit, shows another
// upstream defect: the leader's own status recorded instead of the group's.
#include <array>
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <sstream>
#include <unistd.h>
#include <vector>

#include "child.h"
#include "proc_state.h"
#include "fresh_image.h"
#include "require_feature.h"
#include "sys.h"

namespace {

constexpr int kChildren = 500;

enum Kind { kExit, kKilled, kThreaded, kRacing, kKinds };
const char* const kKindNames[kKinds] = {"_exit", "SIGKILL", "leader-first", "group-exit-racing-leader"};

int g_leader_tid;
pid_t g_leader;
bool g_race; // kRacing: do not wait for the leader to become a zombie

void* finish_group(void* code)
{
    // The leader's tid is cleared in its exit_mm(), well inside do_exit().
    while (int tid = __atomic_load_n(&g_leader_tid, __ATOMIC_ACQUIRE))
        sys::futex_wait(&g_leader_tid, tid, 1000000000L);
    // kThreaded waits until the leader is a zombie: an exit_group() racing
    // with the rest of the leader's do_exit() makes upstream record the
    // leader's own status (kRacing tests exactly that).
    if (!g_race)
        wait_until_state(g_leader, g_leader, 'Z');
    _exit(static_cast<int>(reinterpret_cast<std::intptr_t>(code)));
}

// The child's body for child number i, and the wait status it must leave.
int die(Kind kind, int code)
{
    switch (kind) {
    case kExit:
        return code;
    case kKilled:
        ::kill(::getpid(), SIGKILL);
        return 1;
    case kThreaded:
    case kRacing: {
        g_race = kind == kRacing;
        g_leader = ::getpid();
        g_leader_tid = sys::gettid();
        sys::set_tid_address(&g_leader_tid);
        pthread_t t;
        if (pthread_create(&t, nullptr, finish_group, reinterpret_cast<void*>(std::intptr_t{code})) != 0)
            return 2;
        sys::exit_thread(0);
    }
    default:
        return 3;
    }
}

int expected_status(Kind kind, int code) { return kind == kKilled ? SIGKILL : code << 8; }

// Spawn autoreap children (kChildren unless told) one after another;
// for each, wait for the given poll event and read PIDFD_GET_INFO at
// once. Returns a description of every read that lacked or misreported
// the exit info.
std::string run_children(bool wait_for_hup, const std::vector<Kind>& kinds = {kExit, kKilled, kThreaded},
                         int children = kChildren)
{
    std::array<int, kKinds> missing{}, wrong{}, total{};
    std::ostringstream first_errors;
    // The children live in our cgroup: exit info carries its id
    // (PIDFD_INFO_CGROUPID), when the kernel has cgroups at all.
    std::uint64_t cgroup = 0;
    if (UniqueFd self{sys::pidfd_open(::getpid())}) {
        std::optional<uapi::PidfdInfo> mine = pidfd_info(self.get(), uapi::kInfoCgroupId);
        if (mine && (mine->mask & uapi::kInfoCgroupId))
            cgroup = mine->cgroupid;
    }
    for (int i = 0; i < children; ++i) {
        Kind kind = kinds[static_cast<std::size_t>(i) % kinds.size()];
        int code = 20 + i % 100;
        Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [=] { return die(kind, code); });
        if (!c)
            return std::string("clone3 failed: ") + strerror(c.error);
        ++total[kind];
        short ev = wait_for_hup ? (wait_pollhup(c.pidfd.get()) ? POLLHUP : 0)
                                : poll_fd(c.pidfd.get(), POLLIN);
        if (!ev)
            return "child " + std::to_string(i) + " (" + kKindNames[kind] + ") never reported exit";
        std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
        if (!info || !(info->mask & uapi::kInfoExit))
            ++missing[kind];
        else if (info->exit_code != expected_status(kind, code)) {
            if (++wrong[kind] <= 3)
                first_errors << " child " << i << ": " << describe_status(info->exit_code)
                             << ", expected " << describe_status(expected_status(kind, code)) << ";";
        } else if (cgroup && (!(info->mask & uapi::kInfoCgroupId) || info->cgroupid != cgroup)) {
            if (++wrong[kind] <= 3)
                first_errors << " child " << i << ": exit info with "
                             << ((info->mask & uapi::kInfoCgroupId) ? "cgroupid " + std::to_string(info->cgroupid)
                                                                     : std::string("no PIDFD_INFO_CGROUPID"))
                             << ", expected cgroupid " << cgroup << ";";
        }
        wait_pollhup(c.pidfd.get()); // never let children pile up
    }
    std::ostringstream out;
    for (int k = 0; k < kKinds; ++k)
        if (missing[k] || wrong[k])
            out << kKindNames[k] << ": " << missing[k] << " of " << total[k] << " lacked "
                << "PIDFD_INFO_EXIT, " << wrong[k] << " wrong status or cgroup; ";
    out << first_errors.str();
    return out.str();
}

} // namespace

// Upstream's contract: after POLLHUP every autoreap child's exit info is
// there, with the right wait status.
TEST(AutoreapExitInfo, ReadyAtPollhup)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    IN_FRESH_IMAGE(); // hundreds of forks (fresh_image.h)
    std::string problems = run_children(true);
    EXPECT_EQ(problems, "") << "exit info read right after POLLHUP";
}

// The series' stronger promise: already at POLLIN the exit info is there.
// Known to fail upstream (listed in known-upstream-defects.txt).
TEST(AutoreapExitInfo, ReadyAtPollin)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    IN_FRESH_IMAGE(); // hundreds of forks (fresh_image.h)
    std::string problems = run_children(false);
    EXPECT_EQ(problems, "") << "exit info read right after POLLIN";
}

// The exit info of a multithreaded autoreap child is its wait status, the
// one waitid() would give: when the last thread calls exit_group(code)
// while the leader, which called exit(0) first, is still inside do_exit(),
// that is code, the group's, not the leader's 0. Upstream records the
// leader's own ->exit_code then (known-upstream-defects.txt); the series
// records the group's. Statistical: under TCG 171 of 500 children hit the
// window on Debian 7.3.4 and 19 of 500 on 6.18 without the fix, so a
// fixed kernel's zero is meaningful.
TEST(AutoreapExitInfo, GroupExitRacingLeaderExit)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    IN_FRESH_IMAGE(); // hundreds of forks (fresh_image.h)
    std::string problems = run_children(true, {kRacing});
    EXPECT_EQ(problems, "") << "exit info read after POLLHUP";
}

// The group's wait status is there already at POLLIN (not only after
// POLLHUP): the racing-leader child (leader exit(0), then the last thread's
// exit_group(code)) read right at POLLIN reports code. Both upstream
// defects meet here (known-upstream-defects.txt); 120 children keep it
// well under 2 s on TCG while a kernel without the fix still misses often
// (the rates above: about 5 of 120 on 6.18 without patch 9).
TEST(AutoreapExitInfo, GroupStatusAtPollin)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    IN_FRESH_IMAGE(); // hundreds of forks (fresh_image.h)
    std::string problems = run_children(false, {kRacing}, 120);
    EXPECT_EQ(problems, "") << "group exit status read right after POLLIN";
}

// Exit information only when asked for: read right at POLLIN with a mask
// without PIDFD_INFO_EXIT, an autoreap child is either still there (a
// reply without PIDFD_INFO_EXIT) or already released (ESRCH: nothing it
// was asked for is left), never a reply that carries PIDFD_INFO_EXIT.
TEST(AutoreapExitInfo, NotGivenUnasked)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    IN_FRESH_IMAGE(); // hundreds of forks (fresh_image.h)
    constexpr int kRounds = 300;
    const Kind kinds[] = {kExit, kKilled, kThreaded};
    int answered = 0, unasked = 0, released = 0, other = 0, other_errno = 0;
    for (int i = 0; i < kRounds; ++i) {
        const Kind kind = kinds[i % 3];
        const int code = 20 + i % 100;
        Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [=] { return die(kind, code); });
        ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
        ASSERT_TRUE(poll_fd(c.pidfd.get(), POLLIN) & POLLIN) << "child " << i << " never reported exit";
        std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoPid);
        if (info) {
            ++answered;
            if (info->mask & uapi::kInfoExit)
                ++unasked;
        } else if (errno == ESRCH) {
            ++released;
        } else {
            ++other;
            other_errno = errno;
        }
        wait_pollhup(c.pidfd.get()); // never let children pile up
    }
    EXPECT_EQ(unasked, 0) << unasked << " of " << answered << " replies to a mask without "
                          << "PIDFD_INFO_EXIT carried it (" << released << " children already released)";
    EXPECT_EQ(other, 0) << other << " replies failed otherwise, last: " << strerror(other_errno);
}
