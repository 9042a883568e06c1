// The terminal's progress line.

#include <doctest/doctest.h>

#include <string>

#include "phusong/core/log.hpp"

TEST_CASE("the progress line erases what a longer line before it left (issue #25: \"ETA 97 ss\")") {
    const std::string longer = phusong::progress_line("predict", 10, 1000, 100.0);
    const std::string shorter = phusong::progress_line("predict", 900, 1000, 9.0);
    CHECK(longer.starts_with("\rpredict ["));
    CHECK(longer.find("10/1000  1%  ETA 100 s") != std::string::npos);
    CHECK(shorter.find("900/1000  90%  ETA 9 s") != std::string::npos);
    // Both end with ECMA-48 "erase in line" (to the end), so the shorter one leaves no "s" behind.
    CHECK(longer.ends_with(" s\033[K"));
    CHECK(shorter.ends_with(" s\033[K"));
    CHECK(phusong::progress_line("x", 5, 10, 1.0).find("[###############...............]") != std::string::npos);
}
