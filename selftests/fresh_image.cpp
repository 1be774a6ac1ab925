// SPDX-License-Identifier: GPL-2.0
#include "fresh_image.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vector>

#include "child.h"
#include "feature_probes.h"
#include "unique_fd.h"

namespace fresh_image {

namespace {

bool g_inside = false;

// A whole test of hundreds of children; the boot's own limit is larger.
constexpr int kFreshImageTimeoutMs = 300000;

long long now_ms()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Everything the fresh image writes to its KTAP pipe until it closes it or
// the deadline passes (then *timed_out).
std::string read_all(int fd, bool* timed_out)
{
    std::string text;
    const long long deadline = now_ms() + kFreshImageTimeoutMs;
    char buf[4096];
    *timed_out = false;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            *timed_out = true;
            return text;
        }
        short ev = poll_fd(fd, POLLIN, static_cast<int>(left));
        if (!ev)
            continue; // the deadline check above decides
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return text;
        text.append(buf, static_cast<std::size_t>(n));
    }
}

// The outcome of the one test in a fresh image's KTAP.
Outcome parse(const std::string& ktap)
{
    Outcome out;
    std::istringstream lines(ktap);
    std::string l;
    while (std::getline(lines, l)) {
        if (l.rfind("# ", 0) == 0) {
            std::string d = l.substr(2);
            if (!out.reported && d.rfind("time: ", 0) != 0)
                out.messages += d + "\n";
            continue;
        }
        bool ok = l.rfind("ok ", 0) == 0;
        if (!ok && l.rfind("not ok ", 0) != 0)
            continue;
        out.reported = true;
        out.ok = ok;
        std::size_t skip = l.find(" # SKIP ");
        if (ok && skip != std::string::npos)
            out.skip = l.substr(skip + 8);
    }
    return out;
}

} // namespace

void enter() { g_inside = true; }

pid_t start(const std::vector<std::string>& args, int fd)
{
    std::vector<std::string> all = {"clone3_selftests"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid != 0)
        return pid;
    // The fresh image's console output would repeat what this process
    // reports.
    if (fd == 3)
        ::fcntl(3, F_SETFD, 0);
    else
        ::dup2(fd, 3);
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0)
        ::dup2(null, 1);
    ::execv("/proc/self/exe", argv.data());
    _exit(127);
}

bool inside() { return g_inside; }

Outcome run(const std::string& full_name, const std::vector<std::string>& extra_args, bool as_fresh_image)
{
    Outcome out;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        out.messages = std::string("pipe2: ") + std::strerror(errno);
        return out;
    }
    UniqueFd rd(fds[0]), wr(fds[1]);
    std::vector<std::string> args = {"--fresh-image", "--ktap=/proc/self/fd/3", "--gtest_filter=" + full_name,
                                     "--gtest_brief=1"};
    if (features::required())
        args.push_back("--require-features");
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    if (!as_fresh_image)
        args.erase(args.begin());
    pid_t pid = start(args, wr.get());
    if (pid < 0) {
        out.messages = std::string("fork: ") + std::strerror(errno);
        return out;
    }
    wr.reset();
    const std::string ktap = read_all(rd.get(), &out.hung);
    if (out.hung)
        ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    Outcome parsed = parse(ktap);
    parsed.hung = out.hung;
    parsed.status = status;
    parsed.ktap = ktap;
    return parsed;
}

void run_current_test()
{
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    const std::string name = std::string(info->test_suite_name()) + "." + info->name();
    std::vector<std::string> flags;
    if (GTEST_FLAG_GET(also_run_disabled_tests))
        flags.push_back("--gtest_also_run_disabled_tests"); // or a DISABLED_ test would not run there
    const Outcome out = run(name, flags);
    ASSERT_FALSE(out.hung) << "the fresh image of " << name << " hung (no result within "
                           << kFreshImageTimeoutMs / 1000 << " s); its KTAP so far:\n" << out.ktap;
    ASSERT_TRUE(out.reported) << "the fresh image of " << name << " ended without a result ("
                              << describe_status(out.status) << "); " << out.messages << "its KTAP:\n"
                              << out.ktap;
    if (!out.ok) {
        ADD_FAILURE() << "in a fresh image of the suite:\n" << out.messages;
        return;
    }
    EXPECT_TRUE(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 0)
        << "the fresh image of " << name << " passed it, then ended " << describe_status(out.status);
    if (!out.skip.empty())
        GTEST_SKIP() << out.skip;
}

} // namespace fresh_image
