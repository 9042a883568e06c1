#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "phusong/core/error.hpp"
#include "phusong/planning/ilp.hpp"
#include "phusong/planning/selection.hpp"

using namespace phusong;
using namespace phusong::planning;

namespace {

CoverageProblem make_problem(std::vector<double> demand, std::vector<std::vector<std::uint32_t>> covers,
                             std::vector<double> cost = {}) {
    CoverageProblem p;
    p.demand = std::move(demand);
    p.covers = std::move(covers);
    p.cost = cost.empty() ? std::vector<double>(p.covers.size(), 1.0) : std::move(cost);
    p.conflicts.resize(p.covers.size());
    return p;
}

std::vector<std::uint32_t> picks(const GreedyResult& r) {
    std::vector<std::uint32_t> out;
    for (const auto& p : r.ranking) out.push_back(p.candidate);
    return out;
}

GreedyOptions sites_budget(double k, bool lazy = true) {
    GreedyOptions o;
    o.budget = k;
    o.lazy = lazy;
    return o;
}

// A random instance: n candidates, m cells with integer weights 0..9, each candidate covering a
// random disc-like run of cells.
CoverageProblem random_problem(std::mt19937& rng, std::uint32_t n, std::uint32_t m) {
    CoverageProblem p;
    std::uniform_int_distribution<int> w(0, 9);
    for (std::uint32_t j = 0; j < m; ++j) p.demand.push_back(w(rng));
    std::uniform_int_distribution<std::uint32_t> start(0, m - 1);
    std::uniform_int_distribution<std::uint32_t> len(1, m / 4);
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t s = start(rng);
        const std::uint32_t l = len(rng);
        std::vector<std::uint32_t> c;
        for (std::uint32_t k = 0; k < l; ++k) {
            if (k % 3 != 2) c.push_back((s + k) % m);  // holes make the sets overlap unevenly
        }
        std::sort(c.begin(), c.end());
        p.covers.push_back(std::move(c));
    }
    p.cost.assign(n, 1.0);
    p.conflicts.resize(n);
    return p;
}

// Exhaustive optimum over every subset of at most k candidates (respecting conflicts).
double brute_force(const CoverageProblem& p, std::size_t k) {
    const std::size_t n = p.covers.size();
    double best = 0;
    for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
        if (static_cast<std::size_t>(__builtin_popcount(mask)) > k) continue;
        std::vector<std::uint32_t> chosen;
        bool ok = true;
        for (std::uint32_t i = 0; i < n && ok; ++i) {
            if ((mask & (1u << i)) == 0) continue;
            for (const std::uint32_t j : p.conflicts[i]) ok = ok && (mask & (1u << j)) == 0;
            chosen.push_back(i);
        }
        if (ok) best = std::max(best, covered_weight(p, chosen));
    }
    return best;
}

}  // namespace

TEST_CASE("greedy is not optimal on the textbook instance; the ILP finds the optimum") {
    // Cells 0..5, weight 1. A = {0,1,2,3}, B = {0,1,4}, C = {2,3,5}. With 2 sites greedy takes A
    // (4) then B (1, tie with C broken by index): 5. B + C covers all 6.
    const auto p = make_problem({1, 1, 1, 1, 1, 1}, {{0, 1, 2, 3}, {0, 1, 4}, {2, 3, 5}});
    const auto g = greedy_select(p, sites_budget(2));
    CHECK(picks(g) == std::vector<std::uint32_t>{0, 1});
    CHECK(g.ranking[0].marginal == 4);
    CHECK(g.ranking[1].marginal == 1);
    CHECK(g.ranking[1].cumulative == 5);

    IlpOptions o;
    o.budget = 2;
    const auto ilp = solve_max_coverage(p, o);
    CHECK(ilp.status == IlpStatus::optimal);
    CHECK(ilp.objective == doctest::Approx(6));
    CHECK(ilp.chosen == std::vector<std::uint32_t>{1, 2});
    // Nemhauser, Wolsey & Fisher (1978): greedy ≥ (1 − (1 − 1/k)^k) OPT = 0.75 OPT for k = 2.
    CHECK(5.0 / ilp.objective >= 0.75);
}

