// The SPM fit: least squares on per-fold Gram matrices, optional terms chosen by grouped
// cross-validation (docs/models/calibration.md).

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "phusong/calibration/calibration.hpp"
#include "phusong/calibration/random.hpp"
#include "phusong/core/error.hpp"

namespace phusong::calibration {

void ErrorStats::add(double error_db, std::size_t pts) {
    ++n;
    points += pts;
    m_sum += error_db;
    m_sum2 += error_db * error_db;
}

void ErrorStats::finish() {
    if (n == 0) return;
    const auto dn = static_cast<double>(n);
    mean_db = m_sum / dn;
    rmse_db = std::sqrt(m_sum2 / dn);
    std_db = std::sqrt(std::max(0.0, m_sum2 / dn - mean_db * mean_db));
}

ModelSet scenario_models(const Scenario& scenario, const sites::SiteTable& table) {
    const PredictionConfig& pc = scenario.prediction;
    ModelSet m;
    for (const sites::Layer& l : table.layers) {
        const auto layer = pc.layer_models.find(l.name);
        const auto band = pc.band_models.find(l.band);
        m.layer_models.push_back(layer != pc.layer_models.end() ? layer->second
                                 : band != pc.band_models.end() ? band->second
                                                                : pc.model);
    }
    for (const auto& [code, c] : scenario.clutter) m.clutter_loss_db[code] = c.loss_db;
    m.antenna_weight = pc.antenna_attenuation_weight;
    return m;
}

double predicted_dbm(const ModelSet& models, const sites::SiteTable& table, const Observation& o) {
    const radio::ModelConfig& m = models.layer_models[table.cells[o.cell].layer];
    const auto it = models.clutter_loss_db.find(o.clutter);
    const double clutter = it != models.clutter_loss_db.end() ? it->second : 0.0;
    const double loss = radio::path_loss_db(
        m, {std::max(o.distance_m, 1.0), o.freq_mhz, o.h_tx_m, o.h_rx_m, o.diffraction_db, clutter, o.diffraction_db <= 0});
    return o.power_dbm + o.max_gain_dbi - models.antenna_weight * o.attenuation_db - loss;
}

radio::SpmCoefficients spm_form(const radio::ModelConfig& m, double freq_mhz, double h_rx_m) {
    radio::SpmCoefficients k;
    switch (m.kind) {
        case radio::ModelKind::spm:
            return m.spm;
        case radio::ModelKind::okumura_hata:
            k = radio::spm_equivalent_of_okumura_hata(freq_mhz, m.environment, h_rx_m);
            k.k4 = m.diffraction_weight;
            return k;
        case radio::ModelKind::cost231_hata:
            k = radio::spm_equivalent_of_cost231_hata(freq_mhz, m.metropolitan,
                                                      m.environment == radio::HataEnvironment::urban_large, h_rx_m);
            k.k4 = m.diffraction_weight;
            return k;
        default:
            k.k4 = m.diffraction_weight;
            return k;
    }
}

namespace {

constexpr int kSpmTerms = 7;  // K1 … K7
constexpr std::array<const char*, kSpmTerms> kTermNames = {"k1", "k2", "k3", "k4", "k5", "k6", "k7"};

double& spm_term(radio::SpmCoefficients& k, int j) {
    switch (j) {
        case 0: return k.k1;
        case 1: return k.k2;
        case 2: return k.k3;
        case 3: return k.k4;
        case 4: return k.k5;
        case 5: return k.k6;
        default: return k.k7;
    }
}

/// The SPM term values of an observation: K1 … K7 multiply these (radio::spm_db).
std::array<double, kSpmTerms> spm_columns(const Observation& o) {
    const double log_d = std::log10(std::max(o.distance_m, 1.0));
    const double log_h = std::log10(o.h_tx_m);
    return {1.0, log_d, log_h, o.diffraction_db, log_d * log_h, o.h_rx_m, std::log10(o.h_rx_m)};
}

/// Symmetric positive semi-definite solve by Cholesky on the equilibrated matrix (unit diagonal).
/// Returns false when a pivot is not positive (the columns are dependent).
bool solve_spd(std::vector<double> a, std::vector<double> b, std::size_t n, std::vector<double>& x) {
    std::vector<double> s(n);
    for (std::size_t i = 0; i < n; ++i) s[i] = a[i * n + i] > 0 ? 1.0 / std::sqrt(a[i * n + i]) : 1.0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) a[i * n + j] *= s[i] * s[j];
        b[i] *= s[i];
    }
    for (std::size_t j = 0; j < n; ++j) {
        double d = a[j * n + j];
        for (std::size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
        if (!(d > 1e-12)) return false;
        d = std::sqrt(d);
        a[j * n + j] = d;
        for (std::size_t i = j + 1; i < n; ++i) {
            double v = a[i * n + j];
            for (std::size_t k = 0; k < j; ++k) v -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = v / d;
        }
    }
    x.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        double v = b[i];
        for (std::size_t k = 0; k < i; ++k) v -= a[i * n + k] * x[k];
        x[i] = v / a[i * n + i];
    }
    for (std::size_t i = n; i-- > 0;) {
        double v = x[i];
        for (std::size_t k = i + 1; k < n; ++k) v -= a[k * n + i] * x[k];
        x[i] = v / a[i * n + i];
    }
    for (std::size_t i = 0; i < n; ++i) x[i] *= s[i];
    return true;
}

