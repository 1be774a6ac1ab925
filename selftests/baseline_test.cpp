// SPDX-License-Identifier: GPL-2.0
// Baseline: pre-existing process lifecycle behaviour the new flags build
// on. These must pass on every kernel, including ones without
// PIDFD_GET_INFO (6.12), so none of them uses it.
#include <cerrno>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "signal_guard.h"
#include "sys.h"

// fork-style clone3 with SIGCHLD: waitpid() returns the child's exit status.
TEST(BaselineFork, WaitpidReportsExitStatus)
{
    Child c = spawn(0, SIGCHLD, [] { return 42; });
    ASSERT_TRUE(c) << "clone3 fork: " << strerror(c.error);
    std::optional<int> status = wait_child(c.pid);
    ASSERT_TRUE(status) << "child did not exit within the timeout";
    ASSERT_TRUE(WIFEXITED(*status)) << describe_status(*status);
    EXPECT_EQ(WEXITSTATUS(*status), 42) << "exit status via waitpid";
}

// A child created with exit_signal SIGCHLD signals its parent on exit.
TEST(BaselineFork, SigchldDeliveredOnExit)
{
    BlockedSignal blocked(SIGCHLD);
    Child c = spawn(0, SIGCHLD, [] { return 0; });
    ASSERT_TRUE(c) << "clone3 fork: " << strerror(c.error);
    siginfo_t si{};
    int sig = blocked.wait(&si, kTimeoutMs);
    EXPECT_EQ(sig, SIGCHLD) << "SIGCHLD arrived within the timeout";
    EXPECT_EQ(si.si_pid, c.pid) << "SIGCHLD names the child";
    EXPECT_TRUE(wait_child(c.pid)) << "child reaped";
}

// A child created with exit_signal 0 sends nothing but still becomes a
// zombie that waitpid(__WALL) reaps.
TEST(BaselineFork, ExitSignalZeroStillLeavesZombie)
{
    BlockedSignal blocked(SIGCHLD);
    Child c = spawn(CLONE_PIDFD, 0, [] { return 3; });
    ASSERT_TRUE(c) << "clone3 exit_signal 0: " << strerror(c.error);
    ASSERT_TRUE(poll_fd(c.pidfd.get(), POLLIN) & POLLIN) << "pidfd POLLIN at exit";
    EXPECT_FALSE(poll_fd(c.pidfd.get(), 0, 0) & POLLHUP) << "a zombie is not released";
    std::optional<int> status = wait_child(c.pid, c.pidfd.get());
    ASSERT_TRUE(status) << "zombie reaped";
    EXPECT_EQ(WEXITSTATUS(*status), 3) << "exit status via waitpid(__WALL)";
    EXPECT_FALSE(blocked.pending()) << "no SIGCHLD for exit_signal 0";
}

// CLONE_PIDFD: the pidfd polls readable (POLLIN) when the child exits, and
// hangs up (POLLHUP) once it has been reaped.
TEST(BaselinePidfd, PollInAtExitHupAfterReap)
{
    int pipefd[2];
    ASSERT_EQ(pipe2(pipefd, O_CLOEXEC), 0) << "pipe2";
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    Child c = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        char b;
        return ::read(rd.get(), &b, 1) == 1 ? 5 : 6;
    });
    ASSERT_TRUE(c) << "clone3 CLONE_PIDFD: " << strerror(c.error);
    ASSERT_TRUE(c.pidfd) << "CLONE_PIDFD returned a pidfd";
    EXPECT_EQ(poll_fd(c.pidfd.get(), POLLIN, 0), 0) << "no POLLIN while the child runs";
    ASSERT_EQ(::write(wr.get(), "x", 1), 1) << "release the child";
    EXPECT_TRUE(poll_fd(c.pidfd.get(), POLLIN) & POLLIN) << "POLLIN at exit";
    std::optional<int> status = wait_child(c.pid, c.pidfd.get());
    ASSERT_TRUE(status) << "child reaped";
    EXPECT_EQ(WEXITSTATUS(*status), 5) << "exit status via waitpid";
    EXPECT_TRUE(wait_pollhup(c.pidfd.get())) << "POLLHUP after reaping";
}

