// SPDX-License-Identifier: GPL-2.0
#include "proc_state.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stress.h"

namespace stress {
namespace {

std::string read_file(const std::string& path, std::size_t limit = 1 << 20)
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

bool write_file(const std::string& path, const char* text)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = ::write(fd, text, std::strlen(text));
    ::close(fd);
    return n == static_cast<ssize_t>(std::strlen(text));
}

// Caches whose objects exist once per process, thread or pidfd.
const char* const kSlabCaches[] = {
    "task_struct", "pid", "signal_cache", "sighand_cache", "files_cache", "fs_cache",
    "mm_struct",   "cred", "cred_jar",    "pidfs_attr_cache", "pidfs_inode_cache", "filp",
};

} // namespace

std::vector<ProcEntry> processes()
{
    std::vector<ProcEntry> out;
    DIR* dir = ::opendir("/proc");
    if (!dir)
        return out;
    while (struct dirent* de = ::readdir(dir)) {
        if (!std::isdigit(static_cast<unsigned char>(de->d_name[0])))
            continue;
        std::string stat = read_file(std::string("/proc/") + de->d_name + "/stat", 4096);
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
    std::string stat = read_file(dir + "stat", 4096);
    std::size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size())
        return "gone";
    std::string sys = read_file(dir + "syscall", 256);
    if (!sys.empty() && sys.back() == '\n')
        sys.pop_back();
    int ppid = 0;
    std::sscanf(stat.c_str() + close + 3, "%d", &ppid);
    char head[64];
    std::snprintf(head, sizeof(head), "state %c, ppid %d, wchan ", stat[close + 2], ppid);
    std::string out = head;
    out.append(read_file(dir + "wchan", 128)).append(", syscall ");
    out.append(sys.substr(0, sys.find(' ', sys.find(' ') + 1)));
    std::string status = read_file(dir + "status", 4096);
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

std::map<std::string, SlabCount> slab_counts()
{
    std::map<std::string, SlabCount> out;
    std::istringstream in(read_file("/proc/slabinfo"));
    std::string line;
    while (std::getline(in, line)) {
        char name[64];
        long active = 0, total = 0, size = 0, per_slab = 0;
        if (std::sscanf(line.c_str(), "%63s %ld %ld %ld %ld", name, &active, &total, &size, &per_slab) != 5)
            continue;
        for (const char* want : kSlabCaches)
            if (std::strcmp(name, want) == 0)
                out[name] = SlabCount{active, per_slab};
    }
    return out;
}

void shrink_slabs(const std::map<std::string, SlabCount>& caches)
{
    for (const auto& [name, count] : caches)
        write_file("/sys/kernel/slab/" + name + "/shrink", "1");
}

std::string live_checkers()
{
    std::string out;
    std::istringstream stats(read_file("/proc/lockdep_stats"));
    std::string line;
    long classes = -1, debug_locks = -1;
    while (std::getline(stats, line)) {
        std::sscanf(line.c_str(), " lock-classes: %ld", &classes);
        std::sscanf(line.c_str(), " debug_locks: %ld", &debug_locks);
    }
    if (debug_locks == 1)
        out += "lockdep on (" + std::to_string(classes) + " lock classes)";
    else if (debug_locks == 0)
        out += "lockdep OFF (debug_locks 0: a splat turned it off)";
    // KASAN has no runtime file; its report function in kallsyms shows it is built in.
    std::istringstream syms(read_file("/proc/kallsyms", 64 << 20));
    while (std::getline(syms, line)) {
        if (line.ends_with(" kasan_report")) {
            out += std::string(out.empty() ? "" : ", ") + "KASAN built in";
            break;
        }
    }
    return out.empty() ? "none" : out;
}

namespace kmemleak {
namespace {

const char* const kPath = "/sys/kernel/debug/kmemleak";
constexpr double kMinAgeSeconds = 5.5; // kmemleak reports objects older than 5 s

bool mounted()
{
    if (::access(kPath, F_OK) == 0)
        return true;
    ::mount("debugfs", "/sys/kernel/debug", "debugfs", 0, nullptr);
    return ::access(kPath, F_OK) == 0;
}

void wait_seconds(double s)
{
    double end = now_seconds() + s;
    while (now_seconds() < end)
        ::usleep(100000);
}

} // namespace

// "scan=off" (stop the scan thread, which is off anyway) is a cheap
// command that fails when kmemleak is disabled.
bool available() { return mounted() && write_file(kPath, "scan=off"); }

long clear()
{
    write_file(kPath, "scan");
    std::istringstream in(read_file(kPath));
    long n = 0;
    std::string line;
    while (std::getline(in, line))
        n += line.rfind("unreferenced object", 0) == 0;
    write_file(kPath, "clear");
    return n;
}

std::vector<std::string> suspects()
{
    write_file(kPath, "scan");
    wait_seconds(kMinAgeSeconds);
    write_file(kPath, "scan");
    std::istringstream in(read_file(kPath));
    std::vector<std::string> out;
    std::string line;
    int frames = -1; // < 0: not in a backtrace
    while (std::getline(in, line)) {
        std::size_t b = line.find_first_not_of(' ');
        std::string text = b == std::string::npos ? "" : line.substr(b);
        if (line.rfind("unreferenced object", 0) == 0) {
            out.push_back(text);
            frames = -1;
        } else if (text.rfind("backtrace", 0) == 0) {
            frames = 0;
        } else if (frames >= 0 && frames < 4 && !out.empty() && !text.empty()) {
            out.back() += (frames == 0 ? " from " : " < ") + text.substr(0, text.find(' '));
            frames++;
        }
    }
    return out;
}

} // namespace kmemleak
} // namespace stress
