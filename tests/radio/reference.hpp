#pragma once
// The propagation reference data in tests/reference (sources and licences in its README.md),
// its path injected by CMake (tests/CMakeLists.txt).
#include <filesystem>

namespace phusong::test {
inline std::filesystem::path reference_dir() { return PHUSONG_REFERENCE_DIR; }
}  // namespace phusong::test
