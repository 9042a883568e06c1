// ITM (Longley-Rice) against NTIA ITM v1.4 and the FORTRAN 1.2.2 QKPFL deck
// (tests/reference/itm, README there).

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference.hpp"
#include "phusong/radio/itm.hpp"

namespace itm = phusong::radio::itm;
namespace fs = std::filesystem;

namespace {

fs::path itm_dir() { return phusong::test::reference_dir() / "itm"; }

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

std::vector<double> numbers_of(const std::string& line, char sep) {
    std::vector<double> out;
    for (const auto& field : split(line, sep))
        if (field.find_first_not_of(" \t") != std::string::npos) out.push_back(std::stod(field));
    return out;
}

/// A CSV file with a header row.
struct Csv {
    std::map<std::string, std::size_t> column;
    std::vector<std::vector<std::string>> rows;

    [[nodiscard]] const std::string& str(std::size_t row, const std::string& name) const {
        const auto it = column.find(name);
        REQUIRE_MESSAGE(it != column.end(), "no column " << name);
        return rows.at(row).at(it->second);
    }
    [[nodiscard]] double num(std::size_t row, const std::string& name) const {
        return std::stod(str(row, name));
    }
};

Csv read_csv(const fs::path& path) {
    Csv csv;
    const auto lines = lines_of(read_text(path));
    REQUIRE(!lines.empty());
    const auto header = split(lines[0], ',');
    // A name may repeat (area_grid.csv has d__km and delta_h__meter as inputs and as outputs):
    // the last one, the output, wins; the inputs are read by position.
    for (std::size_t i = 0; i < header.size(); ++i) csv.column[header[i]] = i;
    for (std::size_t i = 1; i < lines.size(); ++i)
        if (!lines[i].empty()) csv.rows.push_back(split(lines[i], ','));
    return csv;
}

/// An ITM pfl (n intervals, spacing, n+1 elevations) split into elevations and spacing.
struct Profile {
    std::vector<double> z;
    double spacing_m = 0.0;
};

Profile profile_from_pfl(const std::vector<double>& pfl) {
    REQUIRE(pfl.size() >= 4);
    Profile p;
    p.spacing_m = pfl[1];
    p.z.assign(pfl.begin() + 2, pfl.end());
    REQUIRE_MESSAGE(static_cast<double>(p.z.size()) == pfl[0] + 1.0,
                    "pfl has " << p.z.size() << " elevations for " << pfl[0] << " intervals");
    return p;
}

std::vector<Profile> ntia_profiles() {
    std::vector<Profile> out;
    for (const auto& line : lines_of(read_text(itm_dir() / "ntia_itm_v1.4" / "pfls.csv")))
        if (!line.empty()) out.push_back(profile_from_pfl(numbers_of(line, ',')));
    return out;
}

Profile cmd_profile() {
    return profile_from_pfl(
        numbers_of(read_text(itm_dir() / "ntia_itm_v1.4" / "cmd_examples" / "pfl.txt"), ','));
}

Profile qkpfl_profile() {
    return profile_from_pfl(numbers_of(read_text(itm_dir() / "generated_from_ntia_itm_v1.4" /
                                                 "qkpfl_crystal_palace_mursley_pfl.csv"),
                                       ','));
}

const Profile& profile_named(const std::string& name) {
    static const std::vector<Profile> ntia = ntia_profiles();
    static const Profile cmd = cmd_profile();
    static const Profile qkpfl = qkpfl_profile();
    if (name.rfind("pfls.csv#", 0) == 0) return ntia.at(std::stoul(name.substr(9)) - 1);
    if (name == "cmd_examples/pfl.txt") return cmd;
    if (name == "qkpfl_crystal_palace_mursley") return qkpfl;
    FAIL("unknown profile " << name);
    return cmd;
}

/// Tolerance of a value printed as `text`: half a unit of its last digit, plus rounding slack.
double printed_tolerance(const std::string& text) {
    const auto dot = text.find('.');
    if (dot == std::string::npos) return 0.5 + 1e-6;
    const auto decimals = static_cast<int>(text.size() - dot - 1);
    return 0.5 * std::pow(10.0, -decimals) + 1e-6;
}

/// Largest |Δ| and failures per quantity, reported at the end of a table test.
struct Tally {
    std::map<std::string, double> max_abs;
    std::map<std::string, int> failures;
    int rows = 0;