TEST_CASE("an instance where lazy (CELF) and plain greedy agree with each other and with the optimum") {
    // Weights 5, 1, 4, 3. Candidates {0,1} = 6, {1,2} = 5, {3} = 3, {0} = 5. Greedy: {0,1}, then
    // {1,2} gains 4 > {3} gains 3: covered 10 with 2 sites, the optimum (brute force: 10).
    const auto p = make_problem({5, 1, 4, 3}, {{0, 1}, {1, 2}, {3}, {0}});
    const auto lazy = greedy_select(p, sites_budget(2, true));
    const auto plain = greedy_select(p, sites_budget(2, false));
    CHECK(picks(lazy) == std::vector<std::uint32_t>{0, 1});
    CHECK(picks(plain) == picks(lazy));
    CHECK(lazy.ranking.back().cumulative == 10);
    CHECK(brute_force(p, 2) == 10);
    IlpOptions o;
    o.budget = 2;
    CHECK(solve_max_coverage(p, o).objective == doctest::Approx(10));
    // Without a budget both run until nothing is left to gain: {2} gains 3, {3} gains nothing.
    const auto all = greedy_select(p, GreedyOptions{});
    CHECK(picks(all) == std::vector<std::uint32_t>{0, 1, 2});
    CHECK(all.ranking.back().cumulative == 13);
}

TEST_CASE("CELF gives the same ranking as plain greedy with fewer evaluations") {
    std::mt19937 rng(20240917);
    for (int trial = 0; trial < 20; ++trial) {
        const auto p = random_problem(rng, 60, 400);
        const auto lazy = greedy_select(p, GreedyOptions{});
        GreedyOptions plain_options;
        plain_options.lazy = false;
        const auto plain = greedy_select(p, plain_options);
        REQUIRE(picks(lazy) == picks(plain));
        for (std::size_t k = 0; k < lazy.ranking.size(); ++k) {
            CHECK(lazy.ranking[k].marginal == plain.ranking[k].marginal);
            if (k > 0) CHECK(lazy.ranking[k].marginal <= lazy.ranking[k - 1].marginal);  // submodular
        }
        CHECK(lazy.evaluations < plain.evaluations);
    }
}

TEST_CASE("spacing forbids the best pair") {
    // Candidates 0 and 1, 100 m apart, each cover 3 people; 2, 5 km away, covers 2. Without
    // spacing the best pair is {0,1} = 6; with 300 m spacing it is {0,2} = 5.
    auto p = make_problem({1, 1, 1, 1, 1, 1, 1, 1}, {{0, 1, 2}, {3, 4, 5}, {6, 7}});
    const std::vector<std::array<double, 2>> xy = {{0, 0}, {100, 0}, {5000, 0}};
    CHECK(greedy_select(p, sites_budget(2)).ranking.back().cumulative == 6);
    IlpOptions o;
    o.budget = 2;
    CHECK(solve_max_coverage(p, o).objective == doctest::Approx(6));

    p.conflicts = spacing_conflicts(xy, 300);
    CHECK(p.conflicts[0] == std::vector<std::uint32_t>{1});
    CHECK(p.conflicts[1] == std::vector<std::uint32_t>{0});
    CHECK(p.conflicts[2].empty());
    const auto g = greedy_select(p, sites_budget(2));
    CHECK(picks(g) == std::vector<std::uint32_t>{0, 2});
    CHECK(g.ranking.back().cumulative == 5);
    const auto ilp = solve_max_coverage(p, o);
    CHECK(ilp.status == IlpStatus::optimal);
    CHECK(ilp.objective == doctest::Approx(5));
    CHECK(brute_force(p, 2) == 5);
}

