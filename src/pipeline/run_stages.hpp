#pragma once
// What `run` and `merge` share: every stage after the checks, with the layers either predicted
// (run) or read from the shards of a sharded run (merge), so that both write the same folder.

#include <functional>
#include <nlohmann/json.hpp>
#include <span>

#include "phusong/core/manifest.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/pipeline/stages.hpp"
#include "phusong/sites/placement.hpp"

namespace phusong::pipeline {

/// Hands every layer of the site table, in SiteTable::layers order, on the whole grid of `g`, to
/// `on_layer`; returns what the manifest records of the prediction.
using LayerSource = std::function<coverage::PredictionStats(
    const geo::GridInputs& g, std::span<const sites::SitePlacement> placements,
    const std::function<void(coverage::LayerResult&&)>& on_layer)>;

struct RunStagesOptions {
    LayerSource layers;
    int threads = 0;                  ///< recorded in the manifest
    nlohmann::ordered_json shards;    ///< the manifest's "shards" section (merge); null: none
};

/// The grid, the layers (from `options.layers`), their outputs, the analysis, the plan when
/// enabled, the project and the report, written into `out` (opened here, committed at the end).
/// The checks are the caller's, made before.
[[nodiscard]] RunSummary run_stages(const Prepared& prepared, io::OutputDir& out, Manifest& manifest,
                                    const RunStagesOptions& options);

}  // namespace phusong::pipeline
