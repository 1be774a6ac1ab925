// SPDX-License-Identifier: GPL-2.0
// CLONE_PIDFD_AUTOKILL and the kind of child (SPEC §4): multithreaded,
// stopped, blocking every signal, a pid-namespace init; and never a
// process that merely reuses a dead autokill child's pid.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_child.h"
#include "proc_state.h"
#include "require_feature.h"
#include "scm_rights.h"

namespace {

void* sleep_forever(void*)
{
    for (;;)
        ::pause();
    return nullptr;
}

int count_tasks(pid_t pid) { return count_entries("/proc/" + std::to_string(pid) + "/task"); }

// The next pid our pid namespace hands out is want: through ns_last_pid
// when the kernel has it (CONFIG_CHECKPOINT_RESTORE), otherwise through
// clone3's set_tid. Returns the clone3 result like spawn().
Child spawn_at_pid(pid_t want, int peer)
{
    const Body echo = [peer] {
        char b;
        while (::recv(peer, &b, 1, 0) == 1)
            send_msg(peer, &b, 1);
        return 0;
    };
    UniqueFd last(::open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC));
    if (last) {
        std::string text = std::to_string(want - 1);
        if (::write(last.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
            return Child{};
        return spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, echo);
    }
    int pidfd = -1;
    pid_t tid = want;
    uapi::CloneArgs args{};
    args.flags = CLONE_AUTOREAP | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
    args.set_tid = reinterpret_cast<std::uintptr_t>(&tid);
    args.set_tid_size = 1;
    std::fflush(nullptr);
    long ret = sys::clone3(&args);
    if (ret == 0)
        _exit(echo());
    Child c;
    c.pid = ret > 0 ? static_cast<pid_t>(ret) : -1;
    c.error = ret < 0 ? errno : 0;
    c.pidfd.reset(pidfd);
    return c;
}

// As init of a new pid namespace: autokill child A exits on its own and is
// released; B is forced onto A's pid; closing A's pidfd must leave B alive.
int recycled_pid_scenario()
{
    Child a = spawn(kAutokill, 0, [] { return 0; });
    if (!a)
        return 10;
    if (!wait_pollhup(a.pidfd.get()))
        return 11;
    // POLLHUP comes when A is unhashed, a moment before release_task()
    // frees its pid number: until then set_tid fails with EEXIST and
    // ns_last_pid hands out the next pid. Try again for a while.
    Channel ch;
    Child b;
    for (int attempt = 0; attempt < 400; ++attempt) {
        ch = Channel::make();
        b = spawn_at_pid(a.pid, ch.ends[1].get());
        ch.ends[1].reset();
        if (b && b.pid == a.pid)
            break;
        if (b) {
            sys::pidfd_send_signal(b.pidfd.get(), SIGKILL);
            wait_pollhup(b.pidfd.get());
        } else if (b.error != EEXIST) {
            return 12;
        }
        ::usleep(5000);
    }
    if (!b)
        return 12;
    if (b.pid != a.pid)
        return 13;
    a.pidfd.reset(); // the close that must not kill b
    char byte;
    if (!send_msg(ch.ends[0].get(), "p", 1) || recv_msg(ch.ends[0].get(), &byte, 1) != 1)
        return 14;
    return 0;
}

} // namespace

// Closing a dead autokill child's pidfd never kills a process that reuses
// its pid (pid reuse forced inside a fresh pid namespace).
TEST(AutokillTargets, NoKillOfRecycledPid)
{
    REQUIRE_FEATURE(PidfdAutokill);
    Child init = spawn(CLONE_NEWPID | CLONE_PIDFD, SIGCHLD, [] { return recycled_pid_scenario(); });
    ASSERT_TRUE(init) << "clone3 CLONE_NEWPID: " << strerror(init.error);
    std::optional<int> status = wait_child(init.pid, init.pidfd.get());
    ASSERT_TRUE(status) << "pid-namespace init finished";
    EXPECT_EQ(*status, 0) << describe_status(*status)
                          << " (10: clone3 A, 11: A not released, 12: clone3 B (ns_last_pid or "
                             "set_tid), 13: B did not get A's pid within 2 s, 14: B died when A's pidfd "
                             "closed)";
}

