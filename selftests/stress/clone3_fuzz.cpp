// SPDX-License-Identifier: GPL-2.0
// The clone3() argument fuzzer: random flag words (all 64 bits, weighted
// to the interesting ones), exit signals, struct sizes and placements,
// each answer checked against the model (fuzz_case.h). Tries run in
// throwaway worker processes (root, nobody, or themselves autoreap
// children); every accepted child is checked (it runs, no_new_privs as
// asked, autoreap children leave no zombie, autokill ones die with their
// pidfd), see fuzz_attempt.h.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "child.h"
#include "fuzz_attempt.h"
#include "proc_state.h"
#include "sections.h"
#include "sys.h"

namespace stress {
namespace {

bool dir_is_empty(const char* path)
{
    DIR* d = ::opendir(path);
    if (!d)
        return false;
    int entries = 0;
    while (::readdir(d))
        entries++;
    ::closedir(d);
    return entries == 2;
}

// A cgroup2 directory we may fork into: our own cgroup (mounting cgroup2
// on an empty /sys/fs/cgroup first, as in the VM, if nothing has).
int open_own_cgroup()
{
    auto mountpoint = [] {
        std::ifstream in("/proc/self/mountinfo");
        std::string line;
        while (std::getline(in, line)) {
            if (line.find(" - cgroup2 ") == std::string::npos)
                continue;
            std::istringstream f(line);
            std::string id, parent, dev, root, point;
            f >> id >> parent >> dev >> root >> point;
            return point;
        }
        return std::string();
    };
    std::string point = mountpoint();
    if (point.empty() && dir_is_empty("/sys/fs/cgroup") &&
        ::mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, nullptr) == 0)
        point = "/sys/fs/cgroup";
    if (point.empty())
        return -1;
    std::ifstream in("/proc/self/cgroup");
    std::string line, path = "/";
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0)
            path = line.substr(3);
    return ::open((point + path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

// What this kernel makes of single flags, probed as the caller will fuzz
// (nobody needs CLONE_NEWUSER alongside): "<errno of CLONE_NEWUSER alone>
// <namespace flags rejected with EINVAL> <bits above the series' accepted>".
std::string probe_kernel(bool as_nobody)
{
    static const std::uint64_t kNs[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID, CLONE_NEWUTS,
                                        CLONE_NEWIPC,  CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME};
    HelperResult h = run_helper(
        [&] {
            const std::uint64_t userns = as_nobody ? CLONE_NEWUSER : 0;
            auto accepted = [&](std::uint64_t flags, int* err) {
                Child c = spawn(flags | userns | CLONE_PIDFD, SIGCHLD, [] { return 0; });
                if (c)
                    wait_child(c.pid, c.pidfd.get());
                *err = c.error;
                return c.pid > 0;
            };
            std::uint64_t unsupported = 0, unknown = 0;
            int userns_err = 0, err = 0;
            for (std::uint64_t ns : kNs) {
                if (!accepted(ns, &err) && ns == CLONE_NEWUSER)
                    userns_err = err;
                else if (err == EINVAL)
                    unsupported |= ns;
            }
            for (int bit = 37; bit < 64; ++bit)
                if (accepted(1ULL << bit, &err))
                    unknown |= 1ULL << bit;
            return std::to_string(userns_err) + " " + std::to_string(unsupported) + " " + std::to_string(unknown);
        },
        as_nobody);
    return h.ok ? h.text : "";
}

int kernel_major()
{
    struct utsname u;
    return ::uname(&u) == 0 ? std::atoi(u.release) : 0;
}

void fuzz_clone3(Context& ctx, Report& r, CallerKind who)
{
    FuzzEnv env;
    env.series = has(Feature::Autoreap) && has(Feature::Nnp) && has(Feature::PidfdAutokill);
    if (!env.series)
        r.skip_because("kernel lacks the series' clone3 flags (fuzzed against a model without them)");
    const bool nobody = who == CallerKind::Nobody;
    env.caller = model_caller(who, userns_clone_sysctl(), ctx.cap_sys_admin);
    std::string probe = probe_kernel(nobody);
    int userns_err = 0;
    unsigned long long unsupported = 0, unknown = 0;
    if (std::sscanf(probe.c_str(), "%d %llu %llu", &userns_err, &unsupported, &unknown) != 3) {
        r.fail("flag probe failed: %s", probe.c_str());
        return;
    }
    env.unsupported_ns = unsupported;
    if (unknown == kCloneEmptyMntns && kernel_major() >= 7) {
        env.empty_mntns = true;
        r.note("this kernel accepts bit 37: upstream's CLONE_EMPTY_MNTNS, modelled as CLONE_NEWNS");
    } else if (unknown) {
        r.fail("clone3 accepts flag bits unknown to the series, each alone: 0x%llx", unknown);
    }
    if (userns_err != 0 && !(userns_err == EPERM && !env.caller.userns_clone_sysctl)) {
        env.excluded |= CLONE_NEWUSER;
        r.note("CLONE_NEWUSER not fuzzed: the caller cannot create user namespaces (%s)",
               std::strerror(userns_err));
    }
    if (unsupported)
        r.note("namespace flags this kernel lacks (expected EINVAL): 0x%llx", unsupported);
    UniqueFd cgroup(nobody ? -1 : open_own_cgroup());
    env.cgroup_fd = cgroup.get();
    if (!cgroup) {
        env.excluded |= CLONE_INTO_CGROUP;
        r.note("CLONE_INTO_CGROUP not fuzzed: %s", nobody ? "nobody may not write cgroup.procs"
                                                         : "no cgroup2 directory to fork into");
    }
    while (ctx.budget.more(r.tries)) {
        r.rounds++;
        std::uint64_t seed = ctx.rng();
        if (!run_fuzz_worker(ctx, r, env, seed, who))
            break;
    }
    if (long n = transient_refusals())
        r.note("%ld attempts the model accepts were refused for lack of resources", n);
}

} // namespace

void fuzz_clone3_root(Context& ctx, Report& r) { fuzz_clone3(ctx, r, CallerKind::Root); }

void fuzz_clone3_nobody(Context& ctx, Report& r) { fuzz_clone3(ctx, r, CallerKind::Nobody); }

void fuzz_clone3_autoreap_caller(Context& ctx, Report& r)
{
    if (!need(ctx, r, has(Feature::Autoreap), "CLONE_AUTOREAP"))
        return;
    fuzz_clone3(ctx, r, CallerKind::Autoreap);
}

} // namespace stress
