// SPDX-License-Identifier: GPL-2.0
// clone3_stress: stress, fuzz and fault runs of the clone3 lifecycle
// features, bounded in count and time, reported as KTAP.
//   clone3_stress [--ktap=PATH] [--require-features] [--scale=X] [--seed=N]
//                 [--gtest_filter=PATTERNS] [--list] [--trace]
//                 [--volume-autoreap=N] [--volume-autokill=M]
//   clone3_stress --helper=MODE   (exec target, see ../lib/helper_modes.h)
// Other --gtest_* arguments (the VM's init passes some) are ignored.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fnmatch.h>
#include <string>
#include <string_view>
#include <sys/random.h>
#include <unistd.h>
#include <vector>

#include "child.h"
#include "default_signals.h"
#include "helper_modes.h"
#include "kernel_checkers.h"
#include "ktap_writer.h"
#include "leak_checks.h"
#include "proc_state.h"
#include "runner.h"
#include "stress.h"

namespace {

using namespace stress;

// gtest filter syntax: "POS1:POS2-NEG1:NEG2".
bool selected(const std::string& filter, const std::string& name)
{
    if (filter.empty())
        return true;
    std::string pos = filter, neg;
    if (std::size_t dash = filter.find('-'); dash != std::string::npos) {
        pos = filter.substr(0, dash);
        neg = filter.substr(dash + 1);
    }
    auto any = [&](const std::string& list) {
        std::size_t start = 0;
        while (start <= list.size()) {
            std::size_t end = list.find(':', start);
            std::string pat = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
            if (!pat.empty() && ::fnmatch(pat.c_str(), name.c_str(), 0) == 0)
                return true;
            if (end == std::string::npos)
                break;
            start = end + 1;
        }
        return false;
    };
    return (pos.empty() || any(pos)) && !any(neg);
}

void usage_error(const char* arg)
{
    std::fprintf(stderr, "clone3_stress: unknown argument '%s' (see the header of main.cpp)\n", arg);
    std::exit(2);
}

// The number after "--option=" (at offset skip): digits only.
long count_arg(const char* arg, std::size_t skip)
{
    const char* digits = arg + skip;
    char* end = nullptr;
    long n = std::strtol(digits, &end, 10);
    if (!*digits || *end || n < 0)
        usage_error(arg);
    return n;
}

std::string report_line(const Report& r, const SectionRun& run)
{
    char buf[320];
    std::snprintf(buf, sizeof(buf),
                  "rounds %ld, children %ld, tries %ld, model disagreements %ld, violations %ld, "
                  "zombies %ld, fds leaked %ld, seconds %.1f (+%.1f until its processes were gone)",
                  r.rounds.load(), r.children.load(), r.tries.load(), r.disagreements.load(),
                  r.violations.load(), r.zombies.load(), r.fds_leaked.load(), run.seconds, run.settle_seconds);
    return buf;
}

} // namespace