    void check(const std::string& what, double got, double want, double tol,
               const std::string& row) {
        const double delta = std::abs(got - want);
        max_abs[what] = std::max(max_abs[what], delta);
        if (!(delta <= tol)) {
            ++failures[what];
            FAIL_CHECK(row << ": " << what << " = " << got << ", expected " << want
                           << " (|Δ| = " << delta << ", tolerance " << tol << ")");
        }
    }
    void report(const std::string& table) const {
        std::ostringstream os;
        os << table << ": " << rows << " rows;";
        for (const auto& [what, m] : max_abs) {
            const auto f = failures.find(what);
            os << " " << what << " max|Δ| " << m;
            if (f != failures.end()) os << " (" << f->second << " FAIL)";
        }
        MESSAGE(os.str());
    }
};

itm::Params params_from(const Csv& csv, std::size_t r) {
    itm::Params p;
    p.h_tx_m = csv.num(r, "h_tx__meter");
    p.h_rx_m = csv.num(r, "h_rx__meter");
    p.climate = static_cast<itm::Climate>(static_cast<int>(csv.num(r, "climate")));
    p.n0 = csv.num(r, "N_0");
    p.freq_mhz = csv.num(r, "f__mhz");
    p.pol = static_cast<itm::Polarisation>(static_cast<int>(csv.num(r, "pol")));
    p.epsilon = csv.num(r, "epsilon");
    p.sigma_s_per_m = csv.num(r, "sigma");
    p.mdvar = itm::Mdvar::from_code(static_cast<int>(csv.num(r, "mdvar")));
    if (csv.column.count("time") != 0) {
        p.time_pct = csv.num(r, "time");
        p.location_pct = csv.num(r, "location");
        p.situation_pct = csv.num(r, "situation");
    } else {
        itm::set_confidence_reliability(p, csv.num(r, "confidence"), csv.num(r, "reliability"));
    }
    return p;
}

/// Compares a Result with the v1.4 output columns of the generated tables.
void check_generated_row(Tally& t, const Csv& csv, std::size_t r, const itm::Result& got,
                         const std::string& label) {
    ++t.rows;
    constexpr double kDb = 0.01;     // acceptance: 0.01 dB
    constexpr double kMetre = 1e-3;  // printed with 6 decimals
    constexpr double kRad = 6e-7;    // printed with 6 decimals
    t.check("A__db", got.loss_db, csv.num(r, "A__db"), kDb, label);
    t.check("A_fs__db", got.free_space_loss_db, csv.num(r, "A_fs__db"), kDb, label);
    t.check("A_ref__db", got.reference_attenuation_db, csv.num(r, "A_ref__db"), kDb, label);
    t.check("d__km", got.distance_m / 1000.0, csv.num(r, "d__km"), 1e-6, label);
    t.check("theta_hzn_tx", got.horizon_angle_rad[0], csv.num(r, "theta_hzn_tx"), kRad, label);
    t.check("theta_hzn_rx", got.horizon_angle_rad[1], csv.num(r, "theta_hzn_rx"), kRad, label);
    t.check("d_hzn_tx", got.horizon_distance_m[0], csv.num(r, "d_hzn_tx__meter"), kMetre, label);
    t.check("d_hzn_rx", got.horizon_distance_m[1], csv.num(r, "d_hzn_rx__meter"), kMetre, label);
    t.check("h_e_tx", got.effective_height_m[0], csv.num(r, "h_e_tx__meter"), kMetre, label);
    t.check("h_e_rx", got.effective_height_m[1], csv.num(r, "h_e_rx__meter"), kMetre, label);
    t.check("N_s", got.surface_refractivity_n, csv.num(r, "N_s"), 1e-5, label);
    t.check("delta_h", got.delta_h_m, csv.num(r, "delta_h__meter"), kMetre, label);
    t.check("mode", static_cast<int>(got.mode), csv.num(r, "prop_mode"), 0.0, label);
    t.check("warnings", static_cast<double>(got.warnings), csv.num(r, "warnings"), 0.0, label);
    t.check("rtn", got.warnings != 0 ? 1.0 : 0.0, csv.num(r, "rtn"), 0.0, label);
}

/// `name  value  (unit)` lines of an ITMDrvr report, keyed by name; and its loss table, if any.
struct DriverReport {
    std::map<std::string, std::string> values;
    std::vector<std::vector<std::string>> table;  // rows of whitespace-separated numbers
};

DriverReport read_report(const fs::path& path) {
    DriverReport rep;
    bool in_table = false;
    for (const auto& line : lines_of(read_text(path))) {
        if (line.rfind("Basic Transmission Loss Results", 0) == 0) {
            in_table = true;
            continue;
        }
        if (in_table) {
            std::istringstream in(line);
            std::vector<std::string> cells;
            std::string cell;
            while (in >> cell) cells.push_back(cell);
            if (cells.empty()) {
                if (!rep.table.empty()) in_table = false;
                continue;
            }
            if (std::isdigit(static_cast<unsigned char>(cells[0][0])) != 0)
                rep.table.push_back(cells);
            continue;
        }
        const auto gap = line.find("  ");
        if (gap == std::string::npos) continue;
        const auto start = line.find_first_not_of(' ', gap);
        if (start == std::string::npos) continue;
        const auto end = line.find(' ', start);
        rep.values[line.substr(0, gap)] = line.substr(start, end - start);
    }
    return rep;
}

/// `name,value[,value...]` lines of an ITMDrvr input file.
std::map<std::string, std::vector<double>> read_driver_inputs(const fs::path& path) {
    std::map<std::string, std::vector<double>> out;
    for (const auto& line : lines_of(read_text(path))) {
        const auto comma = line.find(',');
        if (comma == std::string::npos) continue;
        out[line.substr(0, comma)] = numbers_of(line.substr(comma + 1), ',');
    }
    return out;
}

itm::Params params_from_driver(const std::map<std::string, std::vector<double>>& in) {
    auto one = [&in](const std::string& k) {
        const auto it = in.find(k);
        REQUIRE_MESSAGE(it != in.end(), "missing input " << k);
        return it->second.at(0);
    };
    itm::Params p;
    p.h_tx_m = one("h_tx__meter");
    p.h_rx_m = one("h_rx__meter");
    p.climate = static_cast<itm::Climate>(static_cast<int>(one("climate")));
    p.n0 = one("N_0");
    p.freq_mhz = one("f__mhz");
    p.pol = static_cast<itm::Polarisation>(static_cast<int>(one("pol")));
    p.epsilon = one("epsilon");
    p.sigma_s_per_m = one("sigma");
    p.mdvar = itm::Mdvar::from_code(static_cast<int>(one("mdvar")));
    if (in.count("time") != 0) {
        p.time_pct = one("time");
        p.location_pct = one("location");
        p.situation_pct = one("situation");
    }
    return p;
}

/// Checks the single-result lines of a driver report (to their printed precision).
void check_report_values(Tally& t, const DriverReport& rep, const itm::Result& got,
                         const std::string& label, bool with_loss) {
    auto check = [&](const std::string& key, double value) {
        const auto it = rep.values.find(key);
        REQUIRE_MESSAGE(it != rep.values.end(), "report has no " << key);
        t.check(key, value, std::stod(it->second), printed_tolerance(it->second), label);
    };
    ++t.rows;
    if (with_loss) check("Basic Transmission Loss", got.loss_db);
    check("Free Space", got.free_space_loss_db);
    check("d__km", got.distance_m / 1000.0);
    check("theta_hzn_tx", got.horizon_angle_rad[0] * 1000.0);
    check("theta_hzn_rx", got.horizon_angle_rad[1] * 1000.0);
    check("d_hzn_tx__meter", got.horizon_distance_m[0]);
    check("d_hzn_rx__meter", got.horizon_distance_m[1]);
    check("h_e_tx__meter", got.effective_height_m[0]);
    check("h_e_rx__meter", got.effective_height_m[1]);
    check("N_s", got.surface_refractivity_n);
    check("delta_h__meter", got.delta_h_m);
    check("A_ref__db", got.reference_attenuation_db);
    check("Mode of Propagation", static_cast<int>(got.mode));
    const auto w = rep.values.find("ITM Warning Flags");
    REQUIRE(w != rep.values.end());
    t.check("warnings", got.warnings, static_cast<double>(std::stoul(w->second, nullptr, 16)), 0,
            label);
}

}  // namespace

