#include "phusong/planning/ilp.hpp"

#include <CbcHeuristic.hpp>
#include <CbcModel.hpp>
#include <CglClique.hpp>
#include <ClpSimplex.hpp>
#include <ClpSolve.hpp>
#include <CoinPackedMatrix.hpp>
#include <OsiClpSolverInterface.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>

#include "phusong/core/error.hpp"
#include "phusong/planning/lagrangian.hpp"

namespace phusong::planning {

std::string to_string(IlpStatus status) {
    switch (status) {
        case IlpStatus::optimal: return "optimal";
        case IlpStatus::time_limit: return "time_limit";
        case IlpStatus::within_gap: return "within_gap";
        case IlpStatus::root_time_limit: return "root_time_limit";
        case IlpStatus::failed: return "failed";
        case IlpStatus::not_needed: return "not_needed";
    }
    return "failed";
}

namespace {

// Below this, branch and bound is not started after the root LP (its set-up alone takes a while).
constexpr double kMinSearchSeconds = 1.0;

// Cliques covering every edge of the conflict graph among the kept candidates (`col` ≥ 0):
// each uncovered edge {i, j} grows a clique by the common neighbours of its members, in index
// order. Greedy, deterministic; pairs stay rows of their own when nothing extends them.
std::vector<std::vector<int>> spacing_cliques(const CoverageProblem& p, std::span<const int> col) {
    const std::size_t n = p.covers.size();
    std::vector<std::vector<std::uint32_t>> adj(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (col[i] < 0) continue;
        for (const std::uint32_t j : p.conflicts[i]) {
            if (col[j] >= 0) adj[i].push_back(j);
        }
    }
    auto adjacent = [&](std::uint32_t a, std::uint32_t b) { return std::ranges::binary_search(adj[a], b); };
    std::vector<std::vector<std::uint32_t>> covered(n);  // per i: covered neighbours j > i (sorted on use)
    auto is_covered = [&](std::uint32_t a, std::uint32_t b) {
        const auto& v = covered[std::min(a, b)];
        return std::find(v.begin(), v.end(), std::max(a, b)) != v.end();
    };
    std::vector<std::vector<int>> cliques;
    for (std::uint32_t i = 0; i < n; ++i) {
        for (const std::uint32_t j : adj[i]) {
            if (j <= i || is_covered(i, j)) continue;
            std::vector<std::uint32_t> clique = {i, j};
            for (const std::uint32_t v : adj[i]) {
                if (v == j) continue;
                if (std::ranges::all_of(clique, [&](std::uint32_t m) { return m == i || adjacent(m, v); })) {
                    clique.push_back(v);
                }
            }
            std::sort(clique.begin(), clique.end());
            std::vector<int> row;
            for (std::size_t a = 0; a < clique.size(); ++a) {
                row.push_back(col[clique[a]]);
                for (std::size_t b = a + 1; b < clique.size(); ++b) {
                    if (!is_covered(clique[a], clique[b])) covered[clique[a]].push_back(clique[b]);
                }
            }
            cliques.push_back(std::move(row));
        }
    }
    return cliques;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

IlpResult solve_max_coverage(const CoverageProblem& p, const IlpOptions& o) {
    check_problem(p);
    const auto t0 = std::chrono::steady_clock::now();
    IlpResult res;
    const std::size_t n = p.covers.size();
    if (!o.fixed_out.empty() && o.fixed_out.size() != n) {
        throw InternalError("IlpOptions::fixed_out has " + std::to_string(o.fixed_out.size()) + " entries for " +
                            std::to_string(n) + " candidates");
    }
    const bool sites = o.budget_kind == PlanBudgetKind::sites;
    const double capacity = sites ? std::floor(o.budget + 1e-9) : o.budget;
    // Kept candidates: not fixed out and within the budget alone. col[i]: their column, or −1.
    std::vector<std::uint8_t> allowed(n, 0);
    std::vector<int> col(n, -1);
    std::vector<std::uint32_t> cand_of;  // column → candidate
    for (std::uint32_t i = 0; i < n; ++i) {
        const double a = sites ? 1.0 : p.cost[i];
        if ((!o.fixed_out.empty() && o.fixed_out[i] != 0) || a > capacity * (1 + 1e-12)) continue;
        allowed[i] = 1;
        col[i] = static_cast<int>(cand_of.size());
        cand_of.push_back(i);
    }
    for (const std::uint32_t i : o.warm_start) {
        if (i >= n || col[i] < 0) throw InternalError("IlpOptions::warm_start uses a fixed-out candidate");
    }
    const DemandGroups groups = demand_groups(p, allowed);
    const int nx = static_cast<int>(cand_of.size());
    const int ng = static_cast<int>(groups.size());
    res.candidate_columns = cand_of.size();
    res.demand_groups = groups.size();
    res.columns = static_cast<std::size_t>(nx + ng);

    // Columns: x (kept candidates), then y (groups). CBC minimises: −Σ w y.
    std::vector<double> col_lb(res.columns, 0.0);
    std::vector<double> col_ub(res.columns, 1.0);
    std::vector<double> obj(res.columns, 0.0);
    for (int g = 0; g < ng; ++g) obj[nx + g] = -groups.weight[g];

    // Rows in compressed form, the matrix built once at the end (appending rows one by one to a
    // CoinPackedMatrix copies it each time).
    std::vector<CoinBigIndex> starts = {0};
    std::vector<int> idx;
    std::vector<double> val;
    std::vector<double> row_lb;
    std::vector<double> row_ub;
    auto add_row = [&](double ub) {
        starts.push_back(static_cast<CoinBigIndex>(idx.size()));
        row_lb.push_back(-COIN_DBL_MAX);
        row_ub.push_back(ub);
    };
    for (int g = 0; g < ng; ++g) {  // y_g − Σ x_i ≤ 0
        for (std::uint32_t k = groups.group_start[g]; k < groups.group_start[g + 1]; ++k) {
            idx.push_back(col[groups.cands[k]]);
            val.push_back(-1.0);
        }
        idx.push_back(nx + g);
        val.push_back(1.0);
        add_row(0.0);
    }
    for (int c = 0; c < nx; ++c) {  // the budget
        idx.push_back(c);
        val.push_back(sites ? 1.0 : p.cost[cand_of[c]]);
    }
    add_row(capacity);
    for (const auto& clique : spacing_cliques(p, col)) {  // spacing: Σ_{i ∈ K} x_i ≤ 1
        idx.insert(idx.end(), clique.begin(), clique.end());
        val.insert(val.end(), clique.size(), 1.0);
        add_row(1.0);
        ++res.spacing_rows;
    }
    res.rows = row_lb.size();
    std::vector<int> lengths(res.rows);
    for (std::size_t r = 0; r < res.rows; ++r) lengths[r] = static_cast<int>(starts[r + 1] - starts[r]);
    const CoinPackedMatrix matrix(false, static_cast<int>(res.columns), static_cast<int>(res.rows),
                                  static_cast<CoinBigIndex>(idx.size()), val.data(), idx.data(), starts.data(),
                                  lengths.data());

    // The warm start: x from the given choice, y_g = 1 where a chosen candidate covers group g.
    std::vector<double> start(res.columns, 0.0);
    double start_value = 0;
    for (const std::uint32_t i : o.warm_start) start[col[i]] = 1.0;
    for (int g = 0; g < ng; ++g) {
        for (std::uint32_t k = groups.group_start[g]; k < groups.group_start[g + 1]; ++k) {
            if (start[col[groups.cands[k]]] > 0.5) {
                start[nx + g] = 1.0;
                start_value += groups.weight[g];
                break;
            }
        }
    }
    auto finish = [&](IlpResult& r) -> IlpResult {
        r.wall_s = seconds_since(t0);
        return r;
    };
    if (nx == 0 || ng == 0) {  // nothing to choose or nothing to cover: the start is optimal
        res.status = IlpStatus::optimal;
        res.chosen.assign(o.warm_start.begin(), o.warm_start.end());
        std::sort(res.chosen.begin(), res.chosen.end());
        res.objective = covered_weight(p, res.chosen);
        res.bound = res.objective;
        return finish(res);
    }

    OsiClpSolverInterface solver;
    solver.messageHandler()->setLogLevel(0);
    solver.loadProblem(matrix, col_lb.data(), col_ub.data(), obj.data(), row_lb.data(), row_ub.data());
    for (int c = 0; c < nx; ++c) solver.setInteger(c);

    // The root LP under the limit, by the primal simplex after Clp's presolve: on these degenerate
    // covering LPs the dual simplex (CBC's default) wanders for minutes, the primal one takes
    // seconds (demo, budget 25 after fixing: 0.1 s against more than 10 s).
    ClpSimplex* clp = solver.getModelPtr();
    const double root_s = std::max(0.1, o.time_limit_s - seconds_since(t0));
    clp->setMaximumSeconds(root_s);
    clp->setMaximumWallSeconds(root_s);
    ClpSolve primal;
    primal.setSolveType(ClpSolve::usePrimal);
    solver.setSolveOptions(primal);
    solver.initialSolve();
    auto keep_start = [&] {
        res.chosen.assign(o.warm_start.begin(), o.warm_start.end());
        std::sort(res.chosen.begin(), res.chosen.end());
        res.objective = covered_weight(p, res.chosen);
    };
    if (!solver.isProvenOptimal()) {  // out of time: no bound; the start stays the best solution
        res.status = IlpStatus::root_time_limit;
        keep_start();
        return finish(res);
    }
    const double root_bound = -solver.getObjValue();
    clp->setMaximumSeconds(-1);
    clp->setMaximumWallSeconds(-1);
    const double remaining_s = o.time_limit_s - seconds_since(t0);
    if (remaining_s < kMinSearchSeconds) {  // no time to search: the LP bound
        res.status = IlpStatus::time_limit;
        keep_start();
        res.bound = std::max(root_bound, res.objective);
        return finish(res);
    }

    // Branch and bound from the solved root. CBC solves the root again first: from the optimal
    // basis, by the dual simplex, without presolve. No strong branching: its simplex iterations
    // do not look at the clock, and a large search would overrun the limit by many seconds.
    ClpSolve warm;
    warm.setSolveType(ClpSolve::useDual);
    warm.setPresolveType(ClpSolve::presolveOff);
    solver.setSolveOptions(warm);
    CbcModel model(solver);
    model.messageHandler()->setLogLevel(0);
    model.setUseElapsedTime(true);
    model.setMaximumSeconds(remaining_s);
    // The search ends once its solution is within the gap of its bound (the question the bound
    // answers: how far greedy is from the optimum), not at the time limit.
    if (o.gap > 0) model.setAllowableFractionGap(o.gap);
    model.setNumberThreads(0);
    model.setNumberStrong(0);
    CglClique clique;  // cliques of the spacing rows the solver's rows do not state
    clique.setStarCliqueReport(false);
    clique.setRowCliqueReport(false);
    model.addCutGenerator(&clique, -1, "Clique");
    CbcRounding rounding(model);
    model.addHeuristic(&rounding);
    if (!o.warm_start.empty()) model.setBestSolution(start.data(), static_cast<int>(res.columns), -start_value, true);
    model.branchAndBound();

    const double* best = model.bestSolution();
    if (best != nullptr) {
        for (int c = 0; c < nx; ++c) {
            if (best[c] > 0.5) res.chosen.push_back(cand_of[c]);
        }
    } else {
        res.chosen.assign(o.warm_start.begin(), o.warm_start.end());
        std::sort(res.chosen.begin(), res.chosen.end());
    }
    res.objective = covered_weight(p, res.chosen);
    const double bound = -model.getBestPossibleObjValue();
    const bool within_gap = std::isfinite(bound) && bound > res.objective * (1.0 + 1e-9) + 1e-6;
    if (model.isProvenOptimal() && best != nullptr && !within_gap) {
        res.status = IlpStatus::optimal;
        res.bound = res.objective;
    } else if (model.isProvenOptimal() && best != nullptr) {
        res.status = IlpStatus::within_gap;
        res.bound = std::max(std::min(bound, root_bound), res.objective);
    } else if (std::isfinite(bound) && std::abs(bound) < 1e300) {
        res.status = IlpStatus::time_limit;
        res.bound = std::max(std::min(bound, root_bound), res.objective);
    } else {
        res.status = IlpStatus::failed;
    }
    return finish(res);
}

}  // namespace phusong::planning
