// libFuzzer target: arbitrary bytes as a CSV measurement table (phusong calibrate). An InputError is
// the expected answer to bad bytes; a crash, a sanitizer report, or any other exception is a finding.

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "fuzz_util.hpp"
#include "phusong/calibration/calibration.hpp"
#include "phusong/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = phusong::fuzz::write_input("drive.csv", data, size);
    try {
        const auto table = phusong::calibration::read_measurements(path, std::nullopt);
        // Invariants of an accepted table: every point has a cell, a finite position and signal.
        for (const auto& m : table.points) {
            if (m.cell_id.empty() || !std::isfinite(m.x) || !std::isfinite(m.y) || !std::isfinite(m.signal_dbm)) {
                __builtin_trap();
            }
        }
    } catch (const phusong::Error&) {
        // bad input, reported: fine
    }
    return 0;
}