// A multithreaded child: the whole thread group dies on close.
TEST(AutokillTargets, MultithreadedChildDies)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start(kAutokill, [] {
        pthread_t t;
        for (int i = 0; i < 3; ++i)
            if (pthread_create(&t, nullptr, sleep_forever, nullptr) != 0)
                return false;
        return true;
    });
    ASSERT_TRUE(e.child && e.observer)
        << "autokill child and observer: " << strerror(e.child.error);
    ASSERT_TRUE(e.alive()) << "child answers once its threads run";
    EXPECT_EQ(count_tasks(e.child.pid), 4) << "threads of the child";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.killed()) << "every thread gone (POLLHUP) and SIGKILL as exit info";
}

// A child stopped by SIGSTOP dies on close (SIGKILL wakes it).
TEST(AutokillTargets, StoppedChildDies)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start();
    ASSERT_TRUE(e.child && e.observer)
        << "autokill child and observer: " << strerror(e.child.error);
    ASSERT_TRUE(e.alive()) << "child runs";
    ASSERT_EQ(sys::pidfd_send_signal(e.observer.get(), SIGSTOP), 0) << "SIGSTOP";
    ASSERT_TRUE(wait_until_state(e.child.pid, e.child.pid, 'T')) << "child stopped";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.killed()) << "the stopped child was killed";
}

// A child that blocks and ignores every signal it can dies on close.
TEST(AutokillTargets, SignalBlockingChildDies)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start(kAutokill, [] {
        for (int sig = 1; sig < NSIG; ++sig)
            if (sig != SIGKILL && sig != SIGSTOP)
                std::signal(sig, SIG_IGN);
        sigset_t all;
        sigfillset(&all);
        return sigprocmask(SIG_SETMASK, &all, nullptr) == 0;
    });
    ASSERT_TRUE(e.child && e.observer)
        << "autokill child and observer: " << strerror(e.child.error);
    ASSERT_TRUE(e.alive()) << "child runs with every signal blocked";
    ASSERT_EQ(sys::pidfd_send_signal(e.observer.get(), SIGTERM), 0) << "SIGTERM";
    EXPECT_TRUE(e.alive()) << "control: SIGTERM is blocked and ignored";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.killed()) << "the signal-blocking child was killed";
}

// An autokill child that is init of a new pid namespace: the close kills
// it, and with it every process of its namespace.
TEST(AutokillTargets, PidNamespaceInitDies)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    Channel fds = Channel::make();
    ASSERT_TRUE(fds.ends[0]) << "socketpair";
    int fd_end = fds.ends[1].get();
    EchoChild e = EchoChild::start(kAutokill | CLONE_NEWPID, [fd_end] {
        if (::getpid() != 1)
            return false;
        Child member = spawn(CLONE_PIDFD, SIGCHLD, [] {
            for (;;)
                ::pause();
            return 0;
        });
        return member && send_fd(fd_end, member.pidfd.get());
    });
    fds.ends[1].reset();
    ASSERT_TRUE(e.child && e.observer) << "clone3 autokill|CLONE_NEWPID and observer: "
                                       << strerror(e.child.error);
    ASSERT_TRUE(e.alive()) << "namespace init runs (90: not pid 1 or no member)";
    UniqueFd member(recv_fd(fds.ends[0].get()));
    ASSERT_TRUE(member) << "pidfd of a process in the child's namespace";
    EXPECT_EQ(poll_fd(member.get(), POLLIN, 0), 0) << "namespace member alive";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.killed()) << "the namespace init was killed";
    ASSERT_TRUE(wait_pollhup(member.get())) << "namespace member released";
    std::optional<uapi::PidfdInfo> info = pidfd_info(member.get(), uapi::kInfoExit);
    ASSERT_TRUE(info && (info->mask & uapi::kInfoExit)) << "member's PIDFD_INFO_EXIT";
    EXPECT_EQ(info->exit_code, SIGKILL) << "member " << describe_status(info->exit_code);
}
