// SPDX-License-Identifier: GPL-2.0
#include "clone_attempt.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caller.h"
#include "fresh_image.h"
#include "child.h"
#include "post_clone_check.h"
#include "sys.h"

namespace {

constexpr std::size_t kStackSize = 64 * 1024;

// ---- signals the helper receives from its children ------------------------

// What the helper's SIGCHLD/SIGUSR1 handler saw: signal and sender, in
// order. Written only by the handler, read after the child is gone.
struct SignalLog {
    static constexpr int kMax = 16;
    volatile sig_atomic_t count = 0;
    int signo[kMax] = {};
    pid_t pid[kMax] = {};
};
SignalLog g_signals;

void record_signal(int sig, siginfo_t* si, void*)
{
    int n = g_signals.count;
    if (n < SignalLog::kMax) {
        g_signals.signo[n] = sig;
        g_signals.pid[n] = si->si_pid;
    }
    g_signals.count = n + 1;
}

void log_signals()
{
    struct sigaction sa{};
    sa.sa_sigaction = record_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGCHLD, &sa, nullptr);
    ::sigaction(SIGUSR1, &sa, nullptr);
}

// How many of the logged signals came from pid, and of those how many were sig.
std::pair<int, int> signals_from(pid_t pid, int sig)
{
    int from = 0, match = 0;
    int n = g_signals.count;
    for (int i = 0; i < n && i < SignalLog::kMax; ++i) {
        if (g_signals.pid[i] != pid)
            continue;
        ++from;
        if (g_signals.signo[i] == sig)
            ++match;
    }
    return {from, match};
}

// ---- the syscall, fork-like or onto a stack --------------------------------

int thread_quiet(void*) { return 0; }

void* new_stack()
{
    void* stack = ::mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    return stack == MAP_FAILED ? nullptr : stack;
}

// Issues the clone. CLONE_VM children run fn(arg) on stack and exit; the
// others return 0 here, in the child. *pidfd receives the pidfd.
long issue(const AttemptOptions& opt, int* pidfd, void* stack, int (*fn)(void*), void* arg)
{
    const bool vm = opt.flags & CLONE_VM;
    if (opt.legacy) {
        unsigned long flags = static_cast<unsigned long>(opt.flags) |
                              (static_cast<unsigned long>(opt.exit_signal) & CSIGNAL);
        if (vm)
            return sys::legacy_clone_on_stack(flags, static_cast<char*>(stack) + kStackSize, pidfd,
                                              fn, arg);
        return sys::legacy_clone(flags, pidfd);
    }
    uapi::CloneArgs args{};
    args.flags = opt.flags;
    args.exit_signal = static_cast<std::uint64_t>(opt.exit_signal);
    args.pidfd = reinterpret_cast<std::uintptr_t>(pidfd);
    if (vm) {
        args.stack = reinterpret_cast<std::uintptr_t>(stack);
        args.stack_size = kStackSize;
        return sys::clone3_on_stack(&args, fn, arg);
    }
    return sys::clone3(&args);
}

// ---- one attempt with post-conditions --------------------------------------

// Who is told of the child's exit, and with what: for an accepted
// fork-like child the exit signal (clone3 exit_signal, legacy CSIGNAL)
// reaches its parent, the helper, once, from the child's pid; an autoreap
// child and a child with exit signal 0 send nothing. CLONE_PARENT children
// signal the test process instead and are not checked here.
std::string check_signals(const AttemptOptions& opt, pid_t pid)
{
    auto [from, match] = signals_from(pid, opt.exit_signal);
    bool expect = opt.exit_signal != 0 && !(opt.flags & CLONE_AUTOREAP);
    if (expect && (from != 1 || match != 1))
        return "parent got " + std::to_string(from) + " signals from the child (" +
               std::to_string(match) + " of them the exit signal " +
               std::to_string(opt.exit_signal) + "), expected exactly the exit signal; ";
    if (!expect && from != 0)
        return "parent got " + std::to_string(from) + " signals from the child, expected none" +
               ((opt.flags & CLONE_AUTOREAP) ? " (autoreap)" : " (exit signal 0)") + "; ";
    return "";
}

