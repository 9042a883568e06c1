#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "phusong/core/error.hpp"
#include "phusong/planning/ilp.hpp"
#include "phusong/planning/lagrangian.hpp"
#include "phusong/planning/selection.hpp"

using namespace phusong;
using namespace phusong::planning;

namespace {

// A random instance: n candidates on a line of m cells, each covering a run with holes, integer
// weights 0..9, random costs 1..3, and conflicts between candidates whose runs start close.
CoverageProblem random_problem(std::mt19937& rng, std::uint32_t n, std::uint32_t m, bool spacing) {
    CoverageProblem p;
    std::uniform_int_distribution<int> w(0, 9);
    for (std::uint32_t j = 0; j < m; ++j) p.demand.push_back(w(rng));
    std::uniform_int_distribution<std::uint32_t> start(0, m - 1);
    std::uniform_int_distribution<std::uint32_t> len(1, m / 3);
    std::uniform_int_distribution<int> cost(1, 3);
    std::vector<std::uint32_t> starts;
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t s = start(rng);
        const std::uint32_t l = len(rng);
        std::vector<std::uint32_t> c;
        for (std::uint32_t k = 0; k < l; ++k) {
            if (k % 4 != 3) c.push_back((s + k) % m);
        }
        std::sort(c.begin(), c.end());
        p.covers.push_back(std::move(c));
        p.cost.push_back(cost(rng));
        starts.push_back(s);
    }
    p.conflicts.resize(n);
    if (spacing) {
        for (std::uint32_t i = 0; i < n; ++i) {
            for (std::uint32_t j = 0; j < n; ++j) {
                if (i != j && (starts[i] > starts[j] ? starts[i] - starts[j] : starts[j] - starts[i]) < 2) {
                    p.conflicts[i].push_back(j);
                }
            }
        }
    }
    return p;
}

bool feasible(const CoverageProblem& p, std::uint32_t mask, PlanBudgetKind kind, double budget) {
    double used = 0;
    for (std::uint32_t i = 0; i < p.covers.size(); ++i) {
        if ((mask & (1u << i)) == 0) continue;
        used += kind == PlanBudgetKind::sites ? 1.0 : p.cost[i];
        for (const std::uint32_t j : p.conflicts[i]) {
            if ((mask & (1u << j)) != 0) return false;
        }
    }
    return used <= budget + 1e-9;
}

std::vector<std::uint32_t> members(std::uint32_t mask, std::size_t n) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < n; ++i) {
        if ((mask & (1u << i)) != 0) out.push_back(i);
    }
    return out;
}

// Exhaustive search: the optimum and every optimal choice (as bit masks).
struct Exhaustive {
    double optimum = 0;
    std::vector<std::uint32_t> optimal;
};
Exhaustive exhaustive(const CoverageProblem& p, PlanBudgetKind kind, double budget) {
    Exhaustive e;
    const std::size_t n = p.covers.size();
    std::vector<double> value(1u << n, -1);
    for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
        if (!feasible(p, mask, kind, budget)) continue;
        value[mask] = covered_weight(p, members(mask, n));
        e.optimum = std::max(e.optimum, value[mask]);
    }
    for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
        if (value[mask] >= e.optimum - 1e-9) e.optimal.push_back(mask);
    }
    return e;
}

/// Greedy's choice under the budget: the starting solution the plan hands to the bound.
std::vector<std::uint32_t> greedy_start(const CoverageProblem& p, PlanBudgetKind kind, double budget) {
    GreedyOptions go;
    go.budget_kind = kind;
    go.budget = budget;
    std::vector<std::uint32_t> start;
    for (const auto& pick : greedy_select(p, go).ranking) start.push_back(pick.candidate);
    return start;
}

}  // namespace

