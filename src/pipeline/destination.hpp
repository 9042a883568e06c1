#pragma once
// Where a command may write: never onto or among its inputs (run, calibrate).

#include <filesystem>
#include <vector>

#include "phusong/core/scenario.hpp"

namespace phusong::pipeline {

/// Whether `inner` is `outer` or lies inside it, component by component (both canonical).
[[nodiscard]] bool is_within(const std::filesystem::path& outer, const std::filesystem::path& inner);

/// Outputs can never touch inputs: UsageError (exit 2), before any work, when the output folder
/// (symbolic links resolved) is the current folder or contains it, is or contains the folder of
/// an input (the scenario's and `more_inputs`), or lies inside one; and when --overwrite would
/// replace a folder that no phusong command made (no manifest.json of ours in it).
void check_destination(const std::filesystem::path& dest, bool overwrite, const Scenario& s,
                       const std::vector<std::filesystem::path>& more_inputs = {});

}  // namespace phusong::pipeline