// Checks run by the helper after an accepted clone: the post-conditions
// of its flags, then its exit signal.
std::string check_child(const AttemptOptions& opt, pid_t pid, UniqueFd pidfd, int release_wr,
                        int done_rd, pid_t* sibling)
{
    CloneCheck check = check_accepted_clone({.flags = opt.flags,
                                             .exit_signal = opt.exit_signal,
                                             .pid = pid,
                                             .pidfd = std::move(pidfd),
                                             .release_wr = release_wr,
                                             .vm_done_rd = done_rd,
                                             .check_exit_info = opt.check_exit_info});
    std::string problems;
    for (const CloneProblem& p : check.problems)
        problems += p.text + "; ";
    if (check.sibling)
        *sibling = pid; // the test process is its parent and reaps it
    if (check.ended)
        problems += check_signals(opt, pid);
    return problems;
}

// Runs in the helper: the attempt and its checks, as one report line
// "<errno> <sibling pid> <problems>".
std::string attempt_in_helper(const AttemptOptions& opt)
{
    log_signals();
    int release[2], done[2];
    if (::pipe2(release, O_CLOEXEC) != 0 || ::pipe2(done, O_CLOEXEC) != 0)
        return "-1 0 pipe2 failed";
    UniqueFd release_rd(release[0]), release_wr(release[1]), done_rd(done[0]), done_wr(done[1]);

    int pidfd = -1;
    void* stack = nullptr;
    int done_fd = done_wr.get();
    if (opt.flags & CLONE_VM) {
        // The stack stays mapped: the helper exits right after reporting.
        stack = new_stack();
        if (!stack)
            return "-1 0 mmap failed";
    }
    std::fflush(nullptr);
    long ret = issue(opt, &pidfd, stack, vm_child_main, &done_fd);
    if (ret < 0)
        return std::to_string(errno) + " 0 ";
    if (ret == 0) {
        if (!(opt.flags & CLONE_VFORK))
            release_wr.reset(); // (a vfork child shares our memory: leave it)
        accepted_child_main(opt.flags, release_rd.get());
    }
    pid_t sibling = 0;
    std::string problems = check_child(opt, static_cast<pid_t>(ret),
                                       UniqueFd((opt.flags & CLONE_PIDFD) ? pidfd : -1),
                                       release_wr.get(), done_rd.get(), &sibling);
    return "0 " + std::to_string(sibling) + " " + problems;
}

// Reap a CLONE_PARENT child, which is the test process's; "" if it exited
// with want (or want < 0: any way).
std::string reap_sibling(pid_t sibling, int want)
{
    std::optional<int> status = wait_child(sibling);
    if (!status)
        return "CLONE_PARENT child was not ours to reap; ";
    if (want >= 0 && (!WIFEXITED(*status) || WEXITSTATUS(*status) != want))
        return "CLONE_PARENT child " + describe_status(*status) + ", expected exited " +
               std::to_string(want) + "; ";
    return "";
}

// ---- batches ---------------------------------------------------------------

struct BatchRecord {
    int index;
    int error;
    pid_t sibling;
};

void ignore_signal(int) {}

// Runs in the batch helper: attempts opts[first..] in order, one record
// each, written as soon as the syscall returned.
int batch_in_helper(const std::vector<AttemptOptions>& opts, std::size_t first, int out_fd)
{
    std::signal(SIGUSR1, ignore_signal); // a wrongly accepted child's exit signal
    void* stack = nullptr;
    for (std::size_t i = first; i < opts.size(); ++i) {
        const AttemptOptions& opt = opts[i];
        if ((opt.flags & CLONE_VM) && !stack && !(stack = new_stack()))
            return 4;
        int pidfd = -1;
        std::fflush(nullptr);
        long ret = issue(opt, &pidfd, stack, thread_quiet, nullptr);
        if (ret == 0)
            _exit(0); // a wrongly accepted fork-like child
        BatchRecord rec{static_cast<int>(i), ret < 0 ? errno : 0, 0};
        if (ret > 0) {
            // Wrongly accepted: clean up so the next attempt starts alike.
            if (opt.flags & CLONE_PIDFD)
                ::close(pidfd);
            if (opt.flags & CLONE_VM)
                stack = nullptr; // the thread may still be on it
            else if (opt.flags & CLONE_PARENT)
                rec.sibling = static_cast<pid_t>(ret);
            else if (!(opt.flags & CLONE_AUTOREAP))
                wait_child(static_cast<pid_t>(ret));
        }
        if (::write(out_fd, &rec, sizeof(rec)) != sizeof(rec))
            return 5;
    }
    return 0;
}

