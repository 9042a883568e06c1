#pragma once
// Paths of the reference data in ../shared/anchors, injected by CMake (tests/CMakeLists.txt).
#include <filesystem>

namespace phusong::test {
inline std::filesystem::path anchors_dir() { return PHUSONG_ANCHORS_DIR; }
}  // namespace phusong::test
