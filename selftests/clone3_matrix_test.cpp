// SPDX-License-Identifier: GPL-2.0
// The exhaustive flag matrix. Every subset of {AUTOREAP, NNP,
// PIDFD_AUTOKILL, PIDFD, PARENT, THREAD(+SIGHAND+VM), VFORK, NEWUSER,
// NEWPID, CLEAR_SIGHAND} x exit_signal {0, SIGCHLD, SIGUSR1} x caller
// {root, nobody (no CAP_SYS_ADMIN), an autoreap child (root)} through
// clone3(), and every subset of the flags legacy clone(2) can express
// ({PIDFD, PARENT, THREAD, VFORK, NEWUSER, NEWPID}) x the same signals and
// callers through clone(2).
//
// Each case must fail with the errno the validation model (clone_model.h)
// predicts, or be accepted with the post-conditions of its flags holding
// (clone_attempt.cpp: autoreap leaves no zombie and sends no signal and
// its pidfd reports the exit; NNP child 1 / parent 0; autokill's close
// kills; the exit signal arrives, once, when set; CLONE_VM children ran).
//
// Cost: accepted cases run one helper each; the cases the model expects
// to fail run in one helper per (suite, syscall, caller), each its own
// syscall with its own errno, and a hang or crash costs only that case.
//
// Suites: rows without a new flag, from root or nobody, are Baseline*
// (existing rules: they must hold on every kernel, controls included);
// the rest need the three flags and skip without them.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <map>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

#include "clone_attempt.h"
#include "clone_model.h"
#include "proc_state.h"
#include "require_feature.h"
#include "uapi.h"
#include "unique_fd.h"

namespace {

constexpr std::uint64_t kNewFlags = CLONE_AUTOREAP | CLONE_NNP | CLONE_PIDFD_AUTOKILL;

struct Element {
    const char* name;
    std::uint64_t flags;
    bool legacy; // expressible in clone(2)'s 32-bit flags
};

// In name order; a case's name lists its elements in this order.
const Element kElements[] = {
    {"autoreap", CLONE_AUTOREAP, false},
    {"nnp", CLONE_NNP, false},
    {"autokill", CLONE_PIDFD_AUTOKILL, false},
    {"pidfd", CLONE_PIDFD, true},
    {"parent", CLONE_PARENT, true},
    {"thread", CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, true},
    {"vfork", CLONE_VFORK, true},
    {"newuser", CLONE_NEWUSER, true},
    {"newpid", CLONE_NEWPID, true},
    {"clearsighand", CLONE_CLEAR_SIGHAND, false},
};
constexpr unsigned kElementCount = sizeof(kElements) / sizeof(kElements[0]);

struct Signal {
    const char* name;
    int signo;
};
const Signal kSignals[] = {{"sig0", 0}, {"sigchld", SIGCHLD}, {"sigusr1", SIGUSR1}};

const CallerKind kCallers[] = {CallerKind::Root, CallerKind::Nobody, CallerKind::Autoreap};

enum class Suite { Clone3, BaselineClone3, Legacy, BaselineLegacy };

struct MatrixCase {
    std::string name;
    Suite suite;
    std::uint64_t flags;
    int exit_signal;
    CallerKind caller;
    bool legacy;
};

// Debian's kernel.unprivileged_userns_clone; absent means allowed.
model::Outcome predict(std::uint64_t flags, int exit_signal, CallerKind caller, bool legacy,
                       bool sysctl)
{
    return model::predict({flags, exit_signal, legacy ? model::Syscall::LegacyClone : model::Syscall::Clone3},
                          model_caller(caller, sysctl));
}

// Every case, for every suite. The expected outcome is computed when a
// case runs (it depends on a sysctl of the kernel under test).
std::vector<MatrixCase> build_all()
{
    std::vector<MatrixCase> cases;
    for (bool legacy : {false, true}) {
        for (unsigned subset = 0; subset < (1U << kElementCount); ++subset) {
            std::uint64_t flags = 0;
            std::string name;
            bool expressible = true;
            for (unsigned bit = 0; bit < kElementCount; ++bit) {
                if (!(subset & (1U << bit)))
                    continue;
                flags |= kElements[bit].flags;
                name += std::string(kElements[bit].name) + "_";
                expressible = expressible && kElements[bit].legacy;
            }
            if (legacy && !expressible)
                continue;
            if (name.empty())
                name = "plain_";
            for (const Signal& sig : kSignals) {
                for (CallerKind caller : kCallers) {
                    bool baseline = !(flags & kNewFlags) && caller != CallerKind::Autoreap;
                    Suite suite = legacy ? (baseline ? Suite::BaselineLegacy : Suite::Legacy)
                                         : (baseline ? Suite::BaselineClone3 : Suite::Clone3);
                    cases.push_back({name + sig.name + "_" + caller_name(caller), suite, flags, sig.signo,
                                     caller, legacy});
                }
            }
        }
    }
    return cases;
}

const std::vector<MatrixCase>& all_cases()
{
    static const std::vector<MatrixCase> cases = build_all();
    return cases;
}

std::vector<MatrixCase> cases_of(Suite suite)
{
    std::vector<MatrixCase> out;
    for (const MatrixCase& mc : all_cases())
        if (mc.suite == suite)
            out.push_back(mc);
    return out;
}

AttemptOptions options_of(const MatrixCase& mc)
{
    return {.flags = mc.flags,
            .exit_signal = mc.exit_signal,
            .caller = mc.caller,
            .check_exit_info = features::has(features::Feature::PidfdInfoExit),
            .legacy = mc.legacy};
}

// The batched results of the cases the model expects to fail, one batch
// per (suite, syscall, caller), run when the first of them is needed.
class RejectedBatches {
public:
    AttemptResult get(const MatrixCase& mc, bool sysctl)
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto key = std::make_tuple(static_cast<int>(mc.suite), mc.legacy, static_cast<int>(mc.caller));
        auto it = batches_.find(key);
        if (it == batches_.end()) {
            std::vector<std::string> names;
            std::vector<AttemptOptions> opts;
            for (const MatrixCase& other : all_cases()) {
                if (std::make_tuple(static_cast<int>(other.suite), other.legacy,
                                    static_cast<int>(other.caller)) != key)
                    continue;
                if (predict(other.flags, other.exit_signal, other.caller, other.legacy, sysctl) ==
                    model::Outcome::Accepted)
                    continue;
                names.push_back(other.name);
                opts.push_back(options_of(other));
            }
            std::vector<AttemptResult> results = attempt_batch(opts);
            std::map<std::string, AttemptResult> by_name;
            for (std::size_t i = 0; i < names.size(); ++i)
                by_name[names[i]] = results[i];
            it = batches_.emplace(key, std::move(by_name)).first;
        }
        auto found = it->second.find(mc.name);
        if (found == it->second.end())
            return {false, 0, "case missing from its batch"};
        return found->second;
    }

private:
    std::mutex mu_;
    std::map<std::tuple<int, bool, int>, std::map<std::string, AttemptResult>> batches_;
};

