// SPDX-License-Identifier: GPL-2.0
// The stress sections (one file each); sections() in sections.cpp lists them.
#pragma once

#include "stress.h"

namespace stress {

// reap_race.cpp: autoreap trees whose parents die while their children exit.
void reap_race_subreaper(Context& ctx, Report& r);
void reap_race_init(Context& ctx, Report& r);
// autokill_close_race.cpp: autokill pidfds closed, dup'ed and passed around
// from several threads and processes at once.
void autokill_close_race(Context& ctx, Report& r);
// ptrace_dying.cpp: tracers attaching to and detaching from dying autoreap
// children.
void ptrace_dying(Context& ctx, Report& r);
// clone3_fuzz.cpp: random clone3 arguments checked against the model.
void fuzz_clone3_root(Context& ctx, Report& r);
void fuzz_clone3_nobody(Context& ctx, Report& r);
void fuzz_clone3_autoreap_caller(Context& ctx, Report& r);
// pidfd_info_fuzz.cpp: PIDFD_GET_INFO with random sizes, masks and targets.
void fuzz_pidfd_info(Context& ctx, Report& r);
// unpriv_autokill.cpp: an unprivileged caller never autokills a process it
// could not otherwise signal.
void unpriv_autokill_nnp(Context& ctx, Report& r);
void unpriv_autokill_refused(Context& ctx, Report& r);
void unpriv_autokill_userns(Context& ctx, Report& r);
// waitid_info_race.cpp: waitid() reaping while PIDFD_GET_INFO asks for
// the exit info (ordinary children).
void waitid_info_race(Context& ctx, Report& r);
// volume.cpp: exact numbers of autoreap and autokill children, in batches.
void volume_autoreap(Context& ctx, Report& r);
void volume_autokill(Context& ctx, Report& r);
double volume_autoreap_seconds(const Options& opt);
double volume_autokill_seconds(const Options& opt);

// Skip unless the kernel has what the section needs (true: go on).
bool need(const Context& ctx, Report& r, bool have, const char* what);

} // namespace stress
