#include <doctest/doctest.h>

#include "phusong/planning/ilp.hpp"

using namespace phusong;
using namespace phusong::planning;

TEST_CASE("the ILP merges demand cells covered by the same candidates into one row") {
    // Cells 0..5; A = {0,1,2,3}, B = {0,1,4}, C = {2,3,5}; cell 6 has people but no candidate and
    // cell 7 no people: neither gets a row. Groups: {A,B}: 0,1; {A,C}: 2,3; {B}: 4; {C}: 5.
    CoverageProblem p;
    p.demand = {1, 2, 1, 1, 1, 1, 5, 0};
    p.covers = {{0, 1, 2, 3}, {0, 1, 4, 7}, {2, 3, 5}};
    p.cost = {1, 1, 1};
    p.conflicts = {{2}, {}, {0}};
    IlpOptions o;
    o.budget = 2;
    const IlpResult r = solve_max_coverage(p, o);
    CHECK(r.demand_groups == 4);
    CHECK(r.columns == 3 + 4);
    CHECK(r.rows == 4 + 1 + 1);  // groups, budget, one conflicting pair
    CHECK(r.status == IlpStatus::optimal);
    // A + B = 6, A + C is forbidden, B + C = 7.
    CHECK(r.objective == doctest::Approx(7));
    CHECK(r.chosen == std::vector<std::uint32_t>{1, 2});
    CHECK(r.bound == doctest::Approx(r.objective));
    CHECK(to_string(r.status) == "optimal");
}

TEST_CASE("a budget below every candidate's cost chooses nothing") {
    CoverageProblem p;
    p.demand = {3, 4};
    p.covers = {{0}, {1}};
    p.cost = {2, 5};
    p.conflicts.resize(2);
    IlpOptions o;
    o.budget_kind = PlanBudgetKind::cost;
    o.budget = 1;
    const IlpResult r = solve_max_coverage(p, o);
    CHECK(r.status == IlpStatus::optimal);
    CHECK(r.objective == 0);
    CHECK(r.chosen.empty());
    o.budget = 5;
    CHECK(solve_max_coverage(p, o).chosen == std::vector<std::uint32_t>{1});
}
