// SPDX-License-Identifier: GPL-2.0
#include "ktap_listener.h"

#include <memory>
#include <sstream>

KtapListener* KtapListener::open(const std::string& path)
{
    auto listener = std::make_unique<KtapListener>();
    return listener->out_.open(path) ? listener.release() : nullptr;
}

void KtapListener::OnTestIterationStart(const testing::UnitTest& unit, int)
{
    passed_ = failed_ = skipped_ = 0;
    out_.plan(unit.test_to_run_count());
}

void KtapListener::OnTestPartResult(const testing::TestPartResult& result)
{
    if (!result.failed())
        return;
    std::string where = result.file_name() ? result.file_name() : "unknown";
    out_.diag(where + ":" + std::to_string(result.line_number()) + ": " + result.message());
}

namespace {

// The first line of the skip message, with the "Skipped" banner removed.
std::string skip_reason(const testing::TestResult& result)
{
    for (int i = 0; i < result.total_part_count(); ++i) {
        const testing::TestPartResult& part = result.GetTestPartResult(i);
        if (!part.skipped())
            continue;
        std::string msg = part.message();
        std::istringstream lines(msg);
        std::string l;
        while (std::getline(lines, l))
            if (!l.empty() && l != "Skipped")
                return l;
    }
    return "skipped";
}

} // namespace

void KtapListener::OnTestEnd(const testing::TestInfo& info)
{
    const testing::TestResult* result = info.result();
    std::string name = std::string(info.test_suite_name()) + "." + info.name();
    // A test that took a while says so, for the host's slowest-tests list;
    // the thousands of quick ones stay silent (KTAP bytes are suite time).
    long long ms = result->elapsed_time();
    if (ms >= kTimeReportMs)
        out_.diag("time: " + std::to_string(ms) + " ms");
    if (result->Failed()) {
        ++failed_;
        out_.result(false, name);
    } else if (result->Skipped()) {
        ++skipped_;
        out_.result(true, name, skip_reason(*result));
    } else {
        ++passed_;
        out_.result(true, name);
    }
}

void KtapListener::OnTestIterationEnd(const testing::UnitTest&, int)
{
    out_.diag("Totals: pass:" + std::to_string(passed_) + " fail:" + std::to_string(failed_) +
              " xfail:0 xpass:0 skip:" + std::to_string(skipped_) + " error:0");
}