/// The inverse of an SPD matrix (for standard errors), by solving for each unit vector.
std::vector<double> inverse_spd(const std::vector<double>& a, std::size_t n) {
    std::vector<double> inv(n * n, 0.0);
    std::vector<double> e(n);
    std::vector<double> x;
    for (std::size_t j = 0; j < n; ++j) {
        std::fill(e.begin(), e.end(), 0.0);
        e[j] = 1.0;
        if (!solve_spd(a, e, n, x)) return {};
        for (std::size_t i = 0; i < n; ++i) inv[i * n + j] = x[i];
    }
    return inv;
}

/// The linear problem: every candidate coefficient's column, the fixed clutter loss and the
/// target of each observation, accumulated per fold as Gram matrices (zᵀz), so that any choice
/// of fitted columns is solved and scored from them alone.
///
/// Target t = power + max gain − w₀·attenuation − measured (the "measured loss"); the model is
/// t = Σ_layer SPM terms + clutter loss + β·attenuation, where β = w − w₀ is the change of the
/// antenna weight. A column not fitted is held at its prior value (its prior times the column is
/// moved to the target side); a fitted one is shrunk toward its prior by a negligible ridge
/// (1e-9 of its diagonal) so that a column with no data in a fold keeps its prior.
struct LinearProblem {
    std::size_t columns = 0;            // coefficient columns
    std::size_t fixed = 0;              // index of the fixed-clutter column
    std::size_t target = 0;             // index of the target column
    std::size_t width = 0;              // columns + 2
    std::vector<double> prior;          // per coefficient column
    std::vector<std::vector<double>> gram;  // per fold, width × width
    std::vector<double> total;          // Σ over folds
    std::size_t n = 0;

    /// a: the target side's weights for a choice of fitted columns (see above).
    [[nodiscard]] std::vector<double> target_weights(const std::vector<std::size_t>& fitted) const {
        std::vector<double> a(width, 0.0);
        a[target] = 1.0;
        a[fixed] = -1.0;
        std::vector<bool> is_fitted(columns, false);
        for (std::size_t j : fitted) is_fitted[j] = true;
        for (std::size_t j = 0; j < columns; ++j) {
            if (!is_fitted[j]) a[j] = -prior[j];
        }
        return a;
    }

