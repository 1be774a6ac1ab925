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
#include <cstdint>
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
#include "fresh_image.h"
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

// Kept small (the name is made when asked): see cases_of().
struct MatrixCase {
    std::uint64_t flags;
    int exit_signal;
    Suite suite;
    CallerKind caller;
    bool legacy;
};

// "<elements>_<signal>_<caller>", the elements in kElements order
// ("plain" for none): the test's name after "MatchesModel/".
std::string name_of(const MatrixCase& mc)
{
    std::string name;
    for (const Element& e : kElements)
        if ((mc.flags & e.flags) == e.flags)
            name += std::string(e.name) + "_";
    if (name.empty())
        name = "plain_";
    for (const Signal& sig : kSignals)
        if (sig.signo == mc.exit_signal)
            name += std::string(sig.name) + "_";
    return name + caller_name(mc.caller);
}

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
            bool expressible = true;
            for (unsigned bit = 0; bit < kElementCount; ++bit) {
                if (!(subset & (1U << bit)))
                    continue;
                flags |= kElements[bit].flags;
                expressible = expressible && kElements[bit].legacy;
            }
            if (legacy && !expressible)
                continue;
            for (const Signal& sig : kSignals) {
                for (CallerKind caller : kCallers) {
                    bool baseline = !(flags & kNewFlags) && caller != CallerKind::Autoreap;
                    Suite suite = legacy ? (baseline ? Suite::BaselineLegacy : Suite::Legacy)
                                         : (baseline ? Suite::BaselineClone3 : Suite::Clone3);
                    cases.push_back({flags, sig.signo, suite, caller, legacy});
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

// A suite's cases, as indices into all_cases(): gtest keeps a copy of
// each parameter per test and the suite forks a few thousand times, so
// the parameters stay small (every heap page present is copied and torn
// down again by each fork under TCG).
// A fresh image (fresh_image.h) registers none of them.
std::vector<std::uint16_t> cases_of(Suite suite)
{
    std::vector<std::uint16_t> out;
    if (fresh_image::inside())
        return out;
    for (std::size_t i = 0; i < all_cases().size(); ++i)
        if (all_cases()[i].suite == suite)
            out.push_back(static_cast<std::uint16_t>(i));
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
// per (suite, syscall, caller), run when the first of them is needed. A
// result is handed out once and then dropped (the heap stays small, see
// cases_of()); a batch used up runs again if asked again (--gtest_repeat).
class RejectedBatches {
public:
    AttemptResult get(std::uint16_t index, bool sysctl)
    {
        std::lock_guard<std::mutex> lock(mu_);
        const MatrixCase& mc = all_cases()[index];
        auto key = std::make_tuple(static_cast<int>(mc.suite), mc.legacy, static_cast<int>(mc.caller));
        auto it = batches_.find(key);
        if (it == batches_.end()) {
            std::vector<std::uint16_t> indices;
            std::vector<AttemptOptions> opts;
            for (std::size_t i = 0; i < all_cases().size(); ++i) {
                const MatrixCase& other = all_cases()[i];
                if (std::make_tuple(static_cast<int>(other.suite), other.legacy,
                                    static_cast<int>(other.caller)) != key)
                    continue;
                if (predict(other.flags, other.exit_signal, other.caller, other.legacy, sysctl) ==
                    model::Outcome::Accepted)
                    continue;
                indices.push_back(static_cast<std::uint16_t>(i));
                opts.push_back(options_of(other));
            }
            std::vector<AttemptResult> results = attempt_batch(opts);
            std::map<std::uint16_t, AttemptResult> by_index;
            for (std::size_t i = 0; i < indices.size(); ++i)
                by_index[indices[i]] = std::move(results[i]);
            it = batches_.emplace(key, std::move(by_index)).first;
        }
        auto found = it->second.find(index);
        if (found == it->second.end())
            return {false, 0, "case missing from its batch"};
        AttemptResult result = std::move(found->second);
        it->second.erase(found);
        if (it->second.empty())
            batches_.erase(it);
        return result;
    }

private:
    std::mutex mu_;
    std::map<std::tuple<int, bool, int>, std::map<std::uint16_t, AttemptResult>> batches_;
};

RejectedBatches& batches()
{
    static RejectedBatches b;
    return b;
}

const char* errno_name(int err) { return err ? strerrorname_np(err) : "accepted"; }

void run_case(std::uint16_t index)
{
    const MatrixCase& mc = all_cases()[index];
    const bool sysctl = userns_clone_sysctl();
    const model::Outcome want = predict(mc.flags, mc.exit_signal, mc.caller, mc.legacy, sysctl);
    AttemptResult got = want == model::Outcome::Accepted ? attempt_clone_in_server(options_of(mc))
                                                         : batches().get(index, sysctl);
    ASSERT_TRUE(got.ran) << "helper: " << got.problems;
    EXPECT_EQ(got.error, model::to_errno(want))
        << (mc.legacy ? "clone" : "clone3") << " flags 0x" << std::hex << mc.flags << std::dec
        << " exit_signal " << mc.exit_signal << " from " << caller_name(mc.caller)
        << ": kernel " << errno_name(got.error) << ", model " << model::to_string(want);
    if (got.error == 0) {
        EXPECT_EQ(got.problems, "") << "post-conditions of the accepted clone";
    }
}

// The parameter is the case's index in all_cases(). The accepted cases
// go through the attempt server (clone_attempt.h), stopped after each
// suite: no test after the matrix finds it among its children.
class MatrixTest : public testing::TestWithParam<std::uint16_t> {
public:
    static void TearDownTestSuite() { stop_attempt_server(); }
};
class Clone3Matrix : public MatrixTest {};
class BaselineClone3Matrix : public MatrixTest {};
class LegacyCloneMatrix : public MatrixTest {};
class BaselineLegacyCloneMatrix : public MatrixTest {};

std::string case_name(const testing::TestParamInfo<std::uint16_t>& p) { return name_of(all_cases()[p.param]); }

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

// (A fresh image instantiates them with no cases.)
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Clone3Matrix);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BaselineClone3Matrix);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(LegacyCloneMatrix);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BaselineLegacyCloneMatrix);
INSTANTIATE_TEST_SUITE_P(Flags, Clone3Matrix, testing::ValuesIn(cases_of(Suite::Clone3)), case_name);
INSTANTIATE_TEST_SUITE_P(Flags, BaselineClone3Matrix,
                         testing::ValuesIn(cases_of(Suite::BaselineClone3)), case_name);
INSTANTIATE_TEST_SUITE_P(Flags, LegacyCloneMatrix, testing::ValuesIn(cases_of(Suite::Legacy)),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Flags, BaselineLegacyCloneMatrix,
                         testing::ValuesIn(cases_of(Suite::BaselineLegacy)), case_name);
