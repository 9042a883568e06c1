#include "phusong/core/analysis_config.hpp"

#include "phusong/core/toml_reader.hpp"

namespace phusong {

void read_analysis(TomlTableReader r, AnalysisConfig& /*out*/) { r.finish(); }

}  // namespace phusong
