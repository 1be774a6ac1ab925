// SPDX-License-Identifier: GPL-2.0
// Volume runs with exact counts (--volume-autoreap=N, --volume-autokill=M;
// not multiplied by --scale): the other sections are bounded in time, so
// how many children they make depends on the machine; these make exactly
// the number asked for, or fail.
//  - autoreap: children with CLONE_AUTOREAP|CLONE_PIDFD, made in batches
//    that wait at a gate (a pipe) and then all exit at once, with a status
//    of their own (an exit code, or SIGKILL sent to themselves). Each one
//    reaches POLLHUP, is never waitable (waitpid: ECHILD), carries
//    PIDFD_INFO_EXIT with its own status; no SIGCHLD arrives, and no child
//    of ours is a zombie after a batch.
//  - autokill: children with CLONE_PIDFD_AUTOKILL (every other one, and
//    all of them without CAP_SYS_ADMIN, with CLONE_NNP too) in batches,
//    each watched through a pidfd_open() pidfd. All live while their
//    clone3 pidfd is open; once it is closed (in random order) each dies,
//    and its exit info says SIGKILL; none is waitable.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "child.h"
#include "proc_state.h"
#include "sections.h"
#include "sys.h"

namespace stress {
namespace {

constexpr int kAutoreapBatch = 200;
constexpr int kAutokillBatch = 100; // two descriptors each

// In a new child: close every inherited descriptor above stderr but keep.
void keep_only(int keep)
{
    if (keep < 0) {
        ::close_range(3, ~0U, 0);
        return;
    }
    if (keep > 3)
        ::close_range(3, static_cast<unsigned>(keep) - 1, 0);
    ::close_range(static_cast<unsigned>(keep) + 1, ~0U, 0);
}

// The wait status a child numbered n ends with.
int autoreap_status(long n) { return n % 50 == 49 ? SIGKILL : static_cast<int>((n % 200) + 1) << 8; }

struct Kid {
    pid_t pid = -1;
    UniqueFd pidfd;    // clone3's
    UniqueFd observer; // pidfd_open's (autokill only)
    int status = 0;    // expected wait status
};

// An autoreap child that has reached POLLHUP: never waitable, and its exit
// info (when the kernel has PIDFD_INFO_EXIT) is status. False on a failure.
bool check_released(Report& r, const char* what, pid_t pid, int pidfd, int status)
{
    int st = 0;
    errno = 0;
    pid_t w = ::waitpid(pid, &st, WNOHANG | __WALL);
    if (w != -1 || errno != ECHILD) {
        if (w == pid)
            r.zombie("%s child %d was waitable after POLLHUP (%s)", what, pid, describe_status(st).c_str());
        else
            r.fail("%s child %d: waitpid gave %d (%s), expected ECHILD", what, pid, w, std::strerror(errno));
        return false;
    }
    if (!has(Feature::PidfdInfoExit))
        return true;
    std::optional<uapi::PidfdInfo> info = pidfd_info(pidfd, uapi::kInfoExit);
    if (!info || !(info->mask & uapi::kInfoExit)) {
        r.fail("%s child %d: no PIDFD_INFO_EXIT after POLLHUP (%s)", what, pid,
               info ? "mask lacks it" : std::strerror(errno));
        return false;
    }
    if (info->exit_code != status) {
        r.fail("%s child %d: exit info %s, expected %s", what, pid, describe_status(info->exit_code).c_str(),
               describe_status(status).c_str());
        return false;
    }
    return true;
}

// After a batch: none of our children is a zombie, none is waitable.
void check_no_waitable(Report& r, const char* what, long batch)
{
    pid_t self = ::getpid();
    for (const ProcEntry& p : processes())
        if (p.ppid == self && p.state == 'Z')
            r.zombie("after %s batch %ld: %s", what, batch, describe(p).c_str());
    siginfo_t si{};
    int ret = sys::waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL);
    if (ret == 0 && si.si_pid > 0)
        r.zombie("after %s batch %ld: child %d waitable", what, batch, si.si_pid);
    else if (ret == 0)
        r.fail("after %s batch %ld: a child of ours still exists (waitid(P_ALL) did not give ECHILD)", what,
               batch);
    else if (errno != ECHILD)
        r.fail("after %s batch %ld: waitid(P_ALL) gave %s, expected ECHILD", what, batch, std::strerror(errno));
}

// Block SIGCHLD so that one sent to us stays pending and shows.
void block_sigchld()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

void check_no_sigchld(Report& r, const char* what)
{
    sigset_t pending;
    sigemptyset(&pending);
    if (::sigpending(&pending) == 0 && sigismember(&pending, SIGCHLD))
        r.fail("%s: SIGCHLD arrived, though every child was autoreap", what);
}

// Records a new child of the batch (expected wait status: status); null,
// and a failure, when its clone failed.
Kid* add_kid(Report& r, const char* what, long batch, long* made, Child c, int status, std::vector<Kid>& kids)
{
    if (!c) {
        r.fail("batch %ld: clone3 of %s child %ld: %s", batch, what, *made, std::strerror(c.error));
        return nullptr;
    }
    r.children++;
    ++*made;
    Kid k;
    k.pid = c.pid;
    k.pidfd = std::move(c.pidfd);
    k.status = status;
    kids.push_back(std::move(k));
    return &kids.back();
}

// The end of a batch: every child must reach POLLHUP on its watched pidfd
// (autokill: the observer, the clone3 one is closed) and pass
// check_released(); then nothing may be waitable. Adds the children
// checked to *checked; false when the batch broke the run.
bool finish_batch(Report& r, const char* what, const char* after, long batch,
                  std::vector<Kid>& kids, long* checked)
{
    bool ok = true;
    for (Kid& k : kids) {
        int watch = k.observer ? k.observer.get() : k.pidfd.get();
        if (watch < 0)
            continue;
        if (!wait_pollhup(watch)) {
            r.fail("batch %ld: %s child %d not released %d ms after %s (%s)", batch, what, k.pid, kTimeoutMs,
                   after, task_summary(k.pid).c_str());
            ::kill(k.pid, SIGKILL);
            ok = false;
            continue;
        }
        if (check_released(r, what, k.pid, watch, k.status))
            ++*checked;
    }
    kids.clear();
    check_no_waitable(r, what, batch);
    return ok && r.violations == 0 && r.zombies == 0;
}

void report_volume(Context& ctx, Report& r, const char* what, long asked, long made, long checked, bool broken)
{
    double s = ctx.budget.elapsed();
    r.note("%ld of %ld %s children in %ld batches, %ld checked, %.1f s (%.1f children/s)", made, asked, what,
           r.rounds.load(), checked, s, s > 0 ? static_cast<double>(made) / s : 0.0);
    if (made < asked && broken)
        r.fail("%s: only %ld of the %ld children asked for were made: stopped at the first failing batch",
               what, made, asked);
    else if (made < asked)
        r.fail("%s: only %ld of the %ld children asked for were made within the section's limit of %.0f s",
               what, made, asked, ctx.budget.seconds());
}

} // namespace

