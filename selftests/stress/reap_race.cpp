// SPDX-License-Identifier: GPL-2.0
// Reparenting races (SPEC §2): autoreap parents, each with a handful of
// children (autoreap, autoreap with a pidfd, autokill, multithreaded with
// the leader exiting first; ordinary ones in mixed trees), die (exit,
// SIGKILL, or autokill by closing their pidfd) while their children exit.
// Under this process as child subreaper: no autoreap process ever becomes
// waitable, and in trees that are autoreap throughout no SIGCHLD arrives.
// Reparented to init: everything ends, nothing splats (console checks).
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "child.h"
#include "sections.h"
#include "sys.h"

namespace stress {
namespace {

constexpr int kExitAutoreap = 55; // any autoreap process of the tree
constexpr int kExitOrdinary = 77; // the ordinary children of mixed trees

enum class Death { Exits, Killed, Autokill };

// Threaded autoreap child: the leader exits first, the other thread ends
// the group a little later.
int thread_ends_group(void* spins)
{
    for (long i = reinterpret_cast<long>(spins); i > 0; --i)
        ::syscall(SYS_sched_yield);
    ::syscall(SYS_exit_group, kExitAutoreap);
    return 0;
}

int threaded_child(long spins)
{
    constexpr std::size_t kStack = 64 * 1024;
    void* stack = ::mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return kExitAutoreap;
    uapi::CloneArgs args{};
    args.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
    args.stack = reinterpret_cast<std::uintptr_t>(stack);
    args.stack_size = kStack;
    if (sys::clone3_on_stack(&args, thread_ends_group, reinterpret_cast<void*>(spins)) < 0)
        return kExitAutoreap;
    sys::exit_thread(0);
}

// The body of one parent: spawn kids children, then exit or wait to die.
int parent_body(std::uint64_t seed, int kids, bool mixed, Death death, bool autokill, std::uint64_t autokill_extra)
{
    std::mt19937_64 rng(seed);
    auto pick = [&](long lo, long hi) { return std::uniform_int_distribution<long>(lo, hi)(rng); };
    std::vector<Child> held; // pidfds that close when this parent dies
    for (int k = 0; k < kids; ++k) {
        long spins = pick(0, 300);
        long kind = pick(0, mixed ? 4 : 3);
        if (kind == 2 && !autokill)
            kind = 1;
        Child c;
        if (kind == 0) {
            c = spawn(CLONE_AUTOREAP, 0, [&] { jitter(spins); return kExitAutoreap; });
        } else if (kind == 1) {
            c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [&] { jitter(spins); return kExitAutoreap; });
        } else if (kind == 2) {
            // Dies with this parent (its pidfd closes) unless it exits first.
            bool waits = pick(0, 1);
            c = spawn(CLONE_AUTOREAP | CLONE_PIDFD | CLONE_PIDFD_AUTOKILL | autokill_extra, 0, [&] {
                jitter(spins);
                while (waits)
                    ::pause();
                return kExitAutoreap;
            });
        } else if (kind == 3) {
            c = spawn(CLONE_AUTOREAP, 0, [&] { return threaded_child(spins); });
        } else {
            c = spawn(0, SIGCHLD, [&] { jitter(spins); return kExitOrdinary; });
        }
        if (!c) {
            report().fail("clone3 of a child of kind %ld in a dying parent: %s", kind, std::strerror(c.error));
            continue;
        }
        report().children++;
        held.push_back(std::move(c));
    }
    jitter(pick(0, 200));
    if (death == Death::Exits)
        return kExitAutoreap;
    for (;;)
        ::pause();
}

struct Parent {
    Child child;
    UniqueFd observer; // a plain pidfd, for parents whose own pidfd we close
    Death death = Death::Exits;
};

// Reap whatever this process can still wait for, until it has no child left.
// Ordinary children of mixed trees are expected; anything else is an
// autoreap process that became a zombie. Returns false on timeout.
bool drain_children(Report& r, bool mixed)
{
    double end = now_seconds() + kTimeoutMs / 1000.0;
    for (;;) {
        siginfo_t si{};
        int ret = sys::waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL);
        if (ret < 0 && errno == ECHILD)
            return true;
        if (ret == 0 && si.si_pid > 0) {
            bool ordinary = si.si_code == CLD_EXITED && si.si_status == kExitOrdinary;
            if (!(mixed && ordinary))
                r.zombie("pid %d reaped by its new parent (code %d status %d): an autoreap process "
                         "left a zombie",
                         si.si_pid, si.si_code, si.si_status);
            continue;
        }
        if (now_seconds() > end)
            return false;
        ::usleep(2000);
    }
}