    /// Fit on Gram `g`: coefficients of the fitted columns (nullopt: dependent columns).
    [[nodiscard]] std::optional<std::vector<double>> solve(const std::vector<double>& g,
                                                           const std::vector<std::size_t>& fitted) const {
        const std::size_t m = fitted.size();
        const std::vector<double> a = target_weights(fitted);
        std::vector<double> gss(m * m);
        std::vector<double> rhs(m, 0.0);
        for (std::size_t p = 0; p < m; ++p) {
            for (std::size_t q = 0; q < m; ++q) gss[p * m + q] = g[fitted[p] * width + fitted[q]];
            for (std::size_t k = 0; k < width; ++k) rhs[p] += g[fitted[p] * width + k] * a[k];
        }
        for (std::size_t p = 0; p < m; ++p) {
            const double d = gss[p * m + p] > 0 ? gss[p * m + p] : 1.0;
            const double ridge = 1e-9 * d;
            gss[p * m + p] += ridge;
            rhs[p] += ridge * prior[fitted[p]];
        }
        std::vector<double> x;
        if (!solve_spd(gss, rhs, m, x)) return std::nullopt;
        return x;
    }

    /// Residual sum of squares on Gram `g` of coefficients `b` for the fitted columns.
    [[nodiscard]] double rss(const std::vector<double>& g, const std::vector<std::size_t>& fitted,
                             const std::vector<double>& b) const {
        std::vector<double> a = target_weights(fitted);
        for (std::size_t p = 0; p < fitted.size(); ++p) a[fitted[p]] = -b[p];
        double r = 0;
        for (std::size_t i = 0; i < width; ++i) {
            if (a[i] == 0) continue;
            for (std::size_t k = 0; k < width; ++k) r += a[i] * g[i * width + k] * a[k];
        }
        return std::max(r, 0.0);
    }

    /// Cross-validated RMSE of a choice of fitted columns (nullopt: dependent columns).
    [[nodiscard]] std::optional<double> cv_rmse(const std::vector<std::size_t>& fitted) const {
        double sum = 0;
        for (std::size_t f = 0; f < gram.size(); ++f) {
            std::vector<double> train = total;
            for (std::size_t k = 0; k < train.size(); ++k) train[k] -= gram[f][k];
            const auto b = solve(train, fitted);
            if (!b) return std::nullopt;
            sum += rss(gram[f], fitted, *b);
        }
        return std::sqrt(sum / static_cast<double>(n));
    }
};

/// Deterministic fold of each measured site: the sites in site_id order, shuffled (Fisher-Yates)
/// by a fixed SplitMix64 sequence, dealt round-robin.
std::vector<int> assign_folds(const std::vector<std::uint8_t>& measured, int folds) {
    std::vector<std::size_t> order;
    for (std::size_t s = 0; s < measured.size(); ++s) {
        if (measured[s] != 0) order.push_back(s);
    }
    SplitMix64 rng(0x5EED);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.next() % i]);
    std::vector<int> fold(measured.size(), -1);
    for (std::size_t i = 0; i < order.size(); ++i) fold[order[i]] = static_cast<int>(i % static_cast<std::size_t>(folds));
    return fold;
}

}  // namespace

