// SPDX-License-Identifier: GPL-2.0
// CLONE_PIDFD_AUTOKILL of a child whose group leader has already exited
// (SPEC §4): the leader is a zombie, PF_EXITING, while other threads run;
// the kill on close must still reach the whole thread group.
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include "child.h"
#include "echo_child.h"
#include "proc_state.h"
#include "require_feature.h"

namespace {

void* sleep_forever(void*)
{
    for (;;)
        ::pause();
    return nullptr;
}

std::string task_dir(pid_t pid) { return "/proc/" + std::to_string(pid) + "/task"; }

} // namespace

// Leader gone by exit(2), an echo thread and two sleeping threads alive:
// closing the clone3 pidfd kills them all (POLLHUP, exit info SIGKILL, no
// task left).
TEST(AutokillTargets, LeaderExitedChildDies)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start(
        kAutokill,
        [] {
            pthread_t t;
            for (int i = 0; i < 2; ++i)
                if (pthread_create(&t, nullptr, sleep_forever, nullptr) != 0)
                    return false;
            return true;
        },
        Echo::InThreadLeaderExits);
    ASSERT_TRUE(e.child && e.observer) << "autokill child and observer: " << strerror(e.child.error);
    ASSERT_TRUE(e.alive()) << "the echo thread answers";
    ASSERT_TRUE(wait_until_state(e.child.pid, e.child.pid, 'Z')) << "the leader exited first (zombie)";
    EXPECT_EQ(count_entries(task_dir(e.child.pid)), 4) << "zombie leader and three live threads";
    EXPECT_EQ(poll_fd(e.observer.get(), POLLIN, 0), 0) << "no POLLIN while threads still run";
    EXPECT_TRUE(e.alive()) << "still answering with the leader gone";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.killed()) << "every thread gone (POLLHUP) and SIGKILL as exit info";
    EXPECT_EQ(count_entries(task_dir(e.child.pid)), -1) << "no task of the child left";
}