TEST_CASE("spacing conflicts: strict distance, symmetric, across bucket edges") {
    const std::vector<std::array<double, 2>> xy = {{0, 0}, {299.9, 0}, {599.8, 0}, {0, 300}, {-0.1, -0.1}};
    const auto c = spacing_conflicts(xy, 300);
    CHECK(c[0] == std::vector<std::uint32_t>{1, 4});
    CHECK(c[1] == std::vector<std::uint32_t>{0, 2});  // 4 is 300.00002 m away
    CHECK(c[2] == std::vector<std::uint32_t>{1});
    CHECK(c[3].empty());  // exactly 300 m from 0: allowed
    CHECK(spacing_conflicts(xy, 0)[0].empty());
}

TEST_CASE("a cost budget ranks by gain per cost and never exceeds the budget") {
    // 0: cost 3, covers 6; 1: cost 1, covers 3; 2: cost 1, covers 2 (disjoint).
    const auto p = make_problem({1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
                                {{0, 1, 2, 3, 4, 5}, {6, 7, 8}, {9, 10}}, {3, 1, 1});
    GreedyOptions o;
    o.budget_kind = PlanBudgetKind::cost;
    o.budget = 3;
    const auto g = greedy_select(p, o);
    CHECK(picks(g) == std::vector<std::uint32_t>{1, 2});  // ratios 3, 2; then 0 no longer fits
    CHECK(g.ranking.back().cumulative_cost == 2);
    CHECK(g.ranking.back().cumulative == 5);
    IlpOptions io;
    io.budget_kind = PlanBudgetKind::cost;
    io.budget = 3;
    const auto ilp = solve_max_coverage(p, io);
    CHECK(ilp.objective == doctest::Approx(6));
    CHECK(ilp.chosen == std::vector<std::uint32_t>{0});
    io.budget = 2;
    CHECK(solve_max_coverage(p, io).objective == doctest::Approx(5));
}

TEST_CASE("the ranking stops at the target and breaks ties by candidate index") {
    const auto p = make_problem({2, 2, 1, 1}, {{2}, {0}, {1}, {0}, {3}});
    GreedyOptions o;
    o.target_value = 4;
    const auto g = greedy_select(p, o);
    CHECK(picks(g) == std::vector<std::uint32_t>{1, 2});  // 1 and 3 tie on cell 0: 1 first
    const auto all = greedy_select(p, GreedyOptions{});
    CHECK(picks(all) == std::vector<std::uint32_t>{1, 2, 0, 4});  // 3 gains nothing after 1
}

TEST_CASE("the ILP matches exhaustive search on random instances, with and without spacing") {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 12; ++trial) {
        auto p = random_problem(rng, 12, 60);
        if (trial % 2 == 1) {
            std::vector<std::array<double, 2>> xy;
            std::uniform_real_distribution<double> u(0, 1000);
            for (std::size_t i = 0; i < p.covers.size(); ++i) xy.push_back({u(rng), u(rng)});
            p.conflicts = spacing_conflicts(xy, 250);
        }
        for (const std::size_t k : {1, 3, 5}) {
            IlpOptions o;
            o.budget = static_cast<double>(k);
            const auto g = greedy_select(p, sites_budget(static_cast<double>(k)));
            for (const auto& r : g.ranking) o.warm_start.push_back(r.candidate);
            const auto ilp = solve_max_coverage(p, o);
            const double opt = brute_force(p, k);
            CHECK(ilp.status == IlpStatus::optimal);
            CHECK(ilp.objective == doctest::Approx(opt));
            CHECK(ilp.chosen.size() <= k);
            CHECK((g.ranking.empty() ? 0.0 : g.ranking.back().cumulative) <= opt + 1e-9);
        }
    }
}

TEST_CASE("malformed problems are internal errors") {
    auto p = make_problem({1, 1}, {{1, 0}});
    CHECK_THROWS_AS((void)greedy_select(p, GreedyOptions{}), InternalError);
    p = make_problem({1, 1}, {{0}, {1}});
    p.conflicts[0] = {1};  // not symmetric
    CHECK_THROWS_AS((void)greedy_select(p, GreedyOptions{}), InternalError);
    p = make_problem({1, 1}, {{0}}, {0.0});
    CHECK_THROWS_AS((void)greedy_select(p, GreedyOptions{}), InternalError);
}

