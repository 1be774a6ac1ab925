// SPDX-License-Identifier: GPL-2.0
#include "ktap_listener.h"

#include <sstream>
#include <unistd.h>

#include "ktap_io.h"

KtapListener::KtapListener(int fd) : fd_(fd) {}

KtapListener::~KtapListener()
{
    if (fd_ > 2)
        ::close(fd_);
}

KtapListener* KtapListener::open(const std::string& path)
{
    int fd = ktap_open(path);
    return fd < 0 ? nullptr : new KtapListener(fd);
}

void KtapListener::line(const std::string& text) { ktap_write_line(fd_, text); }

void KtapListener::diagnostic(const std::string& text)
{
    std::istringstream lines(text);
    std::string l;
    while (std::getline(lines, l))
        line("# " + l);
}

void KtapListener::OnTestIterationStart(const testing::UnitTest& unit, int)
{
    number_ = passed_ = failed_ = skipped_ = 0;
    line("KTAP version 1");
    line("1.." + std::to_string(unit.test_to_run_count()));
}

void KtapListener::OnTestPartResult(const testing::TestPartResult& result)
{
    if (!result.failed())
        return;
    std::string where = result.file_name() ? result.file_name() : "unknown";
    diagnostic(where + ":" + std::to_string(result.line_number()) + ": " + result.message());
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
    std::string num = std::to_string(++number_);
    if (result->Failed()) {
        ++failed_;
        line("not ok " + num + " " + name);
    } else if (result->Skipped()) {
        ++skipped_;
        line("ok " + num + " " + name + " # SKIP " + skip_reason(*result));
    } else {
        ++passed_;
        line("ok " + num + " " + name);
    }
}

void KtapListener::OnTestIterationEnd(const testing::UnitTest&, int)
{
    line("# Totals: pass:" + std::to_string(passed_) + " fail:" + std::to_string(failed_) +
         " xfail:0 xpass:0 skip:" + std::to_string(skipped_) + " error:0");
}
