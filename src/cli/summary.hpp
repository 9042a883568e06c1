#pragma once
// What the commands print when a stage has finished: the summaries docs/commands/*.md show.

#include "phusong/pipeline/stages.hpp"

namespace phusong::cli {

void print_run_summary(const pipeline::RunSummary& s);
void print_analyse_summary(const pipeline::AnalyseSummary& s);
void print_plan_summary(const pipeline::PlanSummary& s);
void print_calibrate_summary(const pipeline::CalibrateSummary& s);
/// The plan and the sbatch commands to run it.
void print_shard_summary(const pipeline::ShardSummary& s);
void print_shard_run_summary(const pipeline::ShardRunSummary& s);

}  // namespace phusong::cli
