// SPDX-License-Identifier: GPL-2.0
#include "fuzz_case.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "uapi.h"

namespace stress {
namespace {

constexpr std::size_t kVer0 = 64;
constexpr std::size_t kVer2 = 88;
constexpr std::size_t kPageSize = 4096;
constexpr std::uint64_t kMaxPidNsLevel = 32;
constexpr std::uint64_t kNewFlags = CLONE_AUTOREAP | CLONE_NNP | CLONE_PIDFD_AUTOKILL;

// Each known bit with its own odds: the series' flags and their partners
// often, namespaces (slow to create) rarely.
struct Weighted {
    std::uint64_t bit;
    double p;
};
const Weighted kBits[] = {
    {CLONE_AUTOREAP, 0.45},   {CLONE_PIDFD, 0.5},        {CLONE_PIDFD_AUTOKILL, 0.3},
    {CLONE_NNP, 0.35},        {CLONE_THREAD, 0.1},       {CLONE_SIGHAND, 0.12},
    {CLONE_VM, 0.15},         {CLONE_PARENT, 0.1},       {CLONE_VFORK, 0.06},
    {CLONE_CLEAR_SIGHAND, 0.08}, {CLONE_INTO_CGROUP, 0.04}, {CLONE_FILES, 0.1},
    {CLONE_FS, 0.08},         {CLONE_IO, 0.05},          {CLONE_SYSVSEM, 0.05},
    {CLONE_SETTLS, 0.06},     {CLONE_PARENT_SETTID, 0.08}, {CLONE_CHILD_SETTID, 0.06},
    {CLONE_CHILD_CLEARTID, 0.06}, {CLONE_UNTRACED, 0.05}, {CLONE_PTRACE, 0.04},
    {CLONE_DETACHED, 0.03},   {CLONE_NEWNS, 0.04},       {CLONE_NEWUSER, 0.05},
    {CLONE_NEWPID, 0.05},     {CLONE_NEWUTS, 0.03},      {CLONE_NEWIPC, 0.03},
    {CLONE_NEWCGROUP, 0.03},  {CLONE_NEWNET, 0.01},      {CLONE_NEWTIME, 0.03},
};

} // namespace

FuzzCase random_case(std::mt19937_64& rng, const FuzzEnv& env)
{
    auto pick = [&](std::uint64_t lo, std::uint64_t hi) {
        return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
    };
    auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
    FuzzCase c;
    if (chance(0.1)) {
        c.flags = rng(); // all 64 bits at random
    } else {
        for (const Weighted& w : kBits)
            if (chance(w.p))
                c.flags |= w.bit;
        if (chance(0.08))
            c.flags |= 1ULL << pick(37, 63); // an unknown high bit
        if (chance(0.03))
            c.flags |= 1ULL << pick(0, 7);   // a CSIGNAL bit
    }
    c.flags &= ~env.excluded;

    std::uint64_t r = pick(0, 99);
    c.exit_signal = r < 45 ? 0 : r < 70 ? SIGCHLD : r < 85 ? pick(1, 64) : r < 93 ? pick(65, 255) : rng();

    r = pick(0, 99);
    if (r < 70) {
        c.size = kVer2;
    } else if (r < 78) {
        c.size = pick(0, kVer0 - 1);
    } else if (r < 86) {
        c.size = pick(kVer0, kVer2 - 1);
    } else if (r < 94) {
        c.size = pick(kVer2 + 1, kPageSize);
        if (chance(0.5))
            c.nonzero_tail = pick(kVer2, c.size - 1);
    } else if (r < 97) {
        c.size = pick(kPageSize + 1, 3 * kPageSize);
    } else {
        c.size = pick(kVer0, kPageSize);
        c.placement = Placement::Faulting;
        c.fault_bytes = pick(1, c.size < 64 ? c.size : 64);
    }
    if (c.placement != Placement::Faulting && chance(0.4)) {
        c.placement = Placement::Unaligned;
        c.offset = pick(1, 7);
    }
    if (chance(0.08))
        c.set_tid_size = pick(1, 40);
    return c;
}

int expected_errno(const FuzzCase& c, const FuzzEnv& env)
{
    if (c.size > kPageSize)
        return E2BIG;
    if (c.size < kVer0)
        return EINVAL;
    if (c.placement == Placement::Faulting)
        return EFAULT; // the tail check or the copy touches the unmapped page
    if (c.size > kVer2 && c.nonzero_tail)
        return E2BIG;
    // The kernel's view: the first min(size, 88) bytes, the rest zero.
    uapi::CloneArgs full{};
    full.flags = c.flags;
    full.exit_signal = c.exit_signal;
    full.set_tid_size = c.set_tid_size;
    full.cgroup = static_cast<std::uint64_t>(env.cgroup_fd < 0 ? 0 : env.cgroup_fd);
    uapi::CloneArgs k{};
    std::memcpy(&k, &full, c.size < kVer2 ? c.size : kVer2);
    if (k.set_tid_size > kMaxPidNsLevel || k.set_tid_size > 0)
        return EINVAL; // set_tid is always 0 here
    if ((k.exit_signal & ~std::uint64_t{CSIGNAL}) || k.exit_signal > 64)
        return EINVAL;
    if ((k.flags & CLONE_INTO_CGROUP) && (k.cgroup > INT_MAX || c.size < kVer2))
        return EINVAL;
    if (!env.series && (k.flags & kNewFlags))
        return EINVAL; // unknown flags to this kernel
    std::uint64_t flags = k.flags;
    if (env.empty_mntns && (flags & kCloneEmptyMntns))
        flags = (flags & ~kCloneEmptyMntns) | CLONE_NEWNS; // kernel_clone() adds CLONE_NEWNS
    model::Request req{flags, static_cast<int>(k.exit_signal), model::Syscall::Clone3};
    model::Outcome o = model::predict(req, env.caller);
    if (o == model::Outcome::Accepted && (flags & env.unsupported_ns))
        return EINVAL; // create_new_namespaces() of a type this kernel lacks
    return model::to_errno(o);
}

std::string describe(const FuzzCase& c)
{
    static const char* const where[] = {"aligned", "unaligned", "faulting"};
    char buf[200];
    std::snprintf(buf, sizeof(buf),
                  "flags 0x%llx exit_signal %llu size %zu %s+%zu fault %zu tail@%zu set_tid_size %llu",
                  static_cast<unsigned long long>(c.flags), static_cast<unsigned long long>(c.exit_signal),
                  c.size, where[static_cast<int>(c.placement)], c.offset, c.fault_bytes, c.nonzero_tail,
                  static_cast<unsigned long long>(c.set_tid_size));
    return buf;
}

const char* errno_name(int err)
{
    switch (err) {
    case 0:
        return "accepted";
    case EINVAL:
        return "EINVAL";
    case EPERM:
        return "EPERM";
    case E2BIG:
        return "E2BIG";
    case EFAULT:
        return "EFAULT";
    case EBADF:
        return "EBADF";
    case EAGAIN:
        return "EAGAIN";
    case ENOMEM:
        return "ENOMEM";
    case ENOSPC:
        return "ENOSPC";
    case EACCES:
        return "EACCES";
    case EBUSY:
        return "EBUSY";
    case EUSERS:
        return "EUSERS";
    default:
        return std::strerror(err);
    }
}

} // namespace stress
