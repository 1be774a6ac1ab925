// SPDX-License-Identifier: GPL-2.0
#include "child.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys.h"

namespace {

[[noreturn]] void run_body(const Body& body)
{
    int code = 0;
    try {
        code = body();
    } catch (...) {
        code = 125;
    }
    _exit(code);
}

} // namespace

namespace {

// The parent's side of a fork-like clone that returned ret (the child
// has already left through run_body).
Child child_of(long ret, bool has_pidfd, int pidfd)
{
    Child child;
    if (ret < 0) {
        child.error = errno;
        return child;
    }
    child.pid = static_cast<pid_t>(ret);
    if (has_pidfd)
        child.pidfd.reset(pidfd);
    return child;
}

} // namespace

Child spawn(std::uint64_t flags, int exit_signal, const Body& body)
{
    int pidfd = -1;
    uapi::CloneArgs args{};
    args.flags = flags;
    args.exit_signal = static_cast<std::uint64_t>(exit_signal);
    args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);

    std::fflush(nullptr);
    long ret = sys::clone3(&args);
    if (ret == 0)
        run_body(body);
    return child_of(ret, flags & CLONE_PIDFD, pidfd);
}

Child spawn_legacy(unsigned long flags, int exit_signal, const Body& body)
{
    int pidfd = -1;
    std::fflush(nullptr);
    long ret = sys::legacy_clone(flags | (static_cast<unsigned long>(exit_signal) & CSIGNAL), &pidfd);
    if (ret == 0)
        run_body(body);
    return child_of(ret, flags & CLONE_PIDFD, pidfd);
}

short poll_fd(int fd, short events, int timeout_ms)
{
    struct pollfd pfd = {fd, events, 0};
    int ret;
    do {
        ret = ::poll(&pfd, 1, timeout_ms);
    } while (ret < 0 && errno == EINTR);
    return ret > 0 ? pfd.revents : 0;
}

bool wait_pollhup(int pidfd, int timeout_ms)
{
    // POLLHUP is always reported; asking for POLLIN too would return early.
    struct pollfd pfd = {pidfd, 0, 0};
    int ret;
    do {
        ret = ::poll(&pfd, 1, timeout_ms);
    } while (ret < 0 && errno == EINTR);
    return ret > 0 && (pfd.revents & POLLHUP);
}

std::optional<int> wait_child(pid_t pid, int pidfd, int timeout_ms)
{
    UniqueFd own;
    if (pidfd < 0) {
        own.reset(sys::pidfd_open(pid));
        pidfd = own.get();
    }
    if (pidfd >= 0 && !(poll_fd(pidfd, POLLIN, timeout_ms) & POLLIN)) {
        ::kill(pid, SIGKILL);
        int ignored;
        ::waitpid(pid, &ignored, __WALL);
        return std::nullopt;
    }
    int status = 0;
    pid_t ret;
    do {
        ret = ::waitpid(pid, &status, __WALL);
    } while (ret < 0 && errno == EINTR);
    if (ret != pid)
        return std::nullopt;
    return status;
}

std::optional<int> run_in_process(const Body& body, int timeout_ms)
{
    Child c = spawn(CLONE_PIDFD, SIGCHLD, body);
    if (!c)
        return std::nullopt;
    return wait_child(c.pid, c.pidfd.get(), timeout_ms);
}

std::optional<uapi::PidfdInfo> pidfd_info(int pidfd, std::uint64_t mask)
{
    uapi::PidfdInfo info{};
    info.mask = mask;
    if (sys::pidfd_get_info(pidfd, &info) != 0)
        return std::nullopt;
    return info;
}

std::string describe_status(int status)
{
    char buf[64];
    if (WIFEXITED(status))
        std::snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        std::snprintf(buf, sizeof(buf), "killed by signal %d%s", WTERMSIG(status),
                      WCOREDUMP(status) ? " (core dumped)" : "");
    else
        std::snprintf(buf, sizeof(buf), "status 0x%x", status);
    return buf;
}