int main(int argc, char** argv)
{
    if (std::optional<int> code = run_helper_mode(argc, argv))
        return *code;
    reset_signals();

    Options opt;
    if (::getrandom(&opt.seed, sizeof(opt.seed), 0) != sizeof(opt.seed))
        opt.seed = static_cast<std::uint64_t>(now_seconds() * 1e9);
    opt.seed &= (1ULL << 53) - 1; // printable and exact anywhere
    opt.self_exe = self_exe();
    std::string ktap_path;
    bool list = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a.substr(0, 7) == "--ktap=")
            ktap_path = std::string(a.substr(7));
        else if (a == "--require-features")
            opt.require_features = true;
        else if (a.substr(0, 8) == "--scale=")
            opt.scale = std::atof(argv[i] + 8);
        else if (a.substr(0, 7) == "--seed=")
            opt.seed = std::strtoull(argv[i] + 7, nullptr, 0);
        else if (a.substr(0, 15) == "--gtest_filter=")
            opt.filter = std::string(a.substr(15));
        else if (a.substr(0, 18) == "--volume-autoreap=")
            opt.volume_autoreap = count_arg(argv[i], 18);
        else if (a.substr(0, 18) == "--volume-autokill=")
            opt.volume_autokill = count_arg(argv[i], 18);
        else if (a == "--trace")
            opt.trace = true;
        else if (a == "--list")
            list = true;
        else if (a.substr(0, 8) == "--gtest_" || a == "--")
            continue;
        else
            usage_error(argv[i]);
    }
    if (!(opt.scale > 0))
        usage_error("--scale must be positive");

    std::vector<const Section*> chosen;
    for (const Section& s : sections())
        if (selected(opt.filter, s.name))
            chosen.push_back(&s);
    std::vector<const LeakCheck*> checks;
    for (const LeakCheck& c : leak_checks())
        if (selected(opt.filter, c.name))
            checks.push_back(&c);
    if (list) {
        for (const Section* s : chosen)
            std::printf("%s\t%.0f s\t%ld rounds\n", s->name, section_seconds(*s, opt), s->rounds);
        for (const LeakCheck* c : checks)
            std::printf("%s\n", c->name);
        return 0;
    }

    KtapWriter ktap;
    if (!ktap.open(ktap_path)) {
        std::fprintf(stderr, "clone3_stress: cannot open %s: %s\n", ktap_path.c_str(), std::strerror(errno));
        return 2;
    }
    ktap.copy_results_to_stdout();
    init_report();
    ktap.plan(static_cast<int>(chosen.size() + checks.size()));
    double t0 = now_seconds();
    const bool cap_sys_admin = have_cap_sys_admin();
    const std::string feat = features::probe_all();
    ktap.diag("seed: " + std::to_string(opt.seed));
    ktap.diag("scale: " + std::to_string(opt.scale));
    ktap.diag("features: " + feat + ", cap_sys_admin " + (cap_sys_admin ? "1" : "0"));

    Totals totals;
    SystemBaseline baseline = take_baseline();
    bool all_ok = true;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const Section& s = *chosen[i];
        std::printf("clone3_stress: running %s\n", s.name);
        SectionRun run = run_section(s, static_cast<int>(&s - sections().data()), opt, cap_sys_admin);
        Report& r = report();
        totals.add(s.name, r, run.seconds);
        ktap.diag(std::string(s.name) + ": " + report_line(r, run));
        for (int m = 0; m < std::min<int>(r.n_notes, kMaxMessages); ++m)
            ktap.diag(std::string("  note: ") + r.notes[m]);
        for (int m = 0; m < std::min<int>(r.n_messages, kMaxMessages); ++m)
            ktap.diag(std::string("  ") + r.messages[m]);
        if (r.n_messages > kMaxMessages)
            ktap.diag("  ... " + std::to_string(r.n_messages - kMaxMessages) + " more");
        if (!run.trouble.empty())
            ktap.diag("  " + run.trouble);
        bool ok = run.completed && r.violations == 0 && r.disagreements == 0 && r.zombies == 0;
        std::string skip = r.skip;
        if (!skip.empty() && ok && !opt.require_features) {
            ktap.result(true, s.name, skip);
            continue;
        }
        if (!skip.empty()) {
            ktap.diag("  " + skip + (opt.require_features ? " (required by --require-features)" : ""));
            ok = false;
        }
        all_ok = all_ok && ok;
        ktap.result(ok, s.name);
    }
    for (const LeakCheck* c : checks) {
        std::printf("clone3_stress: running %s\n", c->name);
        LeakVerdict v = c->fn(baseline, totals);
        for (const std::string& line : v.lines)
            ktap.diag(std::string(c->name) + ": " + line);
        all_ok = all_ok && v.ok;
        ktap.result(v.ok, c->name, v.skip);
    }
    totals.checkers = live_checkers();
    totals.seconds = now_seconds() - t0;
    for (const std::string& line : totals.summary(opt))
        ktap.diag("summary." + line);
    return all_ok ? 0 : 1;
}
