// SPDX-License-Identifier: GPL-2.0
// A gtest event listener that writes KTAP v1 as the tests run: header, plan,
// one result line per test ("ok 3 Suite.Name", "not ok 4 Suite.Name",
// "ok 5 Suite.Name # SKIP reason"), failure messages as "# " diagnostics,
// through the library's KtapWriter (one write(2) a line). A test that ran
// kTimeReportMs or longer is preceded by "# time: N ms".
#pragma once

#include <gtest/gtest.h>
#include <string>

#include "ktap_writer.h"

class KtapListener : public testing::EmptyTestEventListener {
public:
    // Opens path for writing (KtapWriter::open()). Returns nullptr (errno
    // set) on failure.
    static KtapListener* open(const std::string& path);

    void OnTestIterationStart(const testing::UnitTest& unit, int iteration) override;
    void OnTestPartResult(const testing::TestPartResult& result) override;
    void OnTestEnd(const testing::TestInfo& info) override;
    void OnTestIterationEnd(const testing::UnitTest& unit, int iteration) override;

    static constexpr long long kTimeReportMs = 50;

private:
    KtapWriter out_;
    int passed_ = 0, failed_ = 0, skipped_ = 0;
};
