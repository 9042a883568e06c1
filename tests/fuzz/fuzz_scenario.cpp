// libFuzzer target: arbitrary bytes as a scenario file (TOML), in a folder holding the tiny
// fixture's inputs so that valid scenarios get past the file checks. An InputError is the expected
// answer to bad bytes; a crash, a sanitizer report, or any other exception is a finding.

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "fuzz_util.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/scenario.hpp"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    namespace fs = std::filesystem;
    for (const auto& e : fs::directory_iterator(fs::path(PHUSONG_TEST_DATA_DIR) / "tiny")) {
        fs::copy_file(e.path(), phusong::fuzz::scratch_dir() / e.path().filename(),
                      fs::copy_options::overwrite_existing);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = phusong::fuzz::write_input("scenario.toml", data, size);
    try {
        const phusong::Scenario s = phusong::load_scenario(path);
        if (s.config_hash.size() != 64) __builtin_trap();
    } catch (const phusong::Error&) {
        // bad input, reported: fine
    }
    return 0;
}