RejectedBatches& batches()
{
    static RejectedBatches b;
    return b;
}

const char* errno_name(int err) { return err ? strerrorname_np(err) : "accepted"; }

void run_case(const MatrixCase& mc)
{
    const bool sysctl = userns_clone_sysctl();
    const model::Outcome want = predict(mc.flags, mc.exit_signal, mc.caller, mc.legacy, sysctl);
    AttemptResult got = want == model::Outcome::Accepted ? attempt_clone(options_of(mc))
                                                         : batches().get(mc, sysctl);
    ASSERT_TRUE(got.ran) << "helper: " << got.problems;
    EXPECT_EQ(got.error, model::to_errno(want))
        << (mc.legacy ? "clone" : "clone3") << " flags 0x" << std::hex << mc.flags << std::dec
        << " exit_signal " << mc.exit_signal << " from " << caller_name(mc.caller)
        << ": kernel " << errno_name(got.error) << ", model " << model::to_string(want);
    if (got.error == 0) {
        EXPECT_EQ(got.problems, "") << "post-conditions of the accepted clone";
    }
}

class Clone3Matrix : public testing::TestWithParam<MatrixCase> {};
class BaselineClone3Matrix : public testing::TestWithParam<MatrixCase> {};
class LegacyCloneMatrix : public testing::TestWithParam<MatrixCase> {};
class BaselineLegacyCloneMatrix : public testing::TestWithParam<MatrixCase> {};

std::string case_name(const testing::TestParamInfo<MatrixCase>& p) { return p.param.name; }

} // namespace

// clone3 answers each combination with a new flag (or from an autoreap
// caller) as the model predicts; accepted ones meet their post-conditions.
TEST_P(Clone3Matrix, MatchesModel)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(Nnp);
    REQUIRE_FEATURE(PidfdAutokill);
    run_case(GetParam());
}

// The existing clone3 rules (no new flag, root or nobody): the model of
// them holds on every kernel.
TEST_P(BaselineClone3Matrix, MatchesModel) { run_case(GetParam()); }

// Legacy clone(2) from an autoreap caller: the CLONE_PARENT rule applies
// there too.
TEST_P(LegacyCloneMatrix, MatchesModel)
{
    REQUIRE_FEATURE(Autoreap);
    run_case(GetParam());
}

// Legacy clone(2) from root or nobody: existing rules, every kernel.
TEST_P(BaselineLegacyCloneMatrix, MatchesModel) { run_case(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Flags, Clone3Matrix, testing::ValuesIn(cases_of(Suite::Clone3)), case_name);
INSTANTIATE_TEST_SUITE_P(Flags, BaselineClone3Matrix,
                         testing::ValuesIn(cases_of(Suite::BaselineClone3)), case_name);
INSTANTIATE_TEST_SUITE_P(Flags, LegacyCloneMatrix, testing::ValuesIn(cases_of(Suite::Legacy)),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Flags, BaselineLegacyCloneMatrix,
                         testing::ValuesIn(cases_of(Suite::BaselineLegacy)), case_name);
