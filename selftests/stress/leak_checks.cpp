// SPDX-License-Identifier: GPL-2.0
#include "leak_checks.h"

#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace stress {
namespace {

constexpr double kSettleSeconds = 15;

// Re-evaluate cond every 100 ms until it holds or the time is up.
template <typename Cond>
bool settle(Cond cond, double seconds = kSettleSeconds)
{
    double end = now_seconds() + seconds;
    for (;;) {
        if (cond())
            return true;
        if (now_seconds() > end)
            return false;
        ::usleep(100000);
    }
}

LeakVerdict check_zombies(const SystemBaseline& base, Totals& t)
{
    LeakVerdict v;
    std::vector<ProcEntry> left;
    settle([&] { return (left = zombies(base.zombies)).empty(); });
    t.zombies_left = static_cast<long>(left.size());
    v.lines.push_back("zombies seen by the sections " + std::to_string(t.zombies_seen) +
                      ", zombies left in /proc " + std::to_string(left.size()) + " (" +
                      std::to_string(base.zombies.size()) + " there before the run, ignored)");
    for (std::size_t i = 0; i < left.size() && i < 10; ++i)
        v.lines.push_back("  left: " + describe(left[i]));
    v.ok = left.empty() && t.zombies_seen == 0;
    return v;
}

LeakVerdict check_fds(const SystemBaseline& base, Totals& t)
{
    LeakVerdict v;
    for (const auto& [fd, target] : open_fds()) {
        auto it = base.fds.find(fd);
        if (it != base.fds.end() && it->second == target)
            continue;
        t.fds_leaked++;
        if (is_pidfd_target(target))
            t.pidfds_leaked++;
        v.lines.push_back("  main left descriptor " + std::to_string(fd) + " open: " + target);
    }
    v.lines.insert(v.lines.begin(), "descriptors leaked " + std::to_string(t.fds_leaked) + ", of which pidfds " +
                                        std::to_string(t.pidfds_leaked) + "; processes left running " +
                                        std::to_string(t.stragglers));
    v.ok = t.fds_leaked == 0 && t.stragglers == 0;
    return v;
}

// Objects a cache may show beyond the baseline without a leak: the CPU slab
// and a partial slab or two that shrinking does not empty, plus RCU-delayed
// frees still in flight.
long tolerance(const SlabCount& c) { return 3 * c.per_slab + 16; }

LeakVerdict check_slabs(const SystemBaseline& base, Totals& t)
{
    LeakVerdict v;
    if (base.slabs.empty()) {
        v.lines.push_back("no /proc/slabinfo in this kernel (SLUB_TINY?): slab counts not measured");
        return v;
    }
    std::map<std::string, SlabCount> now;
    auto within = [&] {
        shrink_slabs(base.slabs);
        now = slab_counts();
        for (const auto& [name, before] : base.slabs)
            if (now.count(name) && now[name].active - before.active > tolerance(before))
                return false;
        return true;
    };
    v.ok = settle(within);
    t.slab_deltas.clear();
    for (const auto& [name, before] : base.slabs) {
        if (!now.count(name))
            continue;
        long delta = now[name].active - before.active;
        char buf[96];
        std::snprintf(buf, sizeof(buf), "%s%s %+ld", t.slab_deltas.empty() ? "" : ", ", name.c_str(), delta);
        t.slab_deltas += buf;
        if (delta > tolerance(before))
            v.lines.push_back("  " + name + ": " + std::to_string(before.active) + " -> " +
                              std::to_string(now[name].active) + " active objects (tolerance " +
                              std::to_string(tolerance(before)) + ")");
    }
    v.lines.insert(v.lines.begin(), "active objects after - before: " + t.slab_deltas);
    return v;
}

LeakVerdict check_kmemleak(const SystemBaseline& base, Totals& t)
{
    LeakVerdict v;
    if (!base.kmemleak) {
        v.lines.push_back("kmemleak not available in this kernel: not measured");
        return v;
    }
    std::vector<std::string> found = kmemleak::suspects();
    t.kmemleak_new = static_cast<long>(found.size());
    v.lines.push_back("new suspects " + std::to_string(found.size()) + " (" +
                      std::to_string(base.kmemleak_before) + " found and cleared before the run)");
    for (std::size_t i = 0; i < found.size() && i < 10; ++i)
        v.lines.push_back("  " + found[i]);
    v.ok = found.empty();
    return v;
}

} // namespace

