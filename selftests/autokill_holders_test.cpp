// SPDX-License-Identifier: GPL-2.0
// CLONE_PIDFD_AUTOKILL and who holds the pidfd (SPEC §4): a caller that is
// privileged only in its own user namespace, a copy in flight in a socket,
// copies that die with their holder, a parent killed or exec'ing.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "echo_child.h"
#include "proc_state.h"
#include "require_feature.h"
#include "scm_rights.h"

// uid 65534 gets EPERM for autokill without CLONE_NNP (control); after
// unshare(CLONE_NEWUSER) it has CAP_SYS_ADMIN in its own user namespace,
// so the same clone3 is accepted there, and closing the pidfd kills.
TEST(AutokillHolders, OwnUserNamespaceCaller)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    HelperResult r = run_helper(
        []() -> std::string {
            Child before = spawn(kAutokill, 0, [] { return 0; });
            if (before)
                return "control: autokill without CLONE_NNP accepted before unshare";
            if (before.error != EPERM)
                return std::string("control: before unshare: ") + strerror(before.error);
            if (::unshare(CLONE_NEWUSER) != 0)
                return std::string("unshare(CLONE_NEWUSER): ") + strerror(errno);
            EchoChild e = EchoChild::start();
            if (!e.child)
                return std::string("autokill without CLONE_NNP in the own user namespace: ") +
                       strerror(e.child.error);
            if (!e.observer || !e.alive())
                return "the autokill child does not answer";
            e.child.pidfd.reset();
            ::testing::AssertionResult killed = e.killed();
            return killed ? "" : std::string("close did not kill: ") + killed.message();
        },
        true);
    ASSERT_TRUE(r.ok) << r.text;
    EXPECT_EQ(r.text, "") << "as uid 65534 in its own user namespace";
}

// A copy in flight (sent with SCM_RIGHTS, never received) keeps the child
// alive after the original is closed; closing the sockets drops it, and
// that last reference kills.
TEST(AutokillHolders, InFlightCopyKeepsAlive)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start();
    ASSERT_TRUE(e.child && e.observer)
        << "autokill child and observer: " << strerror(e.child.error);
    Channel ch = Channel::make();
    ASSERT_TRUE(send_fd(ch.ends[1].get(), e.child.pidfd.get())) << "sendmsg SCM_RIGHTS";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.alive()) << "the in-flight copy keeps the child alive";
    ch.ends[1].reset();
    EXPECT_TRUE(e.alive()) << "sender end closed: the copy still waits in the receiver's queue";
    ch.ends[0].reset();
    EXPECT_TRUE(e.killed()) << "closing the receiving end dropped the in-flight (last) copy";
}

// Copies die with their holder: a forked holder's copy keeps the child
// alive; once the holder is SIGKILLed and the original closed, in either
// order, the child dies.
TEST(AutokillHolders, CopyDiesWithHolder)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    for (bool holder_first : {true, false}) {
        SCOPED_TRACE(holder_first ? "holder dies first" : "original closed first");
        EchoChild e = EchoChild::start();
        ASSERT_TRUE(e.child && e.observer) << "autokill child and observer";
        Holder holder = Holder::start();
        ASSERT_TRUE(holder.proc) << "holder fork: " << strerror(holder.proc.error);
        if (!holder_first) {
            e.child.pidfd.reset();
            EXPECT_TRUE(e.alive()) << "the holder's copy keeps the child alive";
        }
        ASSERT_EQ(sys::pidfd_send_signal(holder.proc.pidfd.get(), SIGKILL), 0) << "SIGKILL the holder";
        std::optional<int> status = wait_child(holder.proc.pid, holder.proc.pidfd.get());
        EXPECT_TRUE(status && WIFSIGNALED(*status)) << "holder killed";
        if (holder_first) {
            EXPECT_TRUE(e.alive()) << "the original keeps the child alive";
            e.child.pidfd.reset();
        }
        EXPECT_TRUE(e.killed()) << "holder and original gone: the child dies";
    }
}

