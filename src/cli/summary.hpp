#pragma once
// What the commands print when a stage has finished: the summaries docs/commands/*.md show.

#include "phusong/pipeline/stages.hpp"

namespace phusong::cli {

void print_run_summary(const pipeline::RunSummary& s);
void print_analyse_summary(const pipeline::AnalyseSummary& s);
void print_plan_summary(const pipeline::PlanSummary& s);
void print_calibrate_summary(const pipeline::CalibrateSummary& s);

}  // namespace phusong::cli
