#include "option_table.hpp"
#include "phusong/core/plan_config.hpp"
#include "phusong/core/toml_reader.hpp"

namespace phusong {

void read_plan(TomlTableReader r, PlanConfig& p) {
    options::read_options(r, p);
    r.finish();
    if (!p.upgrades && !p.greenfield) {
        r.problem("greenfield", "upgrades and greenfield are both false: the plan has no candidates");
    }
}

}  // namespace phusong