// pidfd_send_signal() kills the child the pidfd refers to.
TEST(BaselinePidfd, SendSignalKills)
{
    int pipefd[2];
    ASSERT_EQ(pipe2(pipefd, O_CLOEXEC), 0) << "pipe2";
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    Child c = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        wr.reset();
        char b;
        ::read(rd.get(), &b, 1);
        return 0;
    });
    ASSERT_TRUE(c) << "clone3 CLONE_PIDFD: " << strerror(c.error);
    EXPECT_EQ(sys::pidfd_send_signal(c.pidfd.get(), SIGKILL), 0)
        << "pidfd_send_signal: " << strerror(errno);
    std::optional<int> status = wait_child(c.pid, c.pidfd.get());
    ASSERT_TRUE(status) << "child reaped";
    ASSERT_TRUE(WIFSIGNALED(*status)) << describe_status(*status);
    EXPECT_EQ(WTERMSIG(*status), SIGKILL) << "killed by the signal sent through the pidfd";
}

// pidfd_open() on a child gives a pidfd that polls like the clone3 one.
TEST(BaselinePidfd, PidfdOpenSeesExit)
{
    Child c = spawn(0, SIGCHLD, [] { return 9; });
    ASSERT_TRUE(c) << "clone3 fork: " << strerror(c.error);
    UniqueFd pidfd(sys::pidfd_open(c.pid));
    ASSERT_TRUE(pidfd) << "pidfd_open: " << strerror(errno);
    EXPECT_TRUE(poll_fd(pidfd.get(), POLLIN) & POLLIN) << "POLLIN at exit";
    std::optional<int> status = wait_child(c.pid, pidfd.get());
    ASSERT_TRUE(status) << "child reaped";
    EXPECT_EQ(WEXITSTATUS(*status), 9) << "exit status via waitpid";
}

// CLONE_PARENT: a child's CLONE_PARENT clone becomes our child (its
// sibling), which we reap, and which signals us with the middle child's
// exit_signal.
TEST(BaselineParent, CloneParentMakesSibling)
{
    Channel ch = Channel::make();
    ASSERT_TRUE(ch.ends[0]) << "socketpair";
    int report = ch.ends[1].get();
    Child middle = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        Child sibling = spawn(CLONE_PARENT, 0, [] { return 17; });
        if (!sibling)
            return 1;
        pid_t pid = sibling.pid;
        return send_msg(report, &pid, sizeof(pid)) ? 0 : 2;
    });
    ASSERT_TRUE(middle) << "clone3 fork: " << strerror(middle.error);
    ch.ends[1].reset();
    pid_t sibling = -1;
    ASSERT_EQ(recv_msg(ch.ends[0].get(), &sibling, sizeof(sibling)), long(sizeof(sibling)))
        << "middle child reported its CLONE_PARENT clone";
    std::optional<int> mstatus = wait_child(middle.pid, middle.pidfd.get());
    ASSERT_TRUE(mstatus) << "middle child reaped";
    EXPECT_EQ(WEXITSTATUS(*mstatus), 0) << "middle child: " << describe_status(*mstatus);
    std::optional<int> sstatus = wait_child(sibling);
    ASSERT_TRUE(sstatus) << "the sibling is our child: waitpid found it";
    EXPECT_EQ(WEXITSTATUS(*sstatus), 17) << "sibling's exit status via our waitpid";
}

// Legacy clone(2) with CLONE_PIDFD hands back a working pidfd.
TEST(BaselineLegacyClone, PidfdThroughParentTid)
{
    Child c = spawn_legacy(CLONE_PIDFD, SIGCHLD, [] { return 4; });
    ASSERT_TRUE(c) << "clone(CLONE_PIDFD): " << strerror(c.error);
    ASSERT_TRUE(c.pidfd) << "pidfd returned through parent_tid";
    std::optional<int> status = wait_child(c.pid, c.pidfd.get());
    ASSERT_TRUE(status) << "child reaped";
    EXPECT_EQ(WEXITSTATUS(*status), 4) << "exit status via waitpid";
}

// An old kernel answers EINVAL to an unknown clone3 bit: the reason every
// "rejects X" feature test first proves the flag exists.
TEST(BaselineClone3, UnknownBitIsEinval)
{
    Child c = spawn(1ULL << 62, SIGCHLD, [] { return 0; });
    EXPECT_FALSE(c) << "clone3 with bit 62 must fail";
    EXPECT_EQ(c.error, EINVAL) << "errno for an unknown clone3 flag";
}