// Limits several times what the --debug builds took under TCG on a shared
// host (10000 autoreap children: 202 s on 6.12, 283 s on 6.18; 1000
// autokill children: 15 s and 32 s).
double volume_autoreap_seconds(const Options& opt) { return 120 + 0.1 * static_cast<double>(opt.volume_autoreap); }
double volume_autokill_seconds(const Options& opt) { return 120 + 0.1 * static_cast<double>(opt.volume_autokill); }

void volume_autoreap(Context& ctx, Report& r)
{
    const long asked = ctx.opt.volume_autoreap;
    if (asked <= 0) {
        r.note("--volume-autoreap=0: nothing asked");
        return;
    }
    if (!need(ctx, r, has(Feature::Autoreap), "CLONE_AUTOREAP"))
        return;
    block_sigchld();
    long made = 0, checked = 0;
    bool broken = false;
    while (made < asked && !broken && ctx.budget.elapsed() < ctx.budget.seconds()) {
        const long batch = ++r.rounds;
        int gate[2];
        if (::pipe2(gate, O_CLOEXEC) != 0) {
            r.fail("pipe2: %s", std::strerror(errno));
            break;
        }
        UniqueFd gate_r(gate[0]), gate_w(gate[1]);
        std::vector<Kid> kids;
        const long n = std::min<long>(kAutoreapBatch, asked - made);
        for (long i = 0; i < n; ++i) {
            const int status = autoreap_status(made);
            const int rfd = gate_r.get();
            Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [rfd, status] {
                keep_only(rfd);
                char b;
                while (::read(rfd, &b, 1) < 0 && errno == EINTR) {
                }
                if (WIFSIGNALED(status))
                    ::kill(::getpid(), WTERMSIG(status));
                return WEXITSTATUS(status);
            });
            if (!add_kid(r, "autoreap", batch, &made, std::move(c), status, kids)) {
                broken = true;
                break;
            }
        }
        gate_w.reset(); // every child of the batch reads EOF and ends
        if (!finish_batch(r, "autoreap", "its gate opened", batch, kids, &checked))
            broken = true;
    }
    check_no_sigchld(r, "volume_autoreap");
    report_volume(ctx, r, "autoreap", asked, made, checked, broken);
}

