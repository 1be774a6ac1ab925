// SPDX-License-Identifier: GPL-2.0
// Feature probes for the stress run, made once by main: positive (a flag
// counts only when the kernel accepted it and the child ran to its end).
#pragma once

#include "stress.h"

namespace stress {

Features probe_features();
std::string describe(const Features& f);

} // namespace stress
