#pragma once
/// The analysis stage's settings ([analysis] in the scenario). README "Scenario format" documents
/// every key; each default lives here and only here.

namespace phusong {

class TomlTableReader;

struct AnalysisConfig {};

/// Reads [analysis] (src/core/scenario_analysis.cpp), adding every problem to the reader.
void read_analysis(TomlTableReader r, AnalysisConfig& out);

}  // namespace phusong
