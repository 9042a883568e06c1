#pragma once
/// The outputs of `phusong calibrate` (docs/outputs.md "Calibration"): the calibrated scenario,
/// calibration.json, the tables per cell, distance and clutter class, the observations, the
/// plots and calibration.html.

#include <filesystem>
#include <string>
#include <vector>

#include "phusong/calibration/calibration.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::io {

struct CalibrationFile {
    std::string path;         ///< relative to the output folder
    std::string description;
};

struct CalibrationInputs {
    const Scenario& scenario;
    const sites::SiteTable& table;
    const calibration::Observations& observations;
    const calibration::Calibration& result;
    std::filesystem::path measurements;  ///< the measurement table as given
};

/// Writes every calibration output into `dir`; returns them with their descriptions.
std::vector<CalibrationFile> write_calibration(const std::filesystem::path& dir, const CalibrationInputs& in);

/// The scenario file with the calibrated models in place: a per-layer SPM override for every
/// measured layer, the clutter losses, the antenna weight when fitted and the shadowing σ; input
/// paths made absolute so that it runs from wherever it is. TOML text.
[[nodiscard]] std::string calibrated_scenario(const CalibrationInputs& in);

}  // namespace phusong::io