Channel Channel::make()
{
    int sv[2] = {-1, -1};
    Channel ch;
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
        ch.ends[0].reset(sv[0]);
        ch.ends[1].reset(sv[1]);
    }
    return ch;
}

bool send_msg(int fd, const void* buf, std::size_t len)
{
    ssize_t ret;
    do {
        ret = ::send(fd, buf, len, MSG_NOSIGNAL);
    } while (ret < 0 && errno == EINTR);
    return ret == static_cast<ssize_t>(len);
}

long recv_msg(int fd, void* buf, std::size_t len, int timeout_ms)
{
    if (!(poll_fd(fd, POLLIN, timeout_ms) & (POLLIN | POLLHUP)))
        return -1;
    ssize_t ret;
    do {
        ret = ::recv(fd, buf, len, 0);
    } while (ret < 0 && errno == EINTR);
    return ret;
}

int drop_to_nobody()
{
    if (::setgroups(0, nullptr) != 0)
        return -1;
    if (::setresgid(65534, 65534, 65534) != 0)
        return -1;
    return ::setresuid(65534, 65534, 65534);
}

HelperResult run_helper(const std::function<std::string()>& fn, bool as_nobody, int timeout_ms)
{
    Channel ch = Channel::make();
    HelperResult result;
    if (!ch.ends[0]) {
        result.text = "helper: socketpair failed";
        return result;
    }
    int report_fd = ch.ends[1].get();
    Child helper = spawn(CLONE_PIDFD, SIGCHLD, [&]() -> int {
        if (as_nobody && drop_to_nobody() != 0) {
            std::string err = std::string("helper: dropping to nobody: ") + std::strerror(errno);
            send_msg(report_fd, err.data(), err.size());
            return 1;
        }
        std::string text = fn();
        if (!send_msg(report_fd, text.data(), text.size()))
            return 2;
        return 0;
    });
    ch.ends[1].reset();
    if (!helper) {
        result.text = std::string("helper: clone3 failed: ") + std::strerror(helper.error);
        return result;
    }

    char buf[4096];
    long len = recv_msg(ch.ends[0].get(), buf, sizeof(buf), timeout_ms);
    std::optional<int> status = wait_child(helper.pid, helper.pidfd.get(), len < 0 ? 0 : timeout_ms);
    if (len < 0) {
        result.text = "helper timed out or died without a report";
        if (status)
            result.text += " (" + describe_status(*status) + ")";
        return result;
    }
    result.text.assign(buf, static_cast<std::size_t>(len));
    if (!status) {
        result.text = "helper did not exit after its report: " + result.text;
        return result;
    }
    result.ok = WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
    if (!result.ok)
        result.text = "helper " + describe_status(*status) + ": " + result.text;
    return result;
}

Gate Gate::make()
{
    Gate gate;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) == 0) {
        gate.rd.reset(fds[0]);
        gate.wr.reset(fds[1]);
    }
    return gate;
}

bool Gate::wait()
{
    wr.reset();
    char b;
    ssize_t n;
    while ((n = ::read(rd.get(), &b, 1)) < 0 && errno == EINTR) {
    }
    return n == 1;
}

bool Gate::open() { return ::write(wr.get(), "g", 1) == 1; }

Orphan make_orphan(std::uint64_t flags, Gate& gate, int code)
{
    Orphan o;
    Channel ch = Channel::make();
    if (!ch.ends[0]) {
        o.failure = 4;
        return o;
    }
    int report = ch.ends[1].get();
    Child middle = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        Child g = spawn(flags, 0, [&] { return gate.wait() ? code : code + 1; });
        return g && send_msg(report, &g.pid, sizeof(g.pid)) ? 0 : 1;
    });
    if (!middle || recv_msg(ch.ends[0].get(), &o.pid, sizeof(o.pid)) != sizeof(o.pid)) {
        o.failure = 3;
        return o;
    }
    o.pidfd.reset(sys::pidfd_open(o.pid));
    std::optional<int> status = wait_child(middle.pid, middle.pidfd.get());
    if (!o.pidfd || !status || *status != 0)
        o.failure = 4;
    return o;
}
