// libFuzzer target: arbitrary bytes as a CSV site table. An InputError is the expected answer to
// bad bytes; a crash, a sanitizer report, or any other exception is a finding.

#include <cstddef>
#include <cstdint>

#include "fuzz_util.hpp"
#include "phusong/core/error.hpp"
#include "phusong/sites/site_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = phusong::fuzz::write_input("sites.csv", data, size);
    try {
        const phusong::sites::SiteTable table = phusong::sites::read_site_table(path);
        // Invariants of an accepted table.
        if (table.cells.empty() || table.sites.empty() || table.layers.empty()) __builtin_trap();
        for (const auto& c : table.cells) {
            if (c.layer >= table.layers.size() || !(c.azimuth_deg >= 0 && c.azimuth_deg < 360)) __builtin_trap();
        }
    } catch (const phusong::Error&) {
        // bad input, reported: fine
    }
    return 0;
}
