// SPDX-License-Identifier: GPL-2.0
#include "kernel_checkers.h"

#include <cstdio>
#include <cstring>
#include <sstream>
#include <sys/mount.h>
#include <unistd.h>

#include "proc_state.h"
#include "stress.h"

namespace stress {
namespace {

// Caches whose objects exist once per process, thread or pidfd.
const char* const kSlabCaches[] = {
    "task_struct", "pid", "signal_cache", "sighand_cache", "files_cache", "fs_cache",
    "mm_struct",   "cred", "cred_jar",    "pidfs_attr_cache", "pidfs_inode_cache", "filp",
};

} // namespace

std::map<std::string, SlabCount> slab_counts()
{
    std::map<std::string, SlabCount> out;
    std::istringstream in(read_text_file("/proc/slabinfo"));
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
        write_text_file("/sys/kernel/slab/" + name + "/shrink", "1");
}

std::string live_checkers()
{
    std::string out;
    std::istringstream stats(read_text_file("/proc/lockdep_stats"));
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
    std::istringstream syms(read_text_file("/proc/kallsyms", 64 << 20));
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
bool available() { return mounted() && write_text_file(kPath, "scan=off"); }

long clear()
{
    write_text_file(kPath, "scan");
    std::istringstream in(read_text_file(kPath));
    long n = 0;
    std::string line;
    while (std::getline(in, line))
        n += line.rfind("unreferenced object", 0) == 0;
    write_text_file(kPath, "clear");
    return n;
}

std::vector<std::string> suspects()
{
    write_text_file(kPath, "scan");
    wait_seconds(kMinAgeSeconds);
    write_text_file(kPath, "scan");
    std::istringstream in(read_text_file(kPath));
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
