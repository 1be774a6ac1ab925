// SPDX-License-Identifier: GPL-2.0
#include "proc_state.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <sched.h>
#include <unistd.h>

std::string read_text_file(const std::string& path, std::size_t limit)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return "";
    std::string out;
    char buf[8192];
    ssize_t n;
    while (out.size() < limit && ((n = ::read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0)
            out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return out;
}

bool write_text_file(const std::string& path, const char* text)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = ::write(fd, text, std::strlen(text));
    ::close(fd);
    return n == static_cast<ssize_t>(std::strlen(text));
}

std::vector<ProcEntry> processes()
{
    std::vector<ProcEntry> out;
    DIR* dir = ::opendir("/proc");
    if (!dir)
        return out;
    while (struct dirent* de = ::readdir(dir)) {
        if (!std::isdigit(static_cast<unsigned char>(de->d_name[0])))
            continue;
        std::string stat = read_text_file(std::string("/proc/") + de->d_name + "/stat", 4096);
        std::size_t open = stat.find('('), close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size())
            continue;
        ProcEntry e;
        e.pid = static_cast<pid_t>(std::atoi(de->d_name));
        e.comm = stat.substr(open + 1, close - open - 1);
        int ppid = 0, pgrp = 0;
        char state = '?';
        if (std::sscanf(stat.c_str() + close + 2, "%c %d %d", &state, &ppid, &pgrp) == 3) {
            e.state = state;
            e.ppid = ppid;
            e.pgrp = pgrp;
            out.push_back(e);
        }
    }
    ::closedir(dir);
    return out;
}

std::vector<ProcEntry> zombies(const std::set<pid_t>& ignore)
{
    std::vector<ProcEntry> out;
    for (const ProcEntry& p : processes())
        if (p.state == 'Z' && !ignore.count(p.pid))
            out.push_back(p);
    return out;
}

std::string describe(const ProcEntry& p)
{
    return "pid " + std::to_string(p.pid) + " (" + p.comm + ") state " + p.state + " ppid " +
           std::to_string(p.ppid);
}

std::string task_summary(pid_t pid)
{
    std::string dir = "/proc/" + std::to_string(pid) + "/";
    std::string stat = read_text_file(dir + "stat", 4096);
    std::size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size())
        return "gone";
    std::string sys = read_text_file(dir + "syscall", 256);
    if (!sys.empty() && sys.back() == '\n')
        sys.pop_back();
    int ppid = 0;
    std::sscanf(stat.c_str() + close + 3, "%d", &ppid);
    char head[64];
    std::snprintf(head, sizeof(head), "state %c, ppid %d, wchan ", stat[close + 2], ppid);
    std::string out = head;
    out.append(read_text_file(dir + "wchan", 128)).append(", syscall ");
    out.append(sys.substr(0, sys.find(' ', sys.find(' ') + 1)));
    std::string status = read_text_file(dir + "status", 4096);
    for (const char* key : {"SigBlk:", "SigIgn:", "SigCgt:"}) {
        std::size_t at = status.find(key);
        if (at != std::string::npos)
            out.append(" ").append(status, at, status.find('\n', at) - at);
    }
    return out;
}

std::map<int, std::string> open_fds()
{
    std::map<int, std::string> out;
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir)
        return out;
    int self = ::dirfd(dir);
    while (struct dirent* de = ::readdir(dir)) {
        if (!std::isdigit(static_cast<unsigned char>(de->d_name[0])))
            continue;
        int fd = std::atoi(de->d_name);
        if (fd == self)
            continue;
        char buf[256] = {};
        ssize_t n = ::readlinkat(self, de->d_name, buf, sizeof(buf) - 1);
        out[fd] = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "?";
    }
    ::closedir(dir);
    return out;
}

bool is_pidfd_target(const std::string& target)
{
    return target.find("pidfd") != std::string::npos;
}

int count_entries(const std::string& dir)
{
    DIR* d = ::opendir(dir.c_str());
    if (!d)
        return -1;
    int n = 0;
    while (struct dirent* ent = ::readdir(d))
        if (ent->d_name[0] != '.')
            ++n;
    ::closedir(d);
    return n;
}

bool have_cap_sys_admin()
{
    FILE* f = std::fopen("/proc/self/status", "re");
    if (!f)
        return false;
    char line[256];
    unsigned long long caps = 0;
    while (std::fgets(line, sizeof(line), f))
        if (std::sscanf(line, "CapEff: %llx", &caps) == 1)
            break;
    std::fclose(f);
    return caps & (1ULL << 21);
}

bool userns_clone_sysctl()
{
    UniqueFd fd(::open("/proc/sys/kernel/unprivileged_userns_clone", O_RDONLY | O_CLOEXEC));
    char c = '1';
    if (fd)
        ::read(fd.get(), &c, 1);
    return c != '0';
}

std::string self_exe()
{
    char buf[4096];
    ssize_t len = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (len <= 0)
        return "/proc/self/exe";
    return std::string(buf, static_cast<std::size_t>(len));
}

namespace {

// Re-read a /proc file until pred accepts its text or the timeout passes.
bool poll_proc(const std::string& path, const std::function<bool(const char*)>& pred, int timeout_ms)
{
    struct timespec start;
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd)
            return false;
        char buf[512] = {};
        if (::read(fd.get(), buf, sizeof(buf) - 1) > 0 && pred(buf))
            return true;
        struct timespec now;
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed_ms > timeout_ms)
            return false;
        ::sched_yield();
    }
}

} // namespace

bool wait_until_in_syscall(pid_t pid, long nr, int timeout_ms)
{
    return poll_proc("/proc/" + std::to_string(pid) + "/syscall",
                     [nr](const char* text) { return std::strtol(text, nullptr, 10) == nr; },
                     timeout_ms);
}

bool wait_until_state(pid_t pid, pid_t tid, char state, int timeout_ms)
{
    return poll_proc("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat",
                     [state](const char* text) {
                         const char* paren = std::strrchr(text, ')');
                         return paren && paren[1] == ' ' && paren[2] == state;
                     },
                     timeout_ms);
}
