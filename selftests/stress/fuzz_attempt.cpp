// SPDX-License-Identifier: GPL-2.0
#include "fuzz_attempt.h"

#include <algorithm>
#include <asm/prctl.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "post_clone_check.h"
#include "proc_state.h"
#include "sys.h"

namespace stress {
namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kArgPages = 4;          // then one PROT_NONE page
constexpr std::size_t kStack = 64 * 1024;


// What the section process learns from its worker besides the Report.
struct WorkerState {
    char last_case[200];
    std::uint64_t last_exit_signal; // of the last accepted child
    std::atomic<long> transient;    // EAGAIN/ENOMEM/ENOSPC where the model accepts
};
WorkerState* g_state = nullptr;

void block_all_signals()
{
    std::uint64_t all = ~0ULL; // the raw call also blocks glibc's internal signals
    ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, nullptr, sizeof(all));
}

struct Worker {
    Context& ctx;
    Report& r;
    const FuzzEnv& env;
    char* arena = nullptr; // kArgPages writable pages, then a guard page
    void* stack = nullptr;
    int release[2] = {-1, -1};
    int done[2] = {-1, -1};
    int pidfd = -1, ctid = 0, ptid = 0;
    unsigned long fsbase = 0;

    bool setup();
    char* place(const FuzzCase& c);
    long attempt(const FuzzCase& c);
    void check_child(const FuzzCase& c, pid_t pid);
};

bool Worker::setup()
{
    void* a = ::mmap(nullptr, (kArgPages + 1) * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stack = ::mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (a == MAP_FAILED || stack == MAP_FAILED)
        return false;
    arena = static_cast<char*>(a);
    ::mprotect(arena + kArgPages * kPage, kPage, PROT_NONE);
    ::syscall(SYS_arch_prctl, ARCH_GET_FS, &fsbase);
    return ::pipe2(release, O_CLOEXEC) == 0 && ::pipe2(done, O_CLOEXEC) == 0;
}

// Write the case's struct where it belongs; returns the pointer to pass.
char* Worker::place(const FuzzCase& c)
{
    uapi::CloneArgs a{};
    a.flags = c.flags;
    a.exit_signal = c.exit_signal;
    a.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
    a.child_tid = reinterpret_cast<std::uintptr_t>(&ctid);
    a.parent_tid = reinterpret_cast<std::uintptr_t>(&ptid);
    a.set_tid_size = c.set_tid_size;
    a.cgroup = static_cast<std::uint64_t>(env.cgroup_fd < 0 ? 0 : env.cgroup_fd);
    if (c.flags & CLONE_SETTLS)
        a.tls = fsbase;
    if (c.flags & CLONE_VM) {
        a.stack = reinterpret_cast<std::uintptr_t>(stack);
        a.stack_size = kStack;
    }
    std::memset(arena, 0, kArgPages * kPage);
    char* guard = arena + kArgPages * kPage;
    char* p = arena + (c.placement == Placement::Unaligned ? c.offset : 0);
    if (c.placement == Placement::Faulting)
        p = guard - (c.size - c.fault_bytes);
    std::size_t room = static_cast<std::size_t>(guard - p);
    std::memcpy(p, &a, std::min({sizeof(a), c.size, room}));
    if (c.nonzero_tail && c.nonzero_tail < room)
        p[c.nonzero_tail] = 0x5a;
    return p;
}

long Worker::attempt(const FuzzCase& c)
{
    char* p = place(c);
    auto* args = reinterpret_cast<uapi::CloneArgs*>(p);
    pidfd = -1;
    if (c.flags & CLONE_VM) {
        long tid = sys::clone3_on_stack(args, vm_child_main, &done[1], c.size);
        return tid < 0 ? -errno : tid;
    }
    std::fflush(nullptr);
    long ret = ::syscall(SYS_clone3, args, c.size);
    if (ret == 0)
        accepted_child_main(c.flags, release[0]);
    return ret < 0 ? -errno : ret;
}

// An accepted clone: its post-conditions (post_clone_check.h); a
// waitable autoreap child counts as a zombie.
void Worker::check_child(const FuzzCase& c, pid_t pid)
{
    const std::string what = describe(c);
    CloneCheck check = check_accepted_clone({.flags = c.flags,
                                             .exit_signal = static_cast<int>(c.exit_signal),
                                             .pid = pid,
                                             .pidfd = UniqueFd((c.flags & CLONE_PIDFD) ? pidfd : -1),
                                             .release_wr = release[1],
                                             .vm_done_rd = done[0],
                                             .check_exit_info = has(Feature::PidfdInfoExit)});
    for (const CloneProblem& p : check.problems) {
        if (p.waitable)
            r.zombie("%s: child %d: %s", what.c_str(), pid, p.text.c_str());
        else
            r.fail("%s: child %d: %s (child: %s)", what.c_str(), pid, p.text.c_str(),
                   task_summary(pid).c_str());
    }
}

int worker_main(Context& ctx, Report& r, const FuzzEnv& env, std::uint64_t seed, CallerKind who)
{
    block_all_signals();
    Worker w{ctx, r, env};
    if (!w.setup()) {
        r.fail("fuzz worker setup: %s", std::strerror(errno));
        return 1;
    }
    std::mt19937_64 rng(seed);
    const char* name = caller_name(who);
    constexpr int kHistory = 6; // accepted cases before a failed check, for the report
    std::string history[kHistory];
    int accepted = 0;
    while (ctx.budget.more(r.tries)) {
        FuzzCase c = random_case(rng, env);
        int want = expected_errno(c, env);
        std::snprintf(g_state->last_case, sizeof(g_state->last_case), "%s", describe(c).c_str());
        g_state->last_exit_signal = c.exit_signal; // a CLONE_VM child may exit before clone3 returns
        r.tries++;
        long ret = w.attempt(c);
        int got = ret < 0 ? static_cast<int>(-ret) : 0;
        if (ctx.opt.trace)
            std::printf("clone3_stress: try %s as %s: model %s, kernel %s\n", describe(c).c_str(), name,
                        errno_name(want), errno_name(got));
        if (want == 0 && (got == EAGAIN || got == ENOMEM || got == ENOSPC)) {
            g_state->transient++;
            continue;
        }
        if (got != want)
            r.disagree("%s as %s: model %s, kernel %s", describe(c).c_str(), name, errno_name(want),
                       errno_name(got));
        if (ret > 0) {
            r.children++;
            long before = r.violations + r.zombies;
            w.check_child(c, static_cast<pid_t>(ret));
            // A thread of ours, a sibling still running on our stack, a
            // child sharing our signal handlers (pid 1 of a new pid
            // namespace sets SIGCHLD to SIG_IGN when it exits: our next
            // children would vanish), or a child that did not end as it
            // should: start afresh.
            history[accepted++ % kHistory] = describe(c);
            if (r.violations + r.zombies != before) {
                for (int i = std::max(0, accepted - kHistory); i < accepted - 1; ++i)
                    r.note("accepted earlier by the same worker: %s", history[i % kHistory].c_str());
                return 0;
            }
            if (c.flags & (CLONE_THREAD | CLONE_PARENT | CLONE_SIGHAND))
                return 0;
        }
    }
    return 0;
}

// Reap what the worker's CLONE_PARENT children left us (exit codes 10-13).
void reap_siblings(Report& r)
{
    double end = now_seconds() + kTimeoutMs / 1000.0;
    for (;;) {
        siginfo_t si{};
        int ret = sys::waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL);
        if (ret < 0)
            return; // ECHILD: all gone
        if (si.si_pid > 0) {
            if (si.si_code != CLD_EXITED || si.si_status < 10 || si.si_status > 13)
                r.fail("CLONE_PARENT child %d ended with code %d status %d", si.si_pid, si.si_code,
                       si.si_status);
            continue;
        }
        if (now_seconds() > end) {
            r.fail("CLONE_PARENT children still running after %d ms", kTimeoutMs);
            return;
        }
        ::usleep(2000);
    }
}

} // namespace

