#pragma once
/// The planning stage's settings ([plan] in the scenario). README "Scenario format" documents
/// every key; each default lives here and only here.

namespace phusong {

class TomlTableReader;

struct PlanConfig {};

/// Reads [plan] (src/core/scenario_plan.cpp), adding every problem to the reader.
void read_plan(TomlTableReader r, PlanConfig& out);

}  // namespace phusong