TEST_CASE("demand groups: cells with the same allowed candidates merge; both index directions agree") {
    CoverageProblem p;
    p.demand = {1, 2, 1, 1, 1, 1, 5, 0};
    p.covers = {{0, 1, 2, 3}, {0, 1, 4, 7}, {2, 3, 5}};
    p.cost = {1, 1, 1};
    p.conflicts.resize(3);
    const DemandGroups all = demand_groups(p);
    // {A,B}: 0,1 (3); {A,C}: 2,3 (2); {B}: 4 (1); {C}: 5 (1). Cell 6 has no candidate, 7 no people.
    CHECK(all.size() == 4);
    CHECK(all.weight == std::vector<double>{3, 2, 1, 1});
    for (std::uint32_t g = 0; g < all.size(); ++g) {
        for (std::uint32_t k = all.group_start[g]; k < all.group_start[g + 1]; ++k) {
            const std::uint32_t i = all.cands[k];
            CHECK(std::binary_search(all.groups.begin() + all.cand_start[i], all.groups.begin() + all.cand_start[i + 1], g));
        }
    }
    // Without B: 0,1 are covered by A alone, 2,3 by A and C, 5 by C; 4 drops out.
    const std::vector<std::uint8_t> allowed = {1, 0, 1};
    const DemandGroups some = demand_groups(p, allowed);
    CHECK(some.size() == 3);  // {A}: 0,1; {A,C}: 2,3; {C}: 5
    CHECK(some.weight == std::vector<double>{3, 2, 1});
    CHECK(some.cand_start[2] == some.cand_start[1]);  // B has no group
}

TEST_CASE("the Lagrangian bound lies between the exhaustive optimum and the trivial bound") {
    std::mt19937 rng(20251123);
    for (int trial = 0; trial < 60; ++trial) {
        const bool spacing = trial % 2 == 1;
        const PlanBudgetKind kind = trial % 3 == 2 ? PlanBudgetKind::cost : PlanBudgetKind::sites;
        const auto p = random_problem(rng, 10, 60, spacing);
        const double budget = kind == PlanBudgetKind::sites ? 1 + trial % 4 : 2 + trial % 5;
        const Exhaustive e = exhaustive(p, kind, budget);
        const std::vector<std::uint32_t> start = greedy_start(p, kind, budget);
        LagrangianOptions lo;
        lo.budget_kind = kind;
        lo.budget = budget;
        lo.start = start;
        const LagrangianResult r = lagrangian_bound(p, lo);
        CAPTURE(trial);
        CHECK(r.bound >= e.optimum - 1e-6);
        CHECK(r.bound <= r.trivial_bound + 1e-6);
        // The trivial bound: the budget's best own weights (sites), or at most their sum.
        double own = 0;
        for (std::uint32_t i = 0; i < p.covers.size(); ++i) own += covered_weight(p, std::vector<std::uint32_t>{i});
        CHECK(r.trivial_bound <= own + 1e-6);
        // The best solution is feasible and no better than the optimum, no worse than the start.
        std::uint32_t mask = 0;
        for (const std::uint32_t i : r.best) mask |= 1u << i;
        CHECK(feasible(p, mask, kind, budget));
        CHECK(r.best_value == doctest::Approx(covered_weight(p, r.best)));
        CHECK(r.best_value <= e.optimum + 1e-9);
        CHECK(r.best_value >= covered_weight(p, start) - 1e-9);
    }
}

TEST_CASE("Lagrangian fixing never removes a candidate of an optimal choice; the reduced ILP keeps the optimum") {
    std::mt19937 rng(5);
    std::size_t fixed_total = 0;
    for (int trial = 0; trial < 60; ++trial) {
        const bool spacing = trial % 2 == 0;
        const PlanBudgetKind kind = trial % 3 == 1 ? PlanBudgetKind::cost : PlanBudgetKind::sites;
        const auto p = random_problem(rng, 12, 80, spacing);
        const double budget = kind == PlanBudgetKind::sites ? 2 + trial % 3 : 3 + trial % 4;
        const Exhaustive e = exhaustive(p, kind, budget);
        const std::vector<std::uint32_t> start = greedy_start(p, kind, budget);
        LagrangianOptions lo;
        lo.budget_kind = kind;
        lo.budget = budget;
        lo.start = improve_by_swaps(p, start, kind, budget).chosen;
        const LagrangianResult r = lagrangian_bound(p, lo);
        CAPTURE(trial);
        for (const std::uint32_t mask : e.optimal) {
            for (const std::uint32_t i : members(mask, p.covers.size())) CHECK(r.fixed_out[i] == 0);
        }
        fixed_total += r.fixed_count;
        IlpOptions io;
        io.budget_kind = kind;
        io.budget = budget;
        io.warm_start = r.best;
        io.fixed_out = r.fixed_out;
        const IlpResult ilp = solve_max_coverage(p, io);
        CHECK(ilp.status == IlpStatus::optimal);
        CHECK(ilp.objective == doctest::Approx(e.optimum));
        REQUIRE(ilp.bound);
        CHECK(*ilp.bound == doctest::Approx(e.optimum));
        CHECK(ilp.candidate_columns == p.covers.size() - r.fixed_count);
    }
    CHECK(fixed_total > 0);  // the test exercises the fixing
}