// One batch: a few parents with children, killed in random order.
bool batch(Context& ctx, Report& r, bool subreaper, int sigfd)
{
    const bool mixed = subreaper && ctx.chance(0.5);
    const std::uint64_t autokill_extra = ctx.cap_sys_admin ? 0 : CLONE_NNP;
    int holders[2];
    if (::pipe2(holders, O_CLOEXEC) != 0)
        return false;
    UniqueFd alive_rd(holders[0]), alive_wr(holders[1]);
    std::vector<Parent> parents(static_cast<std::size_t>(ctx.pick(2, 8)));
    for (Parent& p : parents) {
        p.death = static_cast<Death>(ctx.pick(0, has(Feature::PidfdAutokill) ? 2 : 1));
        std::uint64_t seed = ctx.rng();
        int kids = static_cast<int>(ctx.pick(1, 6));
        std::uint64_t flags = CLONE_AUTOREAP | CLONE_PIDFD;
        if (p.death == Death::Autokill)
            flags |= CLONE_PIDFD_AUTOKILL | autokill_extra;
        int wr = alive_wr.get();
        p.child = spawn(flags, 0, [&] {
            // Only the pipe that every process of the tree keeps open, not
            // the pidfds of the earlier parents.
            ::close_range(3, static_cast<unsigned>(wr) - 1, 0);
            ::close_range(static_cast<unsigned>(wr) + 1, ~0U, 0);
            ::fcntl(wr, F_SETFD, 0);
            return parent_body(seed, kids, mixed, p.death, has(Feature::PidfdAutokill), autokill_extra);
        });
        if (!p.child) {
            r.fail("clone3 of an autoreap parent: %s", std::strerror(p.child.error));
            continue;
        }
        r.children++;
        if (p.death == Death::Autokill)
            p.observer.reset(sys::pidfd_open(p.child.pid));
    }
    alive_wr.reset();
    for (Parent& p : parents) {
        if (!p.child)
            continue;
        jitter(ctx.pick(0, 100));
        if (p.death == Death::Killed)
            sys::pidfd_send_signal(p.child.pidfd.get(), SIGKILL);
        else if (p.death == Death::Autokill)
            p.child.pidfd.reset();
    }
    for (Parent& p : parents) {
        if (!p.child)
            continue;
        int watch = p.child.pidfd ? p.child.pidfd.get() : p.observer.get();
        if (watch >= 0 && !wait_pollhup(watch)) {
            r.fail("autoreap parent %d (death mode %d) not released within %d ms", p.child.pid,
                   static_cast<int>(p.death), kTimeoutMs);
            ::kill(p.child.pid, SIGKILL);
        }
        int st;
        if (::waitpid(p.child.pid, &st, WNOHANG | __WALL) == p.child.pid)
            r.zombie("autoreap parent %d was waitable: %s", p.child.pid, describe_status(st).c_str());
    }
    // Every process of the tree holds the pipe: POLLHUP once all exited.
    if (!(poll_fd(alive_rd.get(), POLLIN) & POLLHUP)) {
        r.fail("children of dead autoreap parents still running after %d ms", kTimeoutMs);
        return false;
    }
    if (subreaper && !drain_children(r, mixed)) {
        r.fail("reparented children not gone within %d ms", kTimeoutMs);
        return false;
    }
    struct signalfd_siginfo ssi;
    while (::read(sigfd, &ssi, sizeof(ssi)) == sizeof(ssi))
        if (!mixed)
            r.fail("SIGCHLD from pid %u (code %d, status %d) in a tree that is autoreap throughout",
                   ssi.ssi_pid, ssi.ssi_code, ssi.ssi_status);
    return true;
}

void reap_race(Context& ctx, Report& r, bool subreaper)
{
    if (!need(ctx, r, has(Feature::Autoreap), "CLONE_AUTOREAP"))
        return;
    if (subreaper && ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        r.fail("PR_SET_CHILD_SUBREAPER: %s", std::strerror(errno));
        return;
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    UniqueFd sigfd(::signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!has(Feature::PidfdAutokill))
        r.note("kernel lacks CLONE_PIDFD_AUTOKILL: parents only exit or are killed");
    while (ctx.budget.more(r.rounds)) {
        r.rounds++;
        if (!batch(ctx, r, subreaper, sigfd.get()))
            break;
    }
}

} // namespace

void reap_race_subreaper(Context& ctx, Report& r) { reap_race(ctx, r, true); }

void reap_race_init(Context& ctx, Report& r) { reap_race(ctx, r, false); }

} // namespace stress
