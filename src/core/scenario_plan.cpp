#include "phusong/core/plan_config.hpp"

#include "phusong/core/toml_reader.hpp"

namespace phusong {

void read_plan(TomlTableReader r, PlanConfig& /*out*/) { r.finish(); }

}  // namespace phusong