TEST_CASE("the Lagrangian bound proves greedy optimal on a disjoint instance and fixes the rest out") {
    // Three disjoint candidates of weights 5, 3, 1 and a fourth inside the first: with 2 sites
    // greedy's {0, 1} = 8 is optimal, and UB(u) reaches 8.
    CoverageProblem p;
    p.demand = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    p.covers = {{0, 1, 2, 3, 4}, {5, 6, 7}, {8}, {0, 1}};
    p.cost = {1, 1, 1, 1};
    p.conflicts.resize(4);
    LagrangianOptions lo;
    lo.budget = 2;
    lo.start = {0, 1};
    const LagrangianResult r = lagrangian_bound(p, lo);
    CHECK(r.bound == doctest::Approx(8));
    CHECK(r.best_value == 8);
    CHECK(r.fixed_out == std::vector<std::uint8_t>{0, 0, 1, 1});
}

TEST_CASE("a start that is not a choice is an internal error") {
    CoverageProblem p;
    p.demand = {1, 1};
    p.covers = {{0}, {1}};
    p.cost = {1, 5};
    p.conflicts.resize(2);
    LagrangianOptions lo;
    lo.budget_kind = PlanBudgetKind::cost;
    lo.budget = 2;
    lo.start = {1};  // costs 5 > 2
    CHECK_THROWS_AS((void)lagrangian_bound(p, lo), InternalError);
    lo.start = {7};
    CHECK_THROWS_AS((void)lagrangian_bound(p, lo), InternalError);
}

TEST_CASE("swaps improve greedy on the textbook instance and keep budget and spacing on random ones") {
    // A = {0,1,2,3}, B = {0,1,4}, C = {2,3,5}: greedy {A, B} = 5, one swap gives {B, C} = 6.
    CoverageProblem t;
    t.demand = {1, 1, 1, 1, 1, 1};
    t.covers = {{0, 1, 2, 3}, {0, 1, 4}, {2, 3, 5}};
    t.cost = {1, 1, 1};
    t.conflicts.resize(3);
    const std::vector<std::uint32_t> greedy = {0, 1};
    const SwapResult s = improve_by_swaps(t, greedy, PlanBudgetKind::sites, 2);
    CHECK(s.chosen == std::vector<std::uint32_t>{1, 2});
    CHECK(s.value == 6);
    CHECK(s.moves == 1);

    std::mt19937 rng(77);
    for (int trial = 0; trial < 40; ++trial) {
        const PlanBudgetKind kind = trial % 2 == 0 ? PlanBudgetKind::sites : PlanBudgetKind::cost;
        const auto p = random_problem(rng, 12, 80, true);
        const double budget = kind == PlanBudgetKind::sites ? 3 : 5;
        const std::vector<std::uint32_t> start = greedy_start(p, kind, budget);
        const SwapResult r = improve_by_swaps(p, start, kind, budget);
        std::uint32_t mask = 0;
        for (const std::uint32_t i : r.chosen) mask |= 1u << i;
        CAPTURE(trial);
        CHECK(feasible(p, mask, kind, budget));
        CHECK(r.value >= covered_weight(p, start) - 1e-9);
        CHECK(r.value <= exhaustive(p, kind, budget).optimum + 1e-9);
    }
}
