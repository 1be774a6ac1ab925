// SPDX-License-Identifier: GPL-2.0
// No exit info before there is an exit (SPEC §2): PIDFD_GET_INFO asking
// PIDFD_INFO_EXIT answers without it while the child runs, ordinary or
// autoreap, and while a leader-first autoreap child still has threads
// running (its leader is a zombie, but the group has not exited: the
// series' early exit info must not fire there, nor POLLIN).
#include <cerrno>
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include "child.h"
#include "echo_child.h"
#include "proc_state.h"
#include "require_feature.h"

namespace {

// PIDFD_GET_INFO(PIDFD_INFO_EXIT) on a live task: the ioctl answers (pid,
// creds) and leaves EXIT out.
::testing::AssertionResult no_exit_info(int pidfd)
{
    std::optional<uapi::PidfdInfo> info = pidfd_info(pidfd, uapi::kInfoExit);
    if (!info)
        return ::testing::AssertionFailure() << "PIDFD_GET_INFO failed: " << strerror(errno);
    if (info->mask & uapi::kInfoExit)
        return ::testing::AssertionFailure() << "PIDFD_INFO_EXIT present, exit_code "
                                             << describe_status(info->exit_code);
    if (!(info->mask & uapi::kInfoPid))
        return ::testing::AssertionFailure() << "no PIDFD_INFO_PID for a live task, mask 0x"
                                             << std::hex << info->mask;
    return ::testing::AssertionSuccess();
}

// A child held at a gate: no POLLIN, no exit info; once let go, it exits
// 5 and (after POLLHUP, or the reap) the exit info is there.
void check_running_child(std::uint64_t flags, int exit_signal)
{
    Gate gate = Gate::make();
    ASSERT_TRUE(gate) << "pipe2";
    Child c = spawn(flags, exit_signal, [&] { return gate.wait() ? 5 : 6; });
    ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
    gate.rd.reset();
    EXPECT_EQ(poll_fd(c.pidfd.get(), POLLIN, 0), 0) << "POLLIN on a running child";
    EXPECT_TRUE(no_exit_info(c.pidfd.get())) << "running child";
    ASSERT_TRUE(gate.open()) << "let the child exit";
    if (exit_signal) {
        std::optional<int> status = wait_child(c.pid, c.pidfd.get());
        ASSERT_TRUE(status) << "reaped";
    } else {
        ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "autoreap child released";
    }
    std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    ASSERT_TRUE(info && (info->mask & uapi::kInfoExit)) << "exit info once it has ended";
    EXPECT_EQ(info->exit_code, 5 << 8) << describe_status(info->exit_code);
}

} // namespace

// A running ordinary child has no exit info (upstream's behaviour, which
// the flags build on: a Prereq test, it may pass on controls).
TEST(PrereqPidfdInfo, NoExitInfoWhileRunning)
{
    REQUIRE_FEATURE(PidfdInfoExit);
    check_running_child(CLONE_PIDFD, SIGCHLD);
}

// A running autoreap child has no exit info and no POLLIN.
TEST(AutoreapExitInfo, NoneWhileRunning)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    check_running_child(CLONE_AUTOREAP | CLONE_PIDFD, 0);
}

// Leader exited first, another thread still runs: the pidfd is not POLLIN
// and PIDFD_GET_INFO carries no EXIT; once that thread ends the group
// (exit_group(0)), POLLHUP and exit info 0.
TEST(AutoreapExitInfo, NoneWhileOtherThreadsRun)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start(CLONE_AUTOREAP | CLONE_PIDFD, nullptr, Echo::InThreadLeaderExits);
    ASSERT_TRUE(e.child && e.observer) << "clone3 and observer: " << strerror(e.child.error);
    ASSERT_TRUE(e.alive()) << "the echo thread answers";
    ASSERT_TRUE(wait_until_state(e.child.pid, e.child.pid, 'Z')) << "the leader exited first (zombie)";
    for (int round = 0; round < 3; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        EXPECT_EQ(poll_fd(e.child.pidfd.get(), POLLIN, 0), 0) << "POLLIN with a thread still running";
        EXPECT_TRUE(no_exit_info(e.child.pidfd.get())) << "leader zombie, group alive";
        EXPECT_TRUE(e.alive()) << "the echo thread still answers";
    }
    e.sock.reset();
    ASSERT_TRUE(wait_pollhup(e.child.pidfd.get())) << "released once the group exited";
    std::optional<uapi::PidfdInfo> info = pidfd_info(e.child.pidfd.get(), uapi::kInfoExit);
    ASSERT_TRUE(info && (info->mask & uapi::kInfoExit)) << "PIDFD_INFO_EXIT after POLLHUP";
    EXPECT_EQ(info->exit_code, 0) << describe_status(info->exit_code);
}
