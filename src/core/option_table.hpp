#pragma once
/// The scenario reader's side of the option table (src/core/option_table.cpp): for each struct a
/// scenario table fills, `read_options` reads every key the table lists for it — type check,
/// registration as a known key (for "did you mean"), range or choice check — leaving absent keys
/// at their struct defaults. Callers add the sub-tables, `finish()` and the cross-key checks.

#include <optional>

#include "phusong/core/scenario.hpp"
#include "phusong/core/toml_reader.hpp"

namespace phusong::options {

/// [analysis.census.units.<name>]: one admin unit's census total (CensusConfig::unit_totals).
struct CensusUnit {
    std::optional<double> total;  ///< people; required (the reader says so when absent)
};

/// [scenario]: the scenario's name.
struct ScenarioMeta {
    std::string name;  ///< Scenario::name; empty: the file's stem
};

void read_options(TomlTableReader& r, ScenarioMeta& out);
void read_options(TomlTableReader& r, InputsConfig& out);
/// [inputs.site_columns] and [inputs.site_units].
void read_options(TomlTableReader& r, SiteColumns& out);
void read_options(TomlTableReader& r, SiteUnits& out);
void read_options(TomlTableReader& r, GridConfig& out);
/// [prediction]'s own keys (not the model keys, which read_options(…, ModelConfig&) reads).
void read_options(TomlTableReader& r, PredictionConfig& out);
/// The model keys of [prediction], [prediction.band.<name>] and [prediction.layer.<name>].
void read_options(TomlTableReader& r, radio::ModelConfig& out);
/// Their [….spm] table.
void read_options(TomlTableReader& r, radio::SpmCoefficients& out);
/// Their [….itm] table.
void read_options(TomlTableReader& r, radio::itm::Params& out);
/// [antennas.<name>]: the pattern file (the parameters: SectorPatternParams).
void read_options(TomlTableReader& r, AntennaSpec& out);
void read_options(TomlTableReader& r, radio::SectorPatternParams& out);
void read_options(TomlTableReader& r, AnalysisConfig& out);
void read_options(TomlTableReader& r, ClassThresholds& out);
void read_options(TomlTableReader& r, CensusConfig& out);
void read_options(TomlTableReader& r, CensusUnit& out);
void read_options(TomlTableReader& r, PlanConfig& out);
void read_options(TomlTableReader& r, ReportConfig& out);
void read_options(TomlTableReader& r, ClutterClass& out);
void read_options(TomlTableReader& r, CalibrationConfig& out);

}  // namespace phusong::options
