// SPDX-License-Identifier: GPL-2.0
#include "clone_attempt.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "sys.h"

namespace {

void ignore_signal(int) {}

struct ThreadCtx {
    int done_fd;
};

int thread_fn(void* p)
{
    auto* ctx = static_cast<ThreadCtx*>(p);
    char b = 'T';
    ::syscall(SYS_write, ctx->done_fd, &b, 1);
    return 0;
}

// Accepted CLONE_VM clone: the child ran thread_fn on its own stack.
std::string check_vm_child(long ret, int done_rd)
{
    if (ret < 0)
        return "";
    char b = 0;
    if (!(poll_fd(done_rd, POLLIN) & POLLIN) || ::read(done_rd, &b, 1) != 1 || b != 'T')
        return "CLONE_VM child never ran; ";
    return "";
}

// Checks run by the helper after an accepted fork-like clone.
std::string check_process_child(const AttemptOptions& opt, pid_t pid, UniqueFd pidfd, int release_wr,
                                pid_t* sibling)
{
    std::string problems;
    const std::uint64_t f = opt.flags;
    const bool vfork = f & CLONE_VFORK;
    const int code = attempt_child_code(f);
    if ((f & CLONE_PIDFD) && !pidfd)
        problems += "CLONE_PIDFD gave no pidfd; ";

    // An observer pidfd that outlives the clone3 one (for autokill).
    UniqueFd observer(sys::pidfd_open(pid));
    if (!observer && !(vfork && errno == ESRCH))
        problems += std::string("pidfd_open: ") + std::strerror(errno) + "; ";
    bool killed = false;
    if (f & CLONE_PIDFD_AUTOKILL) {
        pidfd.reset(); // the last reference: SIGKILL unless it exited already
        killed = !vfork;
    } else {
        ::write(release_wr, "r", 1);
    }

    if (f & CLONE_PARENT) {
        *sibling = pid; // the test process is its parent and reaps it
        return problems;
    }
    int watch = pidfd ? pidfd.get() : observer.get();
    if (f & CLONE_AUTOREAP) {
        if (watch >= 0 && !wait_pollhup(watch))
            return problems + "autoreap child not released (no POLLHUP); ";
        int st;
        if (::waitpid(pid, &st, __WALL | WNOHANG) != -1 || errno != ECHILD)
            problems += "waitpid on an autoreap child did not fail with ECHILD; ";
        if (opt.check_exit_info && watch >= 0) {
            std::optional<uapi::PidfdInfo> info = pidfd_info(watch, uapi::kInfoExit);
            int want = killed ? SIGKILL : code << 8;
            if (!info || !(info->mask & uapi::kInfoExit))
                problems += "no PIDFD_INFO_EXIT after POLLHUP; ";
            else if (info->exit_code != want)
                problems += "exit info " + describe_status(info->exit_code) + ", expected " +
                            describe_status(want) + "; ";
        }
        return problems;
    }
    std::optional<int> status = wait_child(pid, watch);
    if (!status)
        problems += "child not reaped within the timeout; ";
    else if (!WIFEXITED(*status) || WEXITSTATUS(*status) != code)
        problems += "child " + describe_status(*status) + ", expected exited " +
                    std::to_string(code) + "; ";
    return problems;
}

// Runs in the helper: the attempt and its checks, as one report line
// "<errno> <sibling pid> <problems>".
std::string attempt_in_helper(const AttemptOptions& opt)
{
    std::signal(SIGUSR1, ignore_signal); // a possible exit_signal
    int release[2], done[2];
    if (::pipe2(release, O_CLOEXEC) != 0 || ::pipe2(done, O_CLOEXEC) != 0)
        return "-1 0 pipe2 failed";
    UniqueFd release_rd(release[0]), release_wr(release[1]), done_rd(done[0]), done_wr(done[1]);

    int pidfd = -1;
    uapi::CloneArgs args{};
    args.flags = opt.flags;
    args.exit_signal = static_cast<std::uint64_t>(opt.exit_signal);
    args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);

    long ret;
    std::string problems;
    pid_t sibling = 0;
    if (opt.flags & CLONE_VM) {
        constexpr std::size_t kStack = 256 * 1024;
        void* stack = ::mmap(nullptr, kStack, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED)
            return "-1 0 mmap failed";
        args.stack = reinterpret_cast<std::uintptr_t>(stack);
        args.stack_size = kStack;
        static ThreadCtx ctx;
        ctx.done_fd = done_wr.get();
        ret = sys::clone3_on_stack(&args, thread_fn, &ctx);
        int err = errno;
        problems = check_vm_child(ret, done_rd.get());
        if (ret < 0)
            return std::to_string(err) + " 0 ";
        // The stack stays mapped: the helper exits right after reporting.
    } else {
        std::fflush(nullptr);
        ret = sys::clone3(&args);
        if (ret == 0) {
            if (!(opt.flags & CLONE_VFORK)) {
                release_wr.reset();
                char b;
                ::read(release_rd.get(), &b, 1);
            }
            int nnp = ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
            _exit(10 + nnp + (::getpid() == 1 ? 2 : 0));
        }
        if (ret < 0)
            return std::to_string(errno) + " 0 ";
        problems = check_process_child(opt, static_cast<pid_t>(ret),
                                       UniqueFd((opt.flags & CLONE_PIDFD) ? pidfd : -1),
                                       release_wr.get(), &sibling);
    }
    return "0 " + std::to_string(sibling) + " " + problems;
}

} // namespace

int attempt_child_code(std::uint64_t flags)
{
    return 10 + ((flags & CLONE_NNP) ? 1 : 0) + ((flags & CLONE_NEWPID) ? 2 : 0);
}

AttemptResult attempt_clone3(const AttemptOptions& opt)
{
    AttemptResult result;
    HelperResult h = run_helper([&] { return attempt_in_helper(opt); }, opt.as_nobody);
    int err = -1, sibling = 0, used = 0;
    if (!h.ok || std::sscanf(h.text.c_str(), "%d %d %n", &err, &sibling, &used) < 2) {
        result.problems = h.text.empty() ? "helper failed" : h.text;
        return result;
    }
    result.ran = true;
    result.error = err;
    result.problems = h.text.substr(static_cast<std::size_t>(used));
    if (sibling > 0) {
        std::optional<int> status = wait_child(sibling);
        int code = attempt_child_code(opt.flags);
        if (!status)
            result.problems += "CLONE_PARENT child was not ours to reap; ";
        else if (!WIFEXITED(*status) || WEXITSTATUS(*status) != code)
            result.problems += "CLONE_PARENT child " + describe_status(*status) +
                               ", expected exited " + std::to_string(code) + "; ";
    }
    return result;
}