Calibration calibrate(const Scenario& scenario, const sites::SiteTable& table, const Observations& obs, bool fit) {
    const CalibrationConfig& cc = scenario.calibration;
    Calibration cal;
    cal.fitted = fit;
    cal.before = scenario_models(scenario, table);
    std::vector<std::size_t> measured_layers;
    for (const Observation& o : obs.items) {
        const std::size_t l = table.cells[o.cell].layer;
        if (std::find(measured_layers.begin(), measured_layers.end(), l) == measured_layers.end()) {
            measured_layers.push_back(l);
        }
    }
    std::sort(measured_layers.begin(), measured_layers.end());
    for (std::size_t l : measured_layers) {
        if (cal.before.layer_models[l].kind == radio::ModelKind::itm) {
            throw InputError(scenario.file.string(), "key prediction.model",
                             "layer \"" + table.layers[l].name +
                                 "\" is predicted with ITM, which calibrate does not score or fit: give it an "
                                 "empirical model (e.g. [prediction.layer.\"" + table.layers[l].name +
                                 "\"] model = \"spm\")");
        }
    }
    cal.error_before_db.resize(obs.items.size());
    for (std::size_t i = 0; i < obs.items.size(); ++i) {
        const Observation& o = obs.items[i];
        cal.error_before_db[i] = predicted_dbm(cal.before, table, o) - o.measured_dbm;
        cal.stats_before.add(cal.error_before_db[i], o.points);
    }
    cal.stats_before.finish();

    // Clutter classes present: the most observed one is the reference (K1 absorbs it).
    std::map<int, std::size_t> class_count;
    for (const Observation& o : obs.items) {
        if (o.clutter >= 0) ++class_count[o.clutter];
    }
    int reference = -1;
    for (const auto& [code, n] : class_count) {
        if (reference < 0 || n > class_count[reference]) reference = code;
    }
    // Priors: the layers' SPM forms; a class's loss as the first measured layer weighs it.
    const double h_rx = scenario.prediction.receiver_height_m;
    std::vector<radio::SpmCoefficients> prior_k;
    for (std::size_t l : measured_layers) {
        const sites::Cell& c = table.cells[table.layers[l].cells.front()];
        prior_k.push_back(spm_form(cal.before.layer_models[l], c.freq_mhz, h_rx));
    }
    const double k_clutter = prior_k.front().k_clutter;
    std::vector<int> fitted_classes;
    for (const auto& [code, n] : class_count) {
        ClutterFit cf;
        cf.code = code;
        const auto named = scenario.clutter.find(code);
        cf.name = named != scenario.clutter.end() ? named->second.name : "class " + std::to_string(code);
        cf.observations = n;
        cf.reference = code == reference && class_count.size() > 1;
        const auto loss = cal.before.clutter_loss_db.find(code);
        cf.loss.name = "clutter " + std::to_string(code);
        cf.loss.prior = (loss != cal.before.clutter_loss_db.end() ? loss->second : 0.0) * k_clutter;
        cf.loss.value = cf.loss.prior;
        if (fit && !cf.reference && class_count.size() > 1 && n >= static_cast<std::size_t>(cc.min_observations_per_class)) {
            fitted_classes.push_back(code);
        }
        cal.clutter.push_back(cf);
    }

    cal.after = cal.before;
    cal.error_after_db = cal.error_before_db;
    cal.stats_after = cal.stats_before;
    if (!fit) {
        for (std::size_t q = 0; q < measured_layers.size(); ++q) {
            LayerFit lf;
            lf.layer = measured_layers[q];
            lf.spm = prior_k[q];
            for (int j = 0; j < kSpmTerms; ++j) {
                lf.terms.push_back({kTermNames[static_cast<std::size_t>(j)], spm_term(lf.spm, j), spm_term(lf.spm, j), false, 0.0});
            }
            cal.layers.push_back(lf);
        }
        return cal;
    }

    // Folds by site.
    std::vector<std::uint8_t> measured_site(table.sites.size(), 0);
    std::map<std::string, std::size_t> site_index;
    for (std::size_t s = 0; s < table.sites.size(); ++s) site_index.emplace(table.sites[s].site_id, s);
    for (const Observation& o : obs.items) measured_site[site_index.at(table.cells[o.cell].site_id)] = 1;
    const auto sites_measured = static_cast<int>(std::count(measured_site.begin(), measured_site.end(), 1));
    if (sites_measured < 2) {
        throw InputError(scenario.file.string(), "key calibration.folds",
                         "the cross-validation leaves out whole sites, and the measurements (after the filters) are "
                         "of " + std::to_string(sites_measured) +
                             " site: measure at least 2 sites, or score the model without a fit (--no-fit)");
    }
    cal.folds = std::min(cc.folds, sites_measured);
    cal.fold_of_site = assign_folds(measured_site, cal.folds);

    // Columns: K1…K7 per measured layer, then the fitted classes, then the antenna weight's β.
    LinearProblem pb;
    const std::size_t layer_cols = kSpmTerms * measured_layers.size();
    const std::size_t class_col0 = layer_cols;
    const std::size_t antenna_col = class_col0 + fitted_classes.size();
    pb.columns = antenna_col + 1;
    pb.fixed = pb.columns;
    pb.target = pb.columns + 1;
    pb.width = pb.columns + 2;
    pb.prior.assign(pb.columns, 0.0);
    for (std::size_t q = 0; q < measured_layers.size(); ++q) {
        for (int j = 0; j < kSpmTerms; ++j) pb.prior[q * kSpmTerms + static_cast<std::size_t>(j)] = spm_term(prior_k[q], j);
    }
    std::map<int, double> class_prior;
    for (const ClutterFit& cf : cal.clutter) class_prior[cf.code] = cf.loss.prior;
    for (std::size_t c = 0; c < fitted_classes.size(); ++c) pb.prior[class_col0 + c] = class_prior[fitted_classes[c]];
    pb.gram.assign(static_cast<std::size_t>(cal.folds), std::vector<double>(pb.width * pb.width, 0.0));
    pb.total.assign(pb.width * pb.width, 0.0);
    pb.n = obs.items.size();
    // Column spread per layer and term: a term whose column is constant within a layer is
    // indistinguishable from K1 there.
    std::vector<std::array<double, 3>> moments(pb.columns, {0, 0, 0});
    std::vector<double> z(pb.width);
    const double w0 = cal.before.antenna_weight;
    for (const Observation& o : obs.items) {
        std::fill(z.begin(), z.end(), 0.0);
        const auto q = static_cast<std::size_t>(
            std::find(measured_layers.begin(), measured_layers.end(), table.cells[o.cell].layer) - measured_layers.begin());
        const auto cols = spm_columns(o);
        for (int j = 0; j < kSpmTerms; ++j) z[q * kSpmTerms + static_cast<std::size_t>(j)] = cols[static_cast<std::size_t>(j)];
        const auto fc = std::find(fitted_classes.begin(), fitted_classes.end(), o.clutter);
        if (fc != fitted_classes.end()) {
            z[class_col0 + static_cast<std::size_t>(fc - fitted_classes.begin())] = 1.0;
        } else if (o.clutter >= 0) {
            z[pb.fixed] = class_prior[o.clutter];
        }
        z[antenna_col] = o.attenuation_db;
        z[pb.target] = o.power_dbm + o.max_gain_dbi - w0 * o.attenuation_db - o.measured_dbm;
        for (std::size_t j = 0; j < pb.columns; ++j) {
            if (j < layer_cols && j / kSpmTerms != q) continue;
            moments[j][0] += 1;
            moments[j][1] += z[j];
            moments[j][2] += z[j] * z[j];
        }
        auto& g = pb.gram[static_cast<std::size_t>(cal.fold_of_site[site_index.at(table.cells[o.cell].site_id)])];
        for (std::size_t i = 0; i < pb.width; ++i) {
            if (z[i] == 0) continue;
            for (std::size_t k = 0; k < pb.width; ++k) g[i * pb.width + k] += z[i] * z[k];
        }
    }
    for (const auto& g : pb.gram) {
        for (std::size_t k = 0; k < g.size(); ++k) pb.total[k] += g[k];
    }
    auto spread = [&](std::size_t j) {
        const auto& m = moments[j];
        if (m[0] < 2) return false;
        const double mean = m[1] / m[0];
        const double var = m[2] / m[0] - mean * mean;
        return var > 1e-9 * std::max(1.0, mean * mean);
    };
    auto term_columns = [&](int j) {
        std::vector<std::size_t> cols;
        for (std::size_t q = 0; q < measured_layers.size(); ++q) {
            if (spread(q * kSpmTerms + static_cast<std::size_t>(j)) || j == 0) cols.push_back(q * kSpmTerms + static_cast<std::size_t>(j));
        }
        return cols;
    };

    // Always K1 and K2 and the classes; the antenna weight when asked; then the optional terms,
    // one at a time, the one that lowers the cross-validated RMSE most, while it gains at least
    // min_cv_gain_db.
    std::vector<std::size_t> chosen;
    for (int j : {0, 1}) {
        const auto cols = term_columns(j);
        chosen.insert(chosen.end(), cols.begin(), cols.end());
    }
    for (std::size_t c = 0; c < fitted_classes.size(); ++c) chosen.push_back(class_col0 + c);
    if (cc.fit_antenna_weight) {
        if (spread(antenna_col)) {
            chosen.push_back(antenna_col);
        } else {
            spdlog::warn("calibration.fit_antenna_weight: every observation sees the antenna at the same attenuation; "
                         "the weight cannot be fitted and stays at {}", w0);
        }
    }
    const auto base = pb.cv_rmse(chosen);
    if (!base) {
        throw InputError(scenario.file.string(), "",
                         "the measurements cannot determine K1 and K2 (all at one distance?): measure over a range of "
                         "distances from each cell");
    }
    double current = *base;
    cal.selection.push_back({"k1, k2" + std::string(fitted_classes.empty() ? "" : ", clutter losses") +
                                 (cc.fit_antenna_weight ? ", antenna weight" : ""),
                             current, true, ""});
    std::vector<int> candidates = {3, 2, 4, 5, 6};  // K4 (diffraction), K3, K5, K6, K7
    while (!candidates.empty()) {
        int best = -1;
        double best_rmse = current;
        for (int j : candidates) {
            const auto cols = term_columns(j);
            if (cols.empty()) continue;
            std::vector<std::size_t> trial = chosen;
            trial.insert(trial.end(), cols.begin(), cols.end());
            const auto r = pb.cv_rmse(trial);
            if (r && (best < 0 || *r < best_rmse)) {
                best = j;
                best_rmse = *r;
            }
        }
        if (best < 0 || best_rmse > current - cc.min_cv_gain_db) {
            for (int j : candidates) {
                const auto cols = term_columns(j);
                std::vector<std::size_t> trial = chosen;
                trial.insert(trial.end(), cols.begin(), cols.end());
                const auto r = cols.empty() ? std::nullopt : pb.cv_rmse(trial);
                cal.selection.push_back({kTermNames[static_cast<std::size_t>(j)], r.value_or(0.0), false,
                                         cols.empty() ? "no spread in the data (constant within every layer)"
                                         : !r       ? "dependent on the terms already fitted"
                                                    : "lowers the cross-validated RMSE by less than calibration.min_cv_gain_db"});
            }
            break;
        }
        const auto cols = term_columns(best);
        chosen.insert(chosen.end(), cols.begin(), cols.end());
        current = best_rmse;
        cal.selection.push_back({kTermNames[static_cast<std::size_t>(best)], current, true, ""});
        candidates.erase(std::find(candidates.begin(), candidates.end(), best));
    }
    std::sort(chosen.begin(), chosen.end());

    // The model of a coefficient vector: SPM per measured layer (Kclutter = 1, the losses carry
    // it), the classes' losses, the antenna weight.
    auto model_of = [&](const std::vector<double>& b) {
        std::vector<double> value = pb.prior;
        for (std::size_t p = 0; p < chosen.size(); ++p) value[chosen[p]] = b[p];
        ModelSet m = cal.before;
        for (std::size_t q = 0; q < measured_layers.size(); ++q) {
            radio::ModelConfig& mc = m.layer_models[measured_layers[q]];
            mc.kind = radio::ModelKind::spm;
            for (int j = 0; j < kSpmTerms; ++j) spm_term(mc.spm, j) = value[q * kSpmTerms + static_cast<std::size_t>(j)];
            mc.spm.k_clutter = 1.0;
        }
        for (const auto& [code, loss] : class_prior) m.clutter_loss_db[code] = loss;
        for (std::size_t c = 0; c < fitted_classes.size(); ++c) m.clutter_loss_db[fitted_classes[c]] = value[class_col0 + c];
        m.antenna_weight = w0 + value[antenna_col];
        return std::pair{m, value};
    };

    // Cross-validated errors: each observation predicted by the fit of the other folds.
    cal.stats_after = {};
    for (int f = 0; f < cal.folds; ++f) {
        std::vector<double> train = pb.total;
        for (std::size_t k = 0; k < train.size(); ++k) train[k] -= pb.gram[static_cast<std::size_t>(f)][k];
        const auto b = pb.solve(train, chosen);
        if (!b) throw InternalError("calibration: the chosen terms became dependent in fold " + std::to_string(f));
        const ModelSet m = model_of(*b).first;
        for (std::size_t i = 0; i < obs.items.size(); ++i) {
            const Observation& o = obs.items[i];
            if (cal.fold_of_site[site_index.at(table.cells[o.cell].site_id)] != f) continue;
            cal.error_after_db[i] = predicted_dbm(m, table, o) - o.measured_dbm;
        }
    }
    for (std::size_t i = 0; i < obs.items.size(); ++i) cal.stats_after.add(cal.error_after_db[i], obs.items[i].points);
    cal.stats_after.finish();

    // The final model on all observations, with standard errors σ²(XᵀX)⁻¹.
    const auto b = pb.solve(pb.total, chosen);
    if (!b) throw InternalError("calibration: the chosen terms are dependent on all observations");
    const auto [final_model, value] = model_of(*b);
    cal.after = final_model;
    const double dof = static_cast<double>(pb.n) - static_cast<double>(chosen.size());
    const double sigma2 = dof > 0 ? pb.rss(pb.total, chosen, *b) / dof : 0.0;
    std::vector<double> gss(chosen.size() * chosen.size());
    for (std::size_t p = 0; p < chosen.size(); ++p) {
        for (std::size_t q = 0; q < chosen.size(); ++q) gss[p * chosen.size() + q] = pb.total[chosen[p] * pb.width + chosen[q]];
    }
    const std::vector<double> inv = inverse_spd(gss, chosen.size());
    std::vector<double> se(pb.columns, 0.0);
    for (std::size_t p = 0; p < chosen.size() && !inv.empty(); ++p) {
        se[chosen[p]] = std::sqrt(std::max(0.0, sigma2 * inv[p * chosen.size() + p]));
    }
    std::vector<bool> is_chosen(pb.columns, false);
    for (std::size_t j : chosen) is_chosen[j] = true;
    for (std::size_t q = 0; q < measured_layers.size(); ++q) {
        LayerFit lf;
        lf.layer = measured_layers[q];
        lf.spm = cal.after.layer_models[lf.layer].spm;
        for (int j = 0; j < kSpmTerms; ++j) {
            const std::size_t col = q * kSpmTerms + static_cast<std::size_t>(j);
            lf.terms.push_back({kTermNames[static_cast<std::size_t>(j)], value[col], pb.prior[col], is_chosen[col], se[col]});
        }
        cal.layers.push_back(lf);
    }
    for (ClutterFit& cf : cal.clutter) {
        const auto it = std::find(fitted_classes.begin(), fitted_classes.end(), cf.code);
        if (it == fitted_classes.end()) continue;
        const std::size_t col = class_col0 + static_cast<std::size_t>(it - fitted_classes.begin());
        cf.loss.value = value[col];
        cf.loss.fitted = true;
        cf.loss.std_error = se[col];
    }
    if (is_chosen[antenna_col]) {
        cal.antenna_weight = Term{"antenna_weight", cal.after.antenna_weight, w0, true, se[antenna_col]};
    }
    return cal;
}

}  // namespace phusong::calibration