TEST_CASE("the online bound is an upper bound, tight on the textbook instance") {
    // After greedy's {A, B} (5), the largest marginal gains are C: 1 and A, B: 0 → bound 5 + 1 + 0 = 6.
    const auto p = make_problem({1, 1, 1, 1, 1, 1}, {{0, 1, 2, 3}, {0, 1, 4}, {2, 3, 5}});
    const std::vector<std::uint32_t> s = {0, 1};
    CHECK(online_bound(p, s, PlanBudgetKind::sites, 2) == 6);
    std::mt19937 rng(11);
    for (int trial = 0; trial < 10; ++trial) {
        const auto q = random_problem(rng, 12, 60);
        const auto g = greedy_select(q, sites_budget(3));
        std::vector<std::uint32_t> chosen;
        for (const auto& r : g.ranking) chosen.push_back(r.candidate);
        CHECK(online_bound(q, chosen, PlanBudgetKind::sites, 3) >= brute_force(q, 3) - 1e-9);
    }
}

TEST_CASE("the online bound with a cost budget: the fractional knapsack of the marginal gains") {
    // Nothing chosen: gains 6 (cost 3), 3 (cost 1), 2 (cost 1). Budget 3: ratios 3, 2, 2 → 3 + 2
    // + 1/3 of 6 = 7. Budget 3.5: 3 + 2 + 1.5/3 of 6 = 8. A candidate dearer than the budget never
    // counts: budget 2.5 → 3 + 2 = 5, the optimum (not 3 + 2 + 0.5/3 of 6).
    const auto p = make_problem({1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
                                {{0, 1, 2, 3, 4, 5}, {6, 7, 8}, {9, 10}}, {3, 1, 1});
    CHECK(online_bound(p, {}, PlanBudgetKind::cost, 3) == doctest::Approx(7));
    CHECK(online_bound(p, {}, PlanBudgetKind::cost, 3.5) == doctest::Approx(8));
    CHECK(online_bound(p, {}, PlanBudgetKind::cost, 2.5) == doctest::Approx(5));
    // After greedy's {1, 2} (5): only candidate 0 gains (6, cost 3) → 5 + 6 = 11 at budget 3.
    const std::vector<std::uint32_t> s = {1, 2};
    CHECK(online_bound(p, s, PlanBudgetKind::cost, 3) == doctest::Approx(11));
    // Random costs 1 or 2.5 (an upgrade and a new site): never below the exhaustive optimum.
    std::mt19937 rng(5);
    std::bernoulli_distribution new_site(0.5);
    for (int trial = 0; trial < 10; ++trial) {
        auto q = random_problem(rng, 12, 60);
        for (auto& c : q.cost) c = new_site(rng) ? 2.5 : 1.0;
        GreedyOptions o;
        o.budget_kind = PlanBudgetKind::cost;
        o.budget = 5;
        const auto g = greedy_select(q, o);
        std::vector<std::uint32_t> chosen;
        for (const auto& r : g.ranking) chosen.push_back(r.candidate);
        double best = 0;
        for (std::uint32_t mask = 0; mask < (1u << q.covers.size()); ++mask) {
            std::vector<std::uint32_t> set;
            double cost = 0;
            for (std::uint32_t i = 0; i < q.covers.size(); ++i) {
                if ((mask & (1u << i)) != 0) {
                    set.push_back(i);
                    cost += q.cost[i];
                }
            }
            if (cost <= 5 + 1e-9) best = std::max(best, covered_weight(q, set));
        }
        CHECK(online_bound(q, chosen, PlanBudgetKind::cost, 5) >= best - 1e-9);
        CHECK(g.ranking.back().cumulative <= best + 1e-9);
    }
}