SystemBaseline take_baseline()
{
    SystemBaseline b;
    for (const ProcEntry& z : zombies())
        b.zombies.insert(z.pid);
    b.fds = open_fds();
    b.slabs = slab_counts();
    shrink_slabs(b.slabs);
    b.slabs = slab_counts();
    b.kmemleak = kmemleak::available();
    if (b.kmemleak)
        b.kmemleak_before = kmemleak::clear();
    return b;
}

void Totals::add(const char* section, const Report& r, double section_seconds)
{
    children += r.children;
    if (std::strcmp(section, "stress.volume_autoreap") == 0) {
        volume_autoreap_children = r.children;
        volume_autoreap_seconds = section_seconds;
    } else if (std::strcmp(section, "stress.volume_autokill") == 0) {
        volume_autokill_children = r.children;
        volume_autokill_seconds = section_seconds;
    }
    (std::strstr(section, "pidfd_info") ? pidfd_info_tries : clone3_tries) += r.tries;
    disagreements += r.disagreements;
    violations += r.violations;
    zombies_seen += r.zombies;
    fds_leaked += r.fds_leaked;
    pidfds_leaked += r.pidfds_leaked;
    stragglers += r.stragglers;
}

std::vector<std::string> Totals::summary(const Options& opt) const
{
    auto measured = [](long v) { return v < 0 ? std::string("not measured") : std::to_string(v); };
    char secs[32], reap_secs[32], kill_secs[32];
    std::snprintf(secs, sizeof(secs), "%.1f", seconds);
    std::snprintf(reap_secs, sizeof(reap_secs), "%.1f", volume_autoreap_seconds);
    std::snprintf(kill_secs, sizeof(kill_secs), "%.1f", volume_autokill_seconds);
    auto volume = [](long made, long asked, const char* s) {
        return made < 0 ? std::string("not run")
                        : std::to_string(made) + " (asked " + std::to_string(asked) + ", " + s + " s)";
    };
    return {
        "children: " + std::to_string(children),
        "volume_autoreap_children: " + volume(volume_autoreap_children, opt.volume_autoreap, reap_secs),
        "volume_autokill_children: " + volume(volume_autokill_children, opt.volume_autokill, kill_secs),
        "fuzz_tries: " + std::to_string(clone3_tries + pidfd_info_tries) + " (clone3 " +
            std::to_string(clone3_tries) + ", PIDFD_GET_INFO " + std::to_string(pidfd_info_tries) + ")",
        "model_disagreements: " + std::to_string(disagreements),
        "violations: " + std::to_string(violations),
        "zombies_seen: " + std::to_string(zombies_seen),
        "zombies_left: " + measured(zombies_left),
        "fds_leaked: " + std::to_string(fds_leaked),
        "pidfds_leaked: " + std::to_string(pidfds_leaked),
        "processes_left_running: " + std::to_string(stragglers),
        "slab_deltas: " + slab_deltas,
        "kmemleak_new: " + measured(kmemleak_new),
        "checkers: " + checkers,
        "seed: " + std::to_string(opt.seed),
        "seconds: " + std::string(secs),
    };
}

const std::vector<LeakCheck>& leak_checks()
{
    static const std::vector<LeakCheck> checks = {
        {"stress.leaks_zombies", check_zombies},
        {"stress.leaks_fds", check_fds},
        {"stress.leaks_slab", check_slabs},
        {"stress.leaks_kmemleak", check_kmemleak},
    };
    return checks;
}

} // namespace stress
