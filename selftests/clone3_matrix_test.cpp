// SPDX-License-Identifier: GPL-2.0
// The flag matrix: combinations of the new flags with the existing ones
// they meet, each exit signal, as root and as nobody. Every case must fail
// with the errno the validation model predicts, or be accepted with the
// flags' basic post-conditions holding (see clone_attempt.cpp).
//
// Pruned to stay cheap under TCG: every subset of {AUTOREAP, NNP,
// PIDFD_AUTOKILL} x {with, without PIDFD} x one companion from {none,
// PARENT, THREAD(+SIGHAND+VM), VFORK, NEWUSER, NEWPID, CLEAR_SIGHAND,
// NEWUSER+NEWPID} x exit_signal {0, SIGCHLD} x {root, nobody}, plus
// SIGUSR1 without a companion; rows without a new flag only as a sample.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "clone_attempt.h"
#include "clone_model.h"
#include "feature_probes.h"
#include "uapi.h"
#include "unique_fd.h"

namespace {

struct MatrixCase {
    std::string name;
    std::uint64_t flags;
    int exit_signal;
    bool nobody;
};

struct Named {
    const char* name;
    std::uint64_t flags;
};

const Named kNewFlags[] = {
    {"autoreap", CLONE_AUTOREAP}, {"nnp", CLONE_NNP}, {"autokill", CLONE_PIDFD_AUTOKILL}};

const Named kCompanions[] = {
    {"", 0},
    {"parent", CLONE_PARENT},
    {"thread", CLONE_THREAD | CLONE_SIGHAND | CLONE_VM},
    {"vfork", CLONE_VFORK},
    {"newuser", CLONE_NEWUSER},
    {"newpid", CLONE_NEWPID},
    {"clearsighand", CLONE_CLEAR_SIGHAND},
    {"newuser_newpid", CLONE_NEWUSER | CLONE_NEWPID},
};

const Named kSignals[] = {{"sig0", 0}, {"sigchld", SIGCHLD}, {"sigusr1", SIGUSR1}};

std::vector<MatrixCase> build_cases()
{
    std::vector<MatrixCase> cases;
    for (unsigned subset = 0; subset < 8; ++subset) {
        for (bool pidfd : {false, true}) {
            for (const Named& comp : kCompanions) {
                // Without a new flag, only a sample of the companions.
                if (subset == 0 && comp.flags != 0 && comp.flags != CLONE_PARENT &&
                    comp.flags != (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM))
                    continue;
                for (const Named& sig : kSignals) {
                    if (sig.flags == SIGUSR1 && comp.flags != 0)
                        continue;
                    for (bool nobody : {false, true}) {
                        MatrixCase mc{"", 0, static_cast<int>(sig.flags), nobody};
                        for (unsigned bit = 0; bit < 3; ++bit) {
                            if (subset & (1U << bit)) {
                                mc.flags |= kNewFlags[bit].flags;
                                mc.name += std::string(kNewFlags[bit].name) + "_";
                            }
                        }
                        if (pidfd) {
                            mc.flags |= CLONE_PIDFD;
                            mc.name += "pidfd_";
                        }
                        if (comp.flags) {
                            mc.flags |= comp.flags;
                            mc.name += std::string(comp.name) + "_";
                        }
                        if (mc.name.empty())
                            mc.name = "plain_";
                        mc.name += std::string(sig.name) + (nobody ? "_nobody" : "_root");
                        cases.push_back(mc);
                    }
                }
            }
        }
    }
    return cases;
}

// Debian's kernel.unprivileged_userns_clone; absent means allowed.
bool userns_clone_sysctl()
{
    UniqueFd fd(::open("/proc/sys/kernel/unprivileged_userns_clone", O_RDONLY | O_CLOEXEC));
    char c = '1';
    if (fd)
        ::read(fd.get(), &c, 1);
    return c != '0';
}

const char* errno_name(int err) { return err ? strerrorname_np(err) : "accepted"; }

class Clone3Matrix : public testing::TestWithParam<MatrixCase> {};

} // namespace

// clone3 answers each flag combination as the validation model predicts;
// accepted combinations produce a child with the flags' post-conditions.
TEST_P(Clone3Matrix, MatchesModel)
{
    const MatrixCase& mc = GetParam();
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(Nnp);
    REQUIRE_FEATURE(PidfdAutokill);
    model::Caller caller;
    caller.cap_sys_admin = !mc.nobody;
    caller.userns_clone_sysctl = userns_clone_sysctl();
    model::Outcome want = model::predict({mc.flags, mc.exit_signal, model::Syscall::Clone3}, caller);

    AttemptResult got = attempt_clone3({.flags = mc.flags,
                                        .exit_signal = mc.exit_signal,
                                        .as_nobody = mc.nobody,
                                        .check_exit_info = features::has(features::Feature::PidfdInfoExit)});
    ASSERT_TRUE(got.ran) << "helper: " << got.problems;
    EXPECT_EQ(got.error, model::to_errno(want))
        << "clone3 flags 0x" << std::hex << mc.flags << std::dec << " exit_signal " << mc.exit_signal
        << (mc.nobody ? " as nobody" : " as root") << ": kernel " << errno_name(got.error)
        << ", model " << model::to_string(want);
    if (got.error == 0) {
        EXPECT_EQ(got.problems, "") << "post-conditions of the accepted clone";
    }
}

INSTANTIATE_TEST_SUITE_P(Flags, Clone3Matrix, testing::ValuesIn(build_cases()),
                         [](const testing::TestParamInfo<MatrixCase>& p) { return p.param.name; });