namespace {

// A parent process that makes an autokill child and holds its only pidfd.
// On "k" it waits to be killed; on "x" it execs this binary in eof-exit 48
// mode with the test's pipe as stdin.
struct Parent {
    Child proc;
    UniqueFd observer; // pidfd_open() of the autokill child
    UniqueFd ctl;      // the test's end of the control channel
    UniqueFd stdin_wr; // EOF ends the exec'd parent
};

Parent start_parent()
{
    Parent p;
    UniqueFd exe(::open(self_exe().c_str(), O_PATH | O_CLOEXEC));
    int fds[2];
    Channel ch = Channel::make();
    if (!exe || !ch.ends[0] || ::pipe2(fds, O_CLOEXEC) != 0)
        return p;
    UniqueFd stdin_rd(fds[0]);
    p.stdin_wr.reset(fds[1]);
    int ctl = ch.ends[1].get();
    p.proc = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        ch.ends[0].reset(); // so the test's death ends the wait
        Child c = spawn(kAutokill, 0, [] {
            for (;;)
                ::pause();
            return 0;
        });
        if (!c || !send_msg(ctl, &c.pid, sizeof(c.pid)))
            return 1;
        char cmd = 0;
        if (::recv(ctl, &cmd, 1, 0) != 1 || cmd != 'x' || ::dup2(stdin_rd.get(), 0) != 0)
            return 2;
        char arg0[] = "clone3_selftests", mode[] = "--helper=eof-exit", code[] = "48";
        char* argv[] = {arg0, mode, code, nullptr};
        char* envp[] = {nullptr};
        ::syscall(SYS_execveat, exe.get(), "", argv, envp, AT_EMPTY_PATH);
        return 100 + errno;
    });
    pid_t child = -1;
    if (p.proc && recv_msg(ch.ends[0].get(), &child, sizeof(child)) == sizeof(child))
        p.observer.reset(sys::pidfd_open(child));
    p.ctl = std::move(ch.ends[0]);
    return p;
}

// The autokill child behind observer was SIGKILLed and released.
::testing::AssertionResult killed(int observer)
{
    if (!wait_pollhup(observer))
        return ::testing::AssertionFailure() << "no POLLHUP on the observer pidfd";
    std::optional<uapi::PidfdInfo> info = pidfd_info(observer, uapi::kInfoExit);
    if (!info || !(info->mask & uapi::kInfoExit))
        return ::testing::AssertionFailure() << "no PIDFD_INFO_EXIT after POLLHUP";
    if (info->exit_code != SIGKILL)
        return ::testing::AssertionFailure() << "exit info " << describe_status(info->exit_code);
    return ::testing::AssertionSuccess();
}

} // namespace

// The parent holding the only pidfd is SIGKILLed: its files close as it
// dies, and the autokill child dies with it.
TEST(AutokillHolders, ParentSigkilled)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    Parent p = start_parent();
    ASSERT_TRUE(p.proc && p.observer) << "parent and its autokill child";
    EXPECT_EQ(poll_fd(p.observer.get(), POLLIN, 0), 0) << "child alive while the parent lives";
    ASSERT_EQ(sys::pidfd_send_signal(p.proc.pidfd.get(), SIGKILL), 0) << "SIGKILL the parent";
    EXPECT_TRUE(killed(p.observer.get())) << "the parent's death killed the child";
    std::optional<int> status = wait_child(p.proc.pid, p.proc.pidfd.get());
    EXPECT_TRUE(status && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL) << "parent killed";
}

// The clone3 pidfd is close-on-exec: when the parent execs, the autokill
// child dies while the exec'd parent still runs.
TEST(AutokillHolders, ParentExec)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    Parent p = start_parent();
    ASSERT_TRUE(p.proc && p.observer) << "parent and its autokill child";
    ASSERT_TRUE(send_msg(p.ctl.get(), "x", 1)) << "tell the parent to exec";
    EXPECT_TRUE(killed(p.observer.get())) << "exec closed the pidfd, which killed the child";
    EXPECT_EQ(poll_fd(p.proc.pidfd.get(), POLLIN, 0), 0) << "the exec'd parent still runs";
    p.stdin_wr.reset();
    std::optional<int> status = wait_child(p.proc.pid, p.proc.pidfd.get());
    ASSERT_TRUE(status) << "parent finished";
    EXPECT_EQ(*status, 48 << 8) << "the parent exec'd the helper (1: clone3 failed, 2: no command, "
                                   "100+errno: exec failed): "
                                << describe_status(*status);
}
