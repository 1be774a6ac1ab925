// SPDX-License-Identifier: GPL-2.0
// The clone3 fuzz worker: a throwaway process that makes random attempts
// and checks every child the kernel accepts; it exits (and the next one
// starts) after a child that shares its thread group or signal handlers
// or, as a sibling, its memory, or after a failed check.
#pragma once

#include <cstdint>

#include "caller.h"
#include "fuzz_case.h"
#include "stress.h"

namespace stress {

// Spawn one worker as who (caller.h; env.caller is the model's view of
// it), wait for it and reap the CLONE_PARENT children it left us. False
// when the section should stop (a worker hung).
bool run_fuzz_worker(Context& ctx, Report& r, const FuzzEnv& env, std::uint64_t seed, CallerKind who);

// Attempts the model accepts that the kernel refused for lack of resources
// (EAGAIN, ENOMEM, ENOSPC): not disagreements, but reported.
long transient_refusals();

} // namespace stress
