// SPDX-License-Identifier: GPL-2.0
// CLONE_AUTOREAP (SPEC §2): the child never becomes a zombie; its exit is
// seen through its pidfd only, with exit info read after POLLHUP.
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "proc_state.h"
#include "require_feature.h"
#include "signal_guard.h"
#include "sys.h"

namespace {

// Exit info of a released task, asserted present.
std::optional<uapi::PidfdInfo> exit_info(int pidfd)
{
    std::optional<uapi::PidfdInfo> info = pidfd_info(pidfd, uapi::kInfoExit);
    if (info && !(info->mask & uapi::kInfoExit))
        return std::nullopt;
    return info;
}

} // namespace

// _exit(42): POLLIN then POLLHUP on the pidfd, nothing to wait for, and
// PIDFD_GET_INFO reports wait status 0x2a00 once POLLHUP is seen.
TEST(AutoreapExit, ExitStatusAfterPollhup)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [] { return 42; });
    ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
    EXPECT_TRUE(poll_fd(c.pidfd.get(), POLLIN) & POLLIN) << "POLLIN at exit";
    ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "POLLHUP: the child was released without a wait";
    int status;
    EXPECT_EQ(::waitpid(c.pid, &status, __WALL | WNOHANG), -1) << "no zombie left to reap";
    EXPECT_EQ(errno, ECHILD) << "waitpid errno for an autoreaped child";
    std::optional<uapi::PidfdInfo> info = exit_info(c.pidfd.get());
    ASSERT_TRUE(info) << "PIDFD_INFO_EXIT present after POLLHUP";
    EXPECT_EQ(info->exit_code, 0x2a00) << "wait status of _exit(42) via PIDFD_GET_INFO, got "
                                       << describe_status(info->exit_code);
}

// The parent of an autoreap child gets no SIGCHLD (its exit_signal is 0).
TEST(AutoreapExit, NoSigchldToParent)
{
    REQUIRE_FEATURE(Autoreap);
    BlockedSignal blocked(SIGCHLD);
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [] { return 0; });
    ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
    ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "POLLHUP after exit";
    EXPECT_FALSE(blocked.pending()) << "SIGCHLD pending after an autoreap child exited";
}

// SIGKILL: the exit info carries WTERMSIG 9.
TEST(AutoreapExit, SigkillStatusAfterPollhup)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    Gate gate = Gate::make();
    ASSERT_TRUE(gate) << "pipe2";
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [&] {
        gate.wait();
        return 1;
    });
    ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
    ASSERT_EQ(sys::pidfd_send_signal(c.pidfd.get(), SIGKILL), 0) << "pidfd_send_signal SIGKILL";
    ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "POLLHUP after the kill";
    std::optional<uapi::PidfdInfo> info = exit_info(c.pidfd.get());
    ASSERT_TRUE(info) << "PIDFD_INFO_EXIT present after POLLHUP";
    EXPECT_TRUE(WIFSIGNALED(info->exit_code) && WTERMSIG(info->exit_code) == SIGKILL)
        << "exit info: " << describe_status(info->exit_code);
}

// A pidfd from pidfd_open() sees the autoreap child's exit as well.
TEST(AutoreapExit, PidfdOpenSeesExit)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    int pipefd[2];
    ASSERT_EQ(::pipe2(pipefd, O_CLOEXEC), 0) << "pipe2";
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    // Fire and forget: no CLONE_PIDFD at all.
    Child c = spawn(CLONE_AUTOREAP, 0, [&] {
        wr.reset();
        char b;
        return ::read(rd.get(), &b, 1) == 1 ? 33 : 34;
    });
    ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP: " << strerror(c.error);
    UniqueFd pidfd(sys::pidfd_open(c.pid));
    ASSERT_TRUE(pidfd) << "pidfd_open on a live autoreap child: " << strerror(errno);
    ASSERT_EQ(::write(wr.get(), "x", 1), 1) << "release the child";
    EXPECT_TRUE(poll_fd(pidfd.get(), POLLIN) & POLLIN) << "POLLIN at exit";
    ASSERT_TRUE(wait_pollhup(pidfd.get())) << "POLLHUP: released without a wait";
    std::optional<uapi::PidfdInfo> info = exit_info(pidfd.get());
    ASSERT_TRUE(info) << "PIDFD_INFO_EXIT via the pidfd_open() pidfd";
    EXPECT_EQ(info->exit_code, 33 << 8) << "exit info: " << describe_status(info->exit_code);
}

// Only autoreap children: waitpid(-1) without __WALL fails with ECHILD at
// once; with __WALL it waits while one runs, and fails with ECHILD when it
// exits (the waiter is woken although no zombie appears).
TEST(AutoreapWait, WaitAnyIsEchild)
{
    REQUIRE_FEATURE(Autoreap);
    int pipefd[2];
    ASSERT_EQ(::pipe2(pipefd, O_CLOEXEC), 0) << "pipe2";
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    Channel ch = Channel::make();
    ASSERT_TRUE(ch.ends[0]) << "socketpair";
    int report = ch.ends[1].get();
    // The waits run in a middle process that has no other children.
    Child middle = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        Child c = spawn(CLONE_AUTOREAP, 0, [&] {
            wr.reset();
            char b;
            ::read(rd.get(), &b, 1);
            return 0;
        });
        if (!c)
            return 10;
        wr.reset();
        int st;
        if (::waitpid(-1, &st, 0) != -1 || errno != ECHILD)
            return 11;
        if (::waitpid(-1, &st, __WALL | WNOHANG) != 0)
            return 12;
        send_msg(report, "w", 1);
        if (::waitpid(-1, &st, __WALL) != -1 || errno != ECHILD)
            return 13;
        return 0;
    });
    ASSERT_TRUE(middle) << "clone3 fork: " << strerror(middle.error);
    rd.reset();
    ch.ends[1].reset();
    char b;
    EXPECT_EQ(recv_msg(ch.ends[0].get(), &b, 1), 1) << "middle process reached waitpid(-1, __WALL)";
    // Let it block in wait4 before the autoreap child may exit.
    EXPECT_TRUE(wait_until_in_syscall(middle.pid, SYS_wait4)) << "middle blocked in wait4";
    wr.reset();
    std::optional<int> status = wait_child(middle.pid, middle.pidfd.get());
    ASSERT_TRUE(status) << "middle process finished (a hang means waitpid(-1, __WALL) never woke)";
    ASSERT_TRUE(WIFEXITED(*status)) << describe_status(*status);
    EXPECT_EQ(WEXITSTATUS(*status), 0)
        << "10: clone failed, 11: waitpid(-1, 0) not ECHILD, 12: waitpid(-1, __WALL|WNOHANG) "
           "did not see a live child, 13: waitpid(-1, __WALL) did not end in ECHILD";
}