constexpr int kBatchStepMs = 10000; // one syscall; generous for a loaded TCG guest

} // namespace

AttemptResult attempt_clone(const AttemptOptions& opt)
{
    AttemptResult result;
    HelperResult h;
    if (opt.caller != CallerKind::Autoreap) {
        h = run_helper([&] { return attempt_in_helper(opt); }, opt.caller == CallerKind::Nobody);
    } else {
        Channel ch = Channel::make();
        if (!ch.ends[0]) {
            result.problems = "socketpair failed";
            return result;
        }
        int report_fd = ch.ends[1].get();
        Child helper = spawn_caller(opt.caller, [&] {
            std::string text = attempt_in_helper(opt);
            return send_msg(report_fd, text.data(), text.size()) ? 0 : 2;
        });
        ch.ends[1].reset();
        if (!helper) {
            result.problems = std::string("autoreap helper: clone3 failed: ") + std::strerror(helper.error);
            return result;
        }
        char buf[4096];
        long len = recv_msg(ch.ends[0].get(), buf, sizeof(buf));
        std::string end = finish_caller(opt.caller, helper, len < 0 ? 0 : kTimeoutMs);
        h.ok = len >= 0 && end.empty();
        h.text = len >= 0 ? std::string(buf, static_cast<std::size_t>(len))
                          : "autoreap helper timed out or died without a report";
        if (len >= 0 && !end.empty())
            h.text = end + h.text;
    }
    int err = -1, sibling = 0, used = 0;
    if (!h.ok || std::sscanf(h.text.c_str(), "%d %d %n", &err, &sibling, &used) < 2) {
        result.problems = h.text.empty() ? "helper failed" : h.text;
        return result;
    }
    result.ran = true;
    result.error = err;
    result.problems = h.text.substr(static_cast<std::size_t>(used));
    if (sibling > 0)
        result.problems += reap_sibling(sibling, accepted_child_code(opt.flags));
    return result;
}

std::vector<AttemptResult> attempt_batch(const std::vector<AttemptOptions>& opts)
{
    std::vector<AttemptResult> results(opts.size());
    if (opts.empty())
        return results;
    const AttemptOptions& caller = opts.front();
    std::size_t next = 0;
    int fruitless = 0; // helpers in a row that reported nothing at all
    while (next < opts.size()) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            results[next++].problems = "pipe2 failed";
            continue;
        }
        UniqueFd rd(fds[0]), wr(fds[1]);
        const std::size_t first = next;
        const int out_fd = wr.get();
        Child helper = spawn_caller(caller.caller, [&] { return batch_in_helper(opts, first, out_fd); });
        wr.reset();
        if (!helper) {
            results[next++].problems =
                std::string("batch helper: clone3 failed: ") + std::strerror(helper.error);
            continue;
        }
        bool stuck = false;
        while (next < opts.size()) {
            short ev = poll_fd(rd.get(), POLLIN, kBatchStepMs);
            BatchRecord rec{};
            long got = (ev & (POLLIN | POLLHUP)) ? ::read(rd.get(), &rec, sizeof(rec)) : -1;
            if (got != static_cast<long>(sizeof(rec)) || rec.index != static_cast<int>(next)) {
                results[next].problems = got < 0 ? "the attempt hung (no answer within 10 s)"
                                                 : "the batch helper died during this attempt";
                ++next;
                stuck = true;
                break;
            }
            results[next].ran = true;
            results[next].error = rec.error;
            if (rec.sibling > 0)
                results[next].problems += reap_sibling(rec.sibling, -1);
            ++next;
        }
        if (stuck)
            sys::pidfd_send_signal(helper.pidfd.get(), SIGKILL);
        std::string end = finish_caller(caller.caller, helper, stuck ? 1000 : kTimeoutMs);
        if (!stuck && !end.empty())
            results[next - 1].problems += "after the batch: " + end;
        fruitless = next == first + 1 && stuck ? fruitless + 1 : 0;
        if (fruitless >= 3) {
            for (; next < opts.size(); ++next)
                results[next].problems = "batch helpers keep dying before their first attempt";
        }
    }
    return results;
}

