// SPDX-License-Identifier: GPL-2.0
// CLONE_PIDFD_AUTOKILL under concurrent descriptor traffic (SPEC §4): the
// copies of one autokill pidfd are closed, dup'ed and passed over
// SCM_RIGHTS by several threads at once, some while another thread closes
// the same descriptor; a holder process may keep copies (inherited by
// fork, passed to it, or taken with pidfd_getfd) and then close them,
// exit, or be killed. While a copy surely exists the child lives; once the
// last one is gone it dies by SIGKILL.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "child.h"
#include "scm_rights.h"
#include "sections.h"
#include "sys.h"

namespace stress {
namespace {

constexpr int kActors = 3;
constexpr int kAliveCheckMs = 10; // an early kill would show by then

struct Plan {
    std::vector<int> fds[kActors]; // each actor's own copies
    int racy = -1;                 // closed by actor 0 while 1 sends and 2 dups it
    int sock = -1, recv_sock = -1; // a socket pair to ourselves
    int holder = -1;               // towards the holder process, or -1
    std::uint64_t seed = 0;
    std::atomic<int> sent_g{0}, recv_g{0}, held_g{0}, actors_done{0};
    bool stop = false;
};

void actor(Plan& p, int id)
{
    std::mt19937_64 rng(p.seed + static_cast<unsigned>(id));
    auto pick = [&](long lo, long hi) { return std::uniform_int_distribution<long>(lo, hi)(rng); };
    for (int fd : p.fds[id]) {
        switch (pick(0, 4)) {
        case 0:
            ::close(fd);
            break;
        case 1: {
            int d = ::dup(fd);
            ::close(fd);
            jitter(pick(0, 20));
            if (d >= 0)
                ::close(d);
            break;
        }
        case 2:
            if (send_fd(p.sock, fd, 'g', true))
                p.sent_g++;
            ::close(fd);
            break;
        case 3:
            if (p.holder >= 0 && send_fd(p.holder, fd, 'g', true))
                p.held_g++;
            ::close(fd);
            break;
        default: {
            int d = ::fcntl(fd, F_DUPFD_CLOEXEC, 512);
            jitter(pick(0, 10));
            ::close(fd);
            if (d >= 0)
                ::close(d);
        }
        }
        jitter(pick(0, 10));
    }
    if (p.racy >= 0) {
        jitter(pick(0, 30));
        if (id == 0) {
            ::close(p.racy);
        } else if (id == 1) {
            send_fd(p.sock, p.racy, 'r', true);
        } else if (int d = ::dup(p.racy); d >= 0) {
            jitter(pick(0, 10));
            ::close(d);
        }
    }
    p.actors_done++;
}

void receiver(Plan& p)
{
    while (p.actors_done.load() < kActors) {
        ReceivedFds m = recv_fds(p.recv_sock, true);
        if (m.tag == 'g')
            p.recv_g++;
        for (int fd : m.fds)
            ::close(fd);
        if (!m.tag)
            ::sched_yield();
    }
}

// A forked process that keeps whatever it is sent until told to close
// everything ('c'), to exit holding it ('x'), or until it is killed ('k').
pid_t start_holder(int sock, bool close_inherited, int steal_fd)
{
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid != 0)
        return pid;
    if (close_inherited) {
        ::close_range(3, static_cast<unsigned>(sock) - 1, 0);
        ::close_range(static_cast<unsigned>(sock) + 1, ~0U, 0);
    }
    if (steal_fd >= 0) {
        int parent = sys::pidfd_open(::getppid());
        if (parent >= 0)
            sys::pidfd_getfd(parent, steal_fd); // kept, whatever it is by now
    }
    for (;;) {
        ReceivedFds m = recv_fds(sock, false);
        if (m.tag == 'c')
            ::close_range(3, ~0U, 0);
        if (m.tag == 'c' || m.tag == 'x' || m.tag == 0)
            _exit(0);
        while (m.tag == 'k')
            ::pause();
    }
}

bool round(Context& ctx, Report& r, Plan& plan, std::barrier<>& start, std::barrier<>& done)
{
    std::uint64_t flags = CLONE_AUTOREAP | CLONE_PIDFD | CLONE_PIDFD_AUTOKILL;
    if (!ctx.cap_sys_admin || ctx.chance(0.5))
        flags |= CLONE_NNP;
    Child c = spawn(flags, 0, [] {
        for (;;)
            ::pause();
        return 0;
    });
    if (!c) {
        r.fail("clone3 of an autokill child: %s", std::strerror(c.error));
        return false;
    }
    r.children++;
    UniqueFd observer(sys::pidfd_open(c.pid));
    UniqueFd keeper(::dup(c.pidfd.get()));
    int sp[2];
    if (!observer || !keeper || ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
        r.fail("round setup: %s", std::strerror(errno));
        return false;
    }
    UniqueFd self_send(sp[0]), self_recv(sp[1]);
    std::vector<int> copies = {c.pidfd.release()};
    for (long n = ctx.pick(0, 8); n > 0; --n)
        copies.push_back(::dup(copies[0]));
    for (auto& list : plan.fds)
        list.clear();
    for (int fd : copies)
        plan.fds[ctx.pick(0, kActors - 1)].push_back(fd);
    plan.racy = ctx.chance(0.5) ? ::dup(copies[0]) : -1;

    UniqueFd holder_sock, holder_pidfd;
    pid_t holder = -1;
    const bool close_inherited = ctx.chance(0.5);
    if (ctx.chance(0.35) && ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0) {
        holder_sock.reset(sp[0]);
        holder = start_holder(sp[1], close_inherited, ctx.chance(0.5) ? keeper.get() : -1);
        ::close(sp[1]);
        if (holder > 0) {
            r.children++;
            holder_pidfd.reset(sys::pidfd_open(holder));
        }
    }
    plan.sock = self_send.get();
    plan.recv_sock = self_recv.get();
    plan.holder = holder > 0 ? holder_sock.get() : -1;
    plan.seed = ctx.rng();
    plan.sent_g = plan.recv_g = plan.held_g = plan.actors_done = 0;
    start.arrive_and_wait();
    done.arrive_and_wait();

    bool holder_alive = holder > 0;
    auto copy_surely_left = [&] {
        return keeper || (self_send && plan.sent_g > plan.recv_g) ||
               (holder_alive && (plan.held_g > 0 || !close_inherited));
    };
    std::vector<int> steps = {0, 1, 2};
    std::shuffle(steps.begin(), steps.end(), ctx.rng);
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (copy_surely_left() && (poll_fd(observer.get(), POLLIN, kAliveCheckMs) & (POLLIN | POLLHUP))) {
            r.fail("autokill child %d died while a copy of its pidfd remained (keeper %d, in flight %d, "
                   "holder %d)", c.pid, keeper.valid(), plan.sent_g - plan.recv_g, holder_alive);
            break;
        }
        if (steps[i] == 0) {
            keeper.reset();
        } else if (steps[i] == 1) {
            self_send.reset(); // drops the copies still in flight
            self_recv.reset();
        } else if (holder_alive) {
            char how = "cxk"[ctx.pick(0, 2)];
            if (how == 'k')
                sys::pidfd_send_signal(holder_pidfd.get(), SIGKILL);
            else
                ::send(holder_sock.get(), &how, 1, MSG_NOSIGNAL);
            holder_alive = false;
        }
    }
    self_send.reset();
    self_recv.reset();
    keeper.reset();
    if (holder > 0 && !wait_child(holder, holder_pidfd.get()))
        r.fail("holder process %d did not end", holder);
    holder_sock.reset();
    if (!wait_pollhup(observer.get())) {
        r.fail("autokill child %d still alive %d ms after the last copy of its pidfd went away", c.pid,
               kTimeoutMs);
        ::kill(c.pid, SIGKILL);
        return false;
    }
    if (has(Feature::PidfdInfoExit)) {
        std::optional<uapi::PidfdInfo> info = pidfd_info(observer.get(), uapi::kInfoExit);
        if (!info || !(info->mask & uapi::kInfoExit))
            r.fail("autokill child %d: no PIDFD_INFO_EXIT after POLLHUP", c.pid);
        else if (info->exit_code != SIGKILL)
            r.fail("autokill child %d: exit info %s, expected killed by signal 9", c.pid,
                   describe_status(info->exit_code).c_str());
    }
    return true;
}

} // namespace

void autokill_close_race(Context& ctx, Report& r)
{
    if (!need(ctx, r, has(Feature::PidfdAutokill), "CLONE_PIDFD_AUTOKILL"))
        return;
    Plan plan;
    std::barrier<> start(kActors + 2), done(kActors + 2);
    std::vector<std::thread> threads;
    for (int id = 0; id <= kActors; ++id) {
        threads.emplace_back([&plan, &start, &done, id] {
            for (;;) {
                start.arrive_and_wait();
                if (plan.stop)
                    return;
                if (id < kActors)
                    actor(plan, id);
                else
                    receiver(plan);
                done.arrive_and_wait();
            }
        });
    }
    while (ctx.budget.more(r.rounds)) {
        r.rounds++;
        if (!round(ctx, r, plan, start, done))
            break;
    }
    plan.stop = true;
    start.arrive_and_wait();
    for (std::thread& t : threads)
        t.join();
}

} // namespace stress
