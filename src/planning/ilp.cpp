#include "phusong/planning/ilp.hpp"

#include <CbcModel.hpp>
#include <CbcSolver.hpp>
#include <CoinPackedMatrix.hpp>
#include <OsiClpSolverInterface.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "phusong/core/error.hpp"

namespace phusong::planning {

std::string to_string(IlpStatus status) {
    switch (status) {
        case IlpStatus::optimal: return "optimal";
        case IlpStatus::time_limit: return "time_limit";
        case IlpStatus::failed: return "failed";
    }
    return "failed";
}

namespace {

// CBC's callback for CbcMain1: nothing to do at any point.
int no_callback(CbcModel* /*model*/, int /*where_from*/) { return 0; }

struct Groups {
    std::vector<double> weight;                      // per group
    std::vector<std::vector<std::uint32_t>> cands;   // per group: covering candidates, ascending
};

// Demand cells with weight > 0 and at least one covering candidate, merged by identical sets.
Groups demand_groups(const CoverageProblem& p) {
    const std::size_t m = p.demand.size();
    std::vector<std::uint32_t> count(m + 1, 0);
    for (const auto& c : p.covers) {
        for (const std::uint32_t j : c) ++count[j + 1];
    }
    std::partial_sum(count.begin(), count.end(), count.begin());
    std::vector<std::uint32_t> flat(count[m]);
    std::vector<std::uint32_t> fill(count.begin(), count.end() - 1);
    for (std::uint32_t i = 0; i < p.covers.size(); ++i) {
        for (const std::uint32_t j : p.covers[i]) flat[fill[j]++] = i;  // ascending i per cell
    }
    auto cell_span = [&](std::uint32_t j) {
        return std::span<const std::uint32_t>(flat.data() + count[j], count[j + 1] - count[j]);
    };
    std::vector<std::uint32_t> cells;
    for (std::uint32_t j = 0; j < m; ++j) {
        if (p.demand[j] > 0 && count[j + 1] > count[j]) cells.push_back(j);
    }
    std::sort(cells.begin(), cells.end(), [&](std::uint32_t a, std::uint32_t b) {
        const auto sa = cell_span(a);
        const auto sb = cell_span(b);
        if (std::lexicographical_compare(sa.begin(), sa.end(), sb.begin(), sb.end())) return true;
        if (std::lexicographical_compare(sb.begin(), sb.end(), sa.begin(), sa.end())) return false;
        return a < b;
    });
    Groups g;
    for (std::size_t k = 0; k < cells.size(); ++k) {
        const auto s = cell_span(cells[k]);
        if (k == 0 || !std::ranges::equal(s, cell_span(cells[k - 1]))) {
            g.weight.push_back(0);
            g.cands.emplace_back(s.begin(), s.end());
        }
        g.weight.back() += p.demand[cells[k]];
    }
    return g;
}

}  // namespace

IlpResult solve_max_coverage(const CoverageProblem& p, const IlpOptions& o) {
    check_problem(p);
    const auto t0 = std::chrono::steady_clock::now();
    IlpResult res;
    const Groups groups = demand_groups(p);
    const int n = static_cast<int>(p.covers.size());
    const int ng = static_cast<int>(groups.weight.size());
    res.demand_groups = groups.weight.size();
    res.columns = static_cast<std::size_t>(n + ng);

    // Columns: x_0..x_{n-1} (candidates), then y_0..y_{ng-1} (groups). CBC minimises: −Σ w y.
    std::vector<double> col_lb(res.columns, 0.0);
    std::vector<double> col_ub(res.columns, 1.0);
    std::vector<double> obj(res.columns, 0.0);
    for (int g = 0; g < ng; ++g) obj[n + g] = -groups.weight[g];
    for (int i = 0; i < n; ++i) {
        const double w = o.budget_kind == PlanBudgetKind::cost ? p.cost[i] : 1.0;
        if (w > o.budget * (1 + 1e-12)) col_ub[i] = 0.0;  // cannot fit the budget alone
    }

    CoinPackedMatrix matrix(false, 0, 0);
    matrix.setDimensions(0, static_cast<int>(res.columns));
    std::vector<double> row_lb;
    std::vector<double> row_ub;
    std::vector<int> idx;
    std::vector<double> val;
    auto add_row = [&](double lb, double ub) {
        matrix.appendRow(static_cast<int>(idx.size()), idx.data(), val.data());
        row_lb.push_back(lb);
        row_ub.push_back(ub);
        idx.clear();
        val.clear();
    };
    for (int g = 0; g < ng; ++g) {  // y_g − Σ x_i ≤ 0
        for (const std::uint32_t i : groups.cands[g]) {
            idx.push_back(static_cast<int>(i));
            val.push_back(-1.0);
        }
        idx.push_back(n + g);
        val.push_back(1.0);
        add_row(-COIN_DBL_MAX, 0.0);
    }
    for (int i = 0; i < n; ++i) {  // the budget
        idx.push_back(i);
        val.push_back(o.budget_kind == PlanBudgetKind::cost ? p.cost[i] : 1.0);
    }
    add_row(-COIN_DBL_MAX, o.budget_kind == PlanBudgetKind::sites ? std::floor(o.budget + 1e-9) : o.budget);
    for (int i = 0; i < n; ++i) {  // spacing: x_i + x_j ≤ 1
        for (const std::uint32_t j : p.conflicts[i]) {
            if (static_cast<int>(j) <= i) continue;
            idx = {i, static_cast<int>(j)};
            val = {1.0, 1.0};
            add_row(-COIN_DBL_MAX, 1.0);
        }
    }
    res.rows = row_lb.size();

    OsiClpSolverInterface solver;
    solver.messageHandler()->setLogLevel(0);
    solver.loadProblem(matrix, col_lb.data(), col_ub.data(), obj.data(), row_lb.data(), row_ub.data());
    for (int i = 0; i < n; ++i) solver.setInteger(i);

    // CBC's -sec bounds branch and bound only: the root LP gets the same limit.
    solver.getModelPtr()->setMaximumSeconds(o.time_limit_s);
    CbcModel model(solver);
    model.messageHandler()->setLogLevel(0);
    model.setMaximumSeconds(o.time_limit_s);
    if (!o.warm_start.empty()) {
        // The full solution: x from the start, y_g = 1 where a chosen candidate covers group g.
        std::vector<double> start(res.columns, 0.0);
        for (const std::uint32_t i : o.warm_start) start.at(i) = 1.0;
        double value = 0;
        for (int g = 0; g < ng; ++g) {
            if (std::ranges::any_of(groups.cands[g], [&](std::uint32_t i) { return start[i] > 0.5; })) {
                start[n + g] = 1.0;
                value -= groups.weight[g];
            }
        }
        model.setBestSolution(start.data(), static_cast<int>(res.columns), value, true);
    }
    CbcSolverUsefulData data;
    data.noPrinting_ = true;
    data.useSignalHandler_ = false;
    CbcMain0(model, data);
    const std::string seconds = fmt::format("{:g}", o.time_limit_s);
    const char* argv[] = {"phusong", "-log", "0", "-slog", "0", "-threads", "0",
                          "-sec",    seconds.c_str(), "-solve", "-quit"};
    CbcMain1(static_cast<int>(std::size(argv)), argv, model, no_callback, data);

    const double* best = model.bestSolution();
    if (best != nullptr) {
        for (int i = 0; i < n; ++i) {
            if (best[i] > 0.5) res.chosen.push_back(static_cast<std::uint32_t>(i));
        }
        res.objective = covered_weight(p, res.chosen);
    }
    const double bound = -model.getBestPossibleObjValue();
    if (model.isProvenOptimal() && best != nullptr) {
        res.status = IlpStatus::optimal;
        res.bound = res.objective;
    } else if (std::isfinite(bound) && std::abs(bound) < 1e300) {
        res.status = IlpStatus::time_limit;
        res.bound = std::max(bound, res.objective);
    } else {
        res.status = IlpStatus::failed;
    }
    res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

}  // namespace phusong::planning
