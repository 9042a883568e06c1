#pragma once
// The problems load_scenario reports for a file, as one string ("" when it loads): shared by the
// scenario and option-table tests.
#include <filesystem>
#include <string>

#include "phusong/core/error.hpp"
#include "phusong/core/scenario.hpp"

namespace phusong::test {

inline std::string problems_of(const std::filesystem::path& file) {
    try {
        (void)load_scenario(file);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace phusong::test