void volume_autokill(Context& ctx, Report& r)
{
    const long asked = ctx.opt.volume_autokill;
    if (asked <= 0) {
        r.note("--volume-autokill=0: nothing asked");
        return;
    }
    if (!need(ctx, r, has(Feature::PidfdAutokill), "CLONE_PIDFD_AUTOKILL"))
        return;
    if (!has(Feature::PidfdInfoExit))
        r.note("no PIDFD_INFO_EXIT: deaths seen by POLLHUP only, the signal not checked");
    block_sigchld();
    long made = 0, checked = 0;
    bool broken = false;
    while (made < asked && !broken && ctx.budget.elapsed() < ctx.budget.seconds()) {
        const long batch = ++r.rounds;
        std::vector<Kid> kids;
        const long n = std::min<long>(kAutokillBatch, asked - made);
        for (long i = 0; i < n; ++i) {
            std::uint64_t flags = CLONE_AUTOREAP | CLONE_PIDFD | CLONE_PIDFD_AUTOKILL;
            if (!ctx.cap_sys_admin || made % 2)
                flags |= CLONE_NNP;
            Child c = spawn(flags, 0, [] {
                keep_only(-1);
                for (;;)
                    ::pause();
                return 0;
            });
            Kid* k = add_kid(r, "autokill", batch, &made, std::move(c), SIGKILL, kids);
            if (!k) {
                broken = true;
                break;
            }
            k->observer.reset(sys::pidfd_open(k->pid));
            if (!k->observer) {
                r.fail("batch %ld: pidfd_open of autokill child %d: %s", batch, k->pid, std::strerror(errno));
                broken = true;
            }
        }
        // All alive while their clone3 pidfd is open.
        for (const Kid& k : kids)
            if (k.observer && poll_fd(k.observer.get(), POLLIN, 0) != 0) {
                r.fail("batch %ld: autokill child %d ended while its clone3 pidfd was open", batch, k.pid);
                broken = true;
            }
        std::vector<std::size_t> order(kids.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::shuffle(order.begin(), order.end(), ctx.rng);
        for (std::size_t i : order)
            kids[i].pidfd.reset();
        if (!finish_batch(r, "autokill", "its last pidfd was closed", batch, kids, &checked))
            broken = true;
    }
    check_no_sigchld(r, "volume_autokill");
    report_volume(ctx, r, "autokill", asked, made, checked, broken);
}

} // namespace stress
