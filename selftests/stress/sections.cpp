// SPDX-License-Identifier: GPL-2.0
// The run order and the bounds of every section at --scale=1. The bounds
// keep a whole run of a lockdep+KASAN+kmemleak kernel under TCG with one
// vCPU within about six minutes, boot included, plus the volume sections,
// which make an exact number of children whatever the time it takes (their
// bound is only a limit, from the counts asked for).
#include <string>

#include "sections.h"

namespace stress {

bool need(const Context&, Report& r, bool have, const char* what)
{
    if (!have)
        r.skip_because((std::string("kernel lacks ") + what).c_str());
    return have;
}

double section_seconds(const Section& s, const Options& opt)
{
    return s.fixed_seconds ? s.fixed_seconds(opt) : s.seconds * opt.scale;
}

const std::vector<Section>& sections()
{
    static const std::vector<Section> list = {
        {"stress.reap_race_subreaper", 45, 400, reap_race_subreaper},
        {"stress.reap_race_init", 25, 200, reap_race_init},
        {"stress.autokill_close_race", 40, 1000, autokill_close_race},
        {"stress.ptrace_dying_autoreap", 35, 400, ptrace_dying},
        {"stress.fuzz_clone3_root", 45, 30000, fuzz_clone3_root},
        {"stress.fuzz_clone3_nobody", 20, 15000, fuzz_clone3_nobody},
        {"stress.fuzz_clone3_autoreap_caller", 15, 10000, fuzz_clone3_autoreap_caller},
        {"stress.fuzz_pidfd_info", 15, 100000, fuzz_pidfd_info},
        {"stress.waitid_info_race", 30, 20000, waitid_info_race},
        {"stress.unpriv_autokill_nnp", 15, 200, unpriv_autokill_nnp},
        {"stress.unpriv_autokill_refused", 5, 1000, unpriv_autokill_refused},
        {"stress.unpriv_autokill_userns", 10, 150, unpriv_autokill_userns},
        {"stress.volume_autoreap", 0, 0, volume_autoreap, volume_autoreap_seconds},
        {"stress.volume_autokill", 0, 0, volume_autokill, volume_autokill_seconds},
    };
    return list;
}

} // namespace stress