bool run_fuzz_worker(Context& ctx, Report& r, const FuzzEnv& env, std::uint64_t seed, CallerKind who)
{
    if (!g_state) {
        void* p = ::mmap(nullptr, sizeof(WorkerState), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return false;
        g_state = static_cast<WorkerState*>(p);
    }
    g_state->last_case[0] = 0;
    g_state->last_exit_signal = 0;
    const bool autoreap = who == CallerKind::Autoreap;
    Child w = spawn_caller(who, [&] { return worker_main(ctx, r, env, seed, who); });
    if (!w) {
        r.fail("clone3 of a fuzz worker: %s", std::strerror(w.error));
        return false;
    }
    r.children++;
    // A worker stopped by its child's exit signal (SIGSTOP) is continued.
    double end = now_seconds() + 2 * kTimeoutMs / 1000.0;
    bool hung = false;
    while (!(poll_fd(w.pidfd.get(), POLLIN, 200) & POLLIN)) {
        sys::pidfd_send_signal(w.pidfd.get(), SIGCONT);
        if (now_seconds() > end) {
            r.fail("fuzz worker hung; its last case: %s", g_state->last_case);
            sys::pidfd_send_signal(w.pidfd.get(), SIGKILL);
            hung = true;
            break;
        }
    }
    if (autoreap) {
        wait_pollhup(w.pidfd.get());
    } else {
        int st = 0;
        ::waitpid(w.pid, &st, __WALL);
        bool own_signal = WIFSIGNALED(st) && WTERMSIG(st) == static_cast<int>(g_state->last_exit_signal);
        if (!hung && !(WIFEXITED(st) && WEXITSTATUS(st) == 0) && !own_signal)
            r.fail("fuzz worker %s; its last case: %s", describe_status(st).c_str(), g_state->last_case);
    }
    reap_siblings(r);
    return !hung;
}

long transient_refusals() { return g_state ? g_state->transient.load() : 0; }

} // namespace stress