TEST_SUITE("itm") {
    TEST_CASE("generated P2P table (ITM v1.4 ITM_P2P_TLS_Ex, 252 rows) within 0.01 dB") {
        const Csv csv = read_csv(itm_dir() / "generated_from_ntia_itm_v1.4" / "p2p_grid.csv");
        REQUIRE(csv.rows.size() == 252);
        Tally t;
        for (std::size_t r = 0; r < csv.rows.size(); ++r) {
            const Profile& prof = profile_named(csv.str(r, "profile"));
            const itm::Params p = params_from(csv, r);
            const auto got = itm::p2p(prof.z, prof.spacing_m, p);
            check_generated_row(t, csv, r, got, "p2p_grid.csv row " + std::to_string(r + 2));
        }
        t.report("p2p_grid.csv");
    }

    TEST_CASE("generated area table (ITM v1.4 ITM_AREA_TLS_Ex, 672 rows) within 0.01 dB") {
        const Csv csv = read_csv(itm_dir() / "generated_from_ntia_itm_v1.4" / "area_grid.csv");
        REQUIRE(csv.rows.size() == 672);
        Tally t;
        for (std::size_t r = 0; r < csv.rows.size(); ++r) {
            const itm::Params p = params_from(csv, r);
            itm::AreaPath path;
            // The first d__km / delta_h__meter columns are the inputs.
            path.distance_m = std::stod(csv.rows[r].at(4)) * 1000.0;
            path.delta_h_m = std::stod(csv.rows[r].at(5));
            REQUIRE(csv.str(r, "tx_siting_criteria") == csv.rows[r].at(2));
            path.tx_siting = static_cast<itm::SitingCriteria>(std::stoi(csv.rows[r].at(2)));
            path.rx_siting = static_cast<itm::SitingCriteria>(std::stoi(csv.rows[r].at(3)));
            const auto got = itm::area(path, p);
            check_generated_row(t, csv, r, got, "area_grid.csv row " + std::to_string(r + 2));
        }
        t.report("area_grid.csv");
    }

    TEST_CASE("NTIA p2p.csv examples at their printed precision") {
        const Csv csv = read_csv(itm_dir() / "ntia_itm_v1.4" / "p2p.csv");
        const auto profiles = ntia_profiles();
        REQUIRE(csv.rows.size() == profiles.size());
        Tally t;
        for (std::size_t r = 0; r < csv.rows.size(); ++r) {
            const itm::Params p = params_from(csv, r);
            const auto got = itm::p2p(profiles[r].z, profiles[r].spacing_m, p);
            ++t.rows;
            t.check("A__db", got.loss_db, csv.num(r, "A__db"),
                    printed_tolerance(csv.str(r, "A__db")), "p2p.csv row " + std::to_string(r + 2));
        }
        t.report("ntia p2p.csv");
    }

    TEST_CASE("NTIA area.csv examples at their printed precision") {
        const Csv csv = read_csv(itm_dir() / "ntia_itm_v1.4" / "area.csv");
        REQUIRE(csv.rows.size() == 5);
        Tally t;
        for (std::size_t r = 0; r < csv.rows.size(); ++r) {
            const itm::Params p = params_from(csv, r);
            itm::AreaPath path;
            path.distance_m = csv.num(r, "d__km") * 1000.0;
            path.delta_h_m = csv.num(r, "delta_h__meter");
            path.tx_siting = static_cast<itm::SitingCriteria>(
                static_cast<int>(csv.num(r, "tx_siting_criteria")));
            path.rx_siting = static_cast<itm::SitingCriteria>(
                static_cast<int>(csv.num(r, "rx_siting_criteria")));
            const auto got = itm::area(path, p);
            ++t.rows;
            t.check("A__db", got.loss_db, csv.num(r, "A__db"),
                    printed_tolerance(csv.str(r, "A__db")),
                    "area.csv row " + std::to_string(r + 2));
        }
        t.report("ntia area.csv");
    }

    TEST_CASE("NTIA ITMDrvr command-line examples (cmd_examples) at their printed precision") {
        const fs::path dir = itm_dir() / "ntia_itm_v1.4" / "cmd_examples";
        const Profile prof = cmd_profile();
        Tally t;

        SUBCASE("p2p TLS") {
            const auto p = params_from_driver(read_driver_inputs(dir / "i_p2ptls.txt"));
            check_report_values(t, read_report(dir / "o_p2ptls.txt"),
                                itm::p2p(prof.z, prof.spacing_m, p), "o_p2ptls.txt", true);
        }
        SUBCASE("p2p CR") {
            const auto in = read_driver_inputs(dir / "i_p2pcr.txt");
            auto p = params_from_driver(in);
            itm::set_confidence_reliability(p, in.at("confidence").at(0),
                                            in.at("reliability").at(0));
            check_report_values(t, read_report(dir / "o_p2pcr.txt"),
                                itm::p2p(prof.z, prof.spacing_m, p), "o_p2pcr.txt", true);
        }
        SUBCASE("p2p CR table") {
            const auto in = read_driver_inputs(dir / "i_p2pcr_tbl.txt");
            const auto rep = read_report(dir / "o_p2pcr_tbl.txt");
            const auto& conf = in.at("confidence");
            const auto& rel = in.at("reliability");
            // First table line: the confidence header; then one line per reliability.
            REQUIRE(rep.table.size() == rel.size() + 1);
            REQUIRE(rep.table[0].size() == conf.size());
            for (std::size_t j = 0; j < conf.size(); ++j)
                CHECK(std::stod(rep.table[0][j]) == conf[j]);
            auto p = params_from_driver(in);
            for (std::size_t i = 0; i < rel.size(); ++i) {
                const auto& row = rep.table[i + 1];
                REQUIRE(row.size() == conf.size() + 1);
                CHECK(std::stod(row[0]) == rel[i]);
                for (std::size_t j = 0; j < conf.size(); ++j) {
                    itm::set_confidence_reliability(p, conf[j], rel[i]);
                    const auto got = itm::p2p(prof.z, prof.spacing_m, p);
                    ++t.rows;
                    t.check("A__db", got.loss_db, std::stod(row[j + 1]),
                            printed_tolerance(row[j + 1]), "o_p2pcr_tbl.txt reliability " + row[0]);
                    if (i == 0 && j == 0)
                        check_report_values(t, rep, got, "o_p2pcr_tbl.txt", false);
                }
            }
        }
        SUBCASE("area TLS") {
            const auto in = read_driver_inputs(dir / "i_areatls.txt");
            const auto p = params_from_driver(in);
            itm::AreaPath path;
            path.distance_m = in.at("d__km").at(0) * 1000.0;
            path.delta_h_m = in.at("delta_h__meter").at(0);
            path.tx_siting = static_cast<itm::SitingCriteria>(in.at("tx_site_criteria").at(0));
            path.rx_siting = static_cast<itm::SitingCriteria>(in.at("rx_site_criteria").at(0));
            check_report_values(t, read_report(dir / "o_areatls.txt"), itm::area(path, p),
                                "o_areatls.txt", true);
        }
        SUBCASE("area CR") {
            const auto in = read_driver_inputs(dir / "i_areacr.txt");
            auto p = params_from_driver(in);
            itm::set_confidence_reliability(p, in.at("confidence").at(0),
                                            in.at("reliability").at(0));
            itm::AreaPath path;
            path.distance_m = in.at("d__km").at(0) * 1000.0;
            path.delta_h_m = in.at("delta_h__meter").at(0);
            path.tx_siting = static_cast<itm::SitingCriteria>(in.at("tx_site_criteria").at(0));
            path.rx_siting = static_cast<itm::SitingCriteria>(in.at("rx_site_criteria").at(0));
            check_report_values(t, read_report(dir / "o_areacr.txt"), itm::area(path, p),
                                "o_areacr.txt", true);
        }
        SUBCASE("area CR table (10..1000 km)") {
            const auto in = read_driver_inputs(dir / "i_areacr_tbl.txt");
            const auto rep = read_report(dir / "o_areacr_tbl.txt");
            const auto& conf = in.at("confidence");
            auto p = params_from_driver(in);
            itm::AreaPath path;
            path.delta_h_m = in.at("delta_h__meter").at(0);
            path.tx_siting = static_cast<itm::SitingCriteria>(in.at("tx_site_criteria").at(0));
            path.rx_siting = static_cast<itm::SitingCriteria>(in.at("rx_site_criteria").at(0));
            REQUIRE(rep.table.size() == 19);
            for (const auto& row : rep.table) {
                REQUIRE(row.size() == conf.size() + 2);
                path.distance_m = std::stod(row[0]) * 1000.0;
                const std::string label = "o_areacr_tbl.txt d = " + row[0] + " km";
                for (std::size_t j = 0; j < conf.size(); ++j) {
                    itm::set_confidence_reliability(p, conf[j], in.at("reliability").at(0));
                    const auto got = itm::area(path, p);
                    ++t.rows;
                    if (j == 0)
                        t.check("Free Space", got.free_space_loss_db, std::stod(row[1]),
                                printed_tolerance(row[1]), label);
                    t.check("A__db", got.loss_db, std::stod(row[j + 2]),
                            printed_tolerance(row[j + 2]), label);
                }
            }
        }
        t.report("cmd_examples");
    }

    TEST_CASE(
        "QKPFL, Crystal Palace to Mursley: v1.4 reproduction within 0.01 dB, FORTRAN 1.2.2 "
        "answers within 0.1 dB") {
        const Profile prof = qkpfl_profile();
        REQUIRE(prof.z.size() == 157);
        // The deck gives N_s = 314 directly; v1.4 takes N_0 and scales it by the mean path
        // elevation, so N_0 = 314·exp(h_sys/9460) reproduces it (README).
        const auto geometry = itm::analyse_profile(prof.z, prof.spacing_m, 143.9, 8.5, 301.0);
        CHECK(geometry.h_sys_m == doctest::Approx(92.622).epsilon(1e-5));
        const double n0 = 314.0 * std::exp(geometry.h_sys_m / 9460.0);
        CHECK(n0 == doctest::Approx(317.08944659578026).epsilon(1e-12));

        SUBCASE("ITM_P2P_CR_Ex reproduction (30 cells)") {
            const Csv csv = read_csv(itm_dir() / "generated_from_ntia_itm_v1.4" /
                                     "qkpfl_reproduction_p2p_cr.csv");
            REQUIRE(csv.rows.size() == 30);
            Tally t;
            for (std::size_t r = 0; r < csv.rows.size(); ++r) {
                const itm::Params p = params_from(csv, r);
                const auto got = itm::p2p(prof.z, prof.spacing_m, p);
                CHECK(got.surface_refractivity_n == doctest::Approx(314.0).epsilon(1e-9));
                check_generated_row(t, csv, r, got,
                                    "qkpfl_reproduction_p2p_cr.csv row " + std::to_string(r + 2));
            }
            t.report("qkpfl reproduction");
        }

        SUBCASE("qkpflanx.txt (FORTRAN 1.2.2 published answers)") {
            const auto lines =
                lines_of(read_text(itm_dir() / "qkpfl_fortran_1.2.2" / "qkpflanx.txt"));
            Tally t;
            int tests = 0;
            itm::Params p;
            p.climate = itm::Climate::continental_temperate;
            p.n0 = n0;
            p.pol = itm::Polarisation::horizontal;
            p.epsilon = 15.0;
            p.sigma_s_per_m = 0.005;
            p.mdvar = itm::Mdvar::from_code(11);
            std::vector<double> confidences;
            for (std::size_t i = 0; i < lines.size(); ++i) {
                std::istringstream in(lines[i]);
                std::string first;
                in >> first;
                auto after = [&lines, i](const std::string& key) {
                    return lines[i].substr(lines[i].find(key) + key.size());
                };
                if (lines[i].find("QKPFL TEST") != std::string::npos) {
                    ++tests;
                    confidences.clear();
                } else if (lines[i].find("FREQUENCY") != std::string::npos) {
                    p.freq_mhz = std::stod(after("FREQUENCY"));
                } else if (lines[i].find("ANTENNA HEIGHTS") != std::string::npos) {
                    std::istringstream hs(after("ANTENNA HEIGHTS"));
                    hs >> p.h_tx_m >> p.h_rx_m;
                } else if (lines[i].find("EFFECTIVE HEIGHTS") != std::string::npos) {
                    std::istringstream hs(after("EFFECTIVE HEIGHTS"));
                    std::string a, b;
                    hs >> a >> b;
                    const auto got = itm::p2p(prof.z, prof.spacing_m, p);
                    t.check("h_e_tx", got.effective_height_m[0], std::stod(a), printed_tolerance(a),
                            lines[i]);
                    t.check("h_e_rx", got.effective_height_m[1], std::stod(b), printed_tolerance(b),
                            lines[i]);
                } else if (lines[i].find("DELTA H") != std::string::npos) {
                    std::istringstream hs(after("DELTA H"));
                    std::string a;
                    hs >> a;
                    const auto got = itm::p2p(prof.z, prof.spacing_m, p);
                    // Printed as "89." (whole metres).
                    t.check("delta_h", got.delta_h_m, std::stod(a), 0.5 + 1e-6, lines[i]);
                } else if (lines[i].find("FREE SPACE VALUE-") != std::string::npos) {
                    std::istringstream hs(after("FREE SPACE VALUE-"));
                    std::string a;
                    hs >> a;
                    const auto got = itm::p2p(prof.z, prof.spacing_m, p);
                    t.check("free space", got.free_space_loss_db, std::stod(a), 0.1, lines[i]);
                } else if (first == "BILITY") {
                    // "BILITY     50.0    90.0    10.0": the confidence levels of the columns.
                    confidences = numbers_of(lines[i].substr(lines[i].find("BILITY") + 6), ' ');
                } else if (!confidences.empty() && !first.empty() &&
                           std::isdigit(static_cast<unsigned char>(first[0])) != 0) {
                    const auto row = numbers_of(lines[i], ' ');
                    REQUIRE(row.size() == confidences.size() + 1);
                    for (std::size_t j = 0; j < confidences.size(); ++j) {
                        itm::set_confidence_reliability(p, confidences[j], row[0]);
                        const auto got = itm::p2p(prof.z, prof.spacing_m, p);
                        ++t.rows;
                        t.check("A__db", got.loss_db, row[j + 1], 0.1, lines[i]);
                    }
                }
            }
            CHECK(tests == 2);
            CHECK(t.rows == 30);
            t.report("qkpflanx.txt");
        }
    }

    TEST_CASE("mdvar codes") {
        for (int code : {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33})
            CHECK(itm::Mdvar::from_code(code).code() == code);
        const auto m = itm::Mdvar::from_code(32);
        CHECK(m.mode == itm::VariabilityMode::mobile);
        CHECK(m.drop_location);
        CHECK(m.drop_situation);
        for (int code : {-1, 4, 9, 14, 34, 40, 100})
            CHECK_THROWS_AS((void)itm::Mdvar::from_code(code), std::invalid_argument);
    }

    TEST_CASE("mobile mode ignores the location quantile; broadcast mode does not") {
        const Profile prof = cmd_profile();
        itm::Params p;
        p.freq_mhz = 1800.0;
        p.h_tx_m = 30.0;
        p.mdvar = itm::Mdvar::from_code(2);
        p.location_pct = 10.0;
        const double a = itm::p2p(prof.z, prof.spacing_m, p).loss_db;
        p.location_pct = 90.0;
        CHECK(itm::p2p(prof.z, prof.spacing_m, p).loss_db == a);
        p.mdvar = itm::Mdvar::from_code(3);
        const double b10 = itm::p2p(prof.z, prof.spacing_m, p).loss_db;
        p.location_pct = 10.0;
        CHECK(itm::p2p(prof.z, prof.spacing_m, p).loss_db < b10);
    }

    TEST_CASE("a prepared PathGeometry gives the same result as the direct call") {
        const Profile& prof = profile_named("pfls.csv#3");
        itm::Params p;
        p.h_tx_m = 30.0;
        const auto g = itm::analyse_profile(prof.z, prof.spacing_m, p.h_tx_m, p.h_rx_m, p.n0);
        for (double f : {700.0, 1800.0, 3500.0}) {
            p.freq_mhz = f;
            const auto direct = itm::p2p(prof.z, prof.spacing_m, p);
            const auto prepared = itm::p2p(g, p);
            CHECK(prepared.loss_db == direct.loss_db);
            CHECK(prepared.warnings == direct.warnings);
        }
        p.h_tx_m = 60.0;
        CHECK_THROWS_AS((void)itm::p2p(g, p), std::invalid_argument);
    }

    TEST_CASE("input validation reports every problem at once") {
        itm::Params p;
        p.h_tx_m = 0.1;
        p.freq_mhz = 30000.0;
        p.n0 = 200.0;
        p.sigma_s_per_m = 0.0;
        p.time_pct = 100.0;
        const auto problems = itm::validate(p);
        CHECK(problems.size() == 5);
        const std::vector<double> z = {100.0, 110.0, 120.0};
        try {
            (void)itm::p2p(z, 100.0, p);
            FAIL("expected std::invalid_argument");
        } catch (const std::invalid_argument& e) {
            const std::string msg = e.what();
            CHECK(msg.find("h_tx_m = 0.1") != std::string::npos);
            CHECK(msg.find("freq_mhz = 30000") != std::string::npos);
            CHECK(msg.find("n0 = 200") != std::string::npos);
            CHECK(msg.find("sigma_s_per_m = 0") != std::string::npos);
            CHECK(msg.find("time_pct = 100") != std::string::npos);
        }
        CHECK(itm::validate(itm::Params{}).empty());

        const itm::Params ok;
        const std::vector<double> one = {100.0};
        CHECK_THROWS_AS((void)itm::p2p(one, 100.0, ok), std::invalid_argument);
        CHECK_THROWS_AS((void)itm::p2p(z, 0.0, ok), std::invalid_argument);
        const std::vector<double> hole = {100.0, std::nan(""), 120.0};
        CHECK_THROWS_AS((void)itm::p2p(hole, 100.0, ok), std::invalid_argument);
        itm::AreaPath bad;
        bad.distance_m = 0.0;
        bad.delta_h_m = -1.0;
        CHECK_THROWS_AS((void)itm::area(bad, ok), std::invalid_argument);
    }

    TEST_CASE("warnings: short path with a low mobile") {
        // 500 m over flat ground: d < 1 km sets 0x0040.
        const std::vector<double> z(11, 20.0);
        itm::Params p;
        p.h_tx_m = 30.0;
        p.h_rx_m = 1.5;
        const auto r = itm::p2p(z, 50.0, p);
        CHECK((r.warnings & itm::warning::path_distance_too_small_2) != 0);
        CHECK(std::isfinite(r.loss_db));
        CHECK(r.mode == itm::PropagationMode::line_of_sight);
    }

    TEST_CASE("helpers: inverse CCDF") {
        CHECK(itm::detail::inverse_ccdf(0.5) == doctest::Approx(0.0).epsilon(1e-3));
        CHECK(itm::detail::inverse_ccdf(0.1) == doctest::Approx(1.2816).epsilon(5e-4));
        CHECK(itm::detail::inverse_ccdf(0.9) == doctest::Approx(-1.2816).epsilon(5e-4));
    }

}  // TEST_SUITE