// ---- the attempt server ----------------------------------------------------

namespace {

// One request: an AttemptOptions as plain fields.
struct AttemptRequest {
    std::uint64_t flags;
    int exit_signal;
    int caller;
    std::uint8_t check_exit_info;
    std::uint8_t legacy;
};

// A reply: ran and error, then the problems text.
struct ReplyHeader {
    int ran;
    int error;
};

constexpr std::size_t kMaxReply = 65536;
// One attempt's own waits are kTimeoutMs each; a few may add up.
constexpr int kServerStepMs = 4 * kTimeoutMs;

struct AttemptServer {
    pid_t pid = -1;
    UniqueFd sock;
};
AttemptServer g_server;

bool start_server()
{
    Channel ch = Channel::make();
    if (!ch.ends[0])
        return false;
    pid_t pid = fresh_image::start({"--attempt-server"}, ch.ends[1].get());
    if (pid < 0)
        return false;
    g_server.pid = pid;
    g_server.sock = std::move(ch.ends[0]);
    return true;
}

} // namespace

void stop_attempt_server()
{
    if (g_server.pid < 0)
        return;
    g_server.sock.reset(); // EOF: the server exits
    if (!wait_child(g_server.pid, -1, kTimeoutMs))
        std::fprintf(stderr, "clone3_selftests: the attempt server did not exit at EOF; killed\n");
    g_server.pid = -1;
}

AttemptResult attempt_clone_in_server(const AttemptOptions& opt)
{
    AttemptResult result;
    if (g_server.pid < 0 && !start_server()) {
        result.problems = std::string("cannot start the attempt server: ") + std::strerror(errno);
        return result;
    }
    AttemptRequest req{opt.flags, opt.exit_signal, static_cast<int>(opt.caller),
                       static_cast<std::uint8_t>(opt.check_exit_info), static_cast<std::uint8_t>(opt.legacy)};
    std::vector<char> buf(sizeof(ReplyHeader) + kMaxReply);
    long len = -1;
    if (send_msg(g_server.sock.get(), &req, sizeof(req)))
        len = recv_msg(g_server.sock.get(), buf.data(), buf.size(), kServerStepMs);
    if (len < static_cast<long>(sizeof(ReplyHeader))) {
        ::kill(g_server.pid, SIGKILL);
        std::optional<int> status = wait_child(g_server.pid, -1, kTimeoutMs);
        g_server.pid = -1;
        g_server.sock.reset();
        result.problems = len < 0 && status && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL
                              ? "the attempt server hung or died during this attempt"
                              : "the attempt server died during this attempt";
        return result;
    }
    ReplyHeader h;
    std::memcpy(&h, buf.data(), sizeof(h));
    result.ran = h.ran != 0;
    result.error = h.error;
    result.problems.assign(buf.data() + sizeof(h), static_cast<std::size_t>(len) - sizeof(h));
    return result;
}

int serve_attempts(int fd)
{
    for (;;) {
        AttemptRequest req;
        long len = recv_msg(fd, &req, sizeof(req), -1);
        if (len == 0)
            return 0; // EOF: the suite is done with us
        if (len != static_cast<long>(sizeof(req)))
            return len < 0 ? 1 : 2;
        AttemptResult r = attempt_clone({.flags = req.flags,
                                         .exit_signal = req.exit_signal,
                                         .caller = static_cast<CallerKind>(req.caller),
                                         .check_exit_info = req.check_exit_info != 0,
                                         .legacy = req.legacy != 0});
        if (r.problems.size() > kMaxReply)
            r.problems.resize(kMaxReply);
        std::string reply(sizeof(ReplyHeader), '\0');
        ReplyHeader h{r.ran ? 1 : 0, r.error};
        std::memcpy(reply.data(), &h, sizeof(h));
        reply += r.problems;
        if (!send_msg(fd, reply.data(), reply.size()))
            return 3;
    }
}
