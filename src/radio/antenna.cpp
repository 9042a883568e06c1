#include "phusong/radio/antenna.hpp"

#include "phusong/radio/angles.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace phusong::radio {
namespace {

constexpr double kRadPerDeg = std::numbers::pi / 180.0;
/// dBi = dBd + 2.15: gain of a half-wave dipole over isotropic (e.g. ITU-R BS.561 / common use).
constexpr double kDipoleGainDbi = 2.15;

// ---------------------------------------------------------------------------------------------
// Angle helpers

/// Wraps to [0, 360). floor, not fmod: this sits on the per-pixel path.
double wrap_360(double deg) noexcept {
    double x = deg - 360.0 * std::floor(deg * (1.0 / 360.0));
    if (x >= 360.0) x -= 360.0;  // rounding of tiny negatives
    if (x < 0.0) x += 360.0;
    return x;
}

/// Wraps to (−180, 180].
double wrap_180(double deg) noexcept {
    double x = wrap_360(deg);
    return x > 180.0 ? x - 360.0 : x;
}

/// Linear interpolation in a 1° table with the 0° sample repeated at 360°.
double lookup(const std::array<double, 361>& table, double deg) noexcept {
    const double x = wrap_360(deg);
    const auto i = static_cast<std::size_t>(x);  // 0..359
    const double frac = x - static_cast<double>(i);
    return table[i] + frac * (table[i + 1] - table[i]);
}

// ---------------------------------------------------------------------------------------------
// MSI text parsing

std::string_view trim(std::string_view s) noexcept {
    const auto is_space = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
    };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_ws(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// The whole token as a finite number, or nothing. Locale-independent; accepts a leading '+'.
std::optional<double> to_number(std::string_view token) noexcept {
    if (!token.empty() && token.front() == '+') token.remove_prefix(1);
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc{} || ptr != token.data() + token.size() || !std::isfinite(v)) return {};
    return v;
}

/// The first number embedded anywhere in `s` ("(dBi) 17.5", "17.5dBi", "2.45-2.55 GHz").
std::optional<double> first_number(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool starts = std::isdigit(static_cast<unsigned char>(c)) ||
                            ((c == '-' || c == '.') && i + 1 < s.size() &&
                             std::isdigit(static_cast<unsigned char>(s[i + 1])));
        if (!starts) continue;
        double v = 0.0;
        const auto [ptr, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
        if (ec == std::errc{} && std::isfinite(v)) return v;
        (void)ptr;
    }
    return {};
}

/// Shortest round-trip text of a number ("-3", "0.5").
std::string num(double v) {
    std::array<char, 32> buf{};
    const auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return ec == std::errc{} ? std::string(buf.data(), ptr) : std::to_string(v);
}

std::string line_prefix(std::size_t line_no) { return "line " + std::to_string(line_no) + ": "; }

[[noreturn]] void fail(std::size_t line_no, const std::string& what) {
    throw std::invalid_argument(line_prefix(line_no) + what);
}

struct Sample {
    double angle_deg;
    double value_db;
    std::size_t line_no;
};

struct Section {
    std::string name;  // "HORIZONTAL" / "VERTICAL"
    std::size_t header_line = 0;
    std::size_t declared = 0;
    std::vector<Sample> samples;
};

/// Resamples a circular, strictly increasing set of samples to 1° by linear interpolation.
std::array<double, 360> resample(const std::vector<Sample>& s) {
    std::array<double, 360> out{};
    const std::size_t n = s.size();
    if (n == 1) {
        out.fill(s.front().value_db);
        return out;
    }
    // Already exactly 0..359 at 1°: copy (the common case, no rounding).
    bool exact = n == 360;
    for (std::size_t i = 0; exact && i < n; ++i) exact = s[i].angle_deg == static_cast<double>(i);
    if (exact) {
        for (std::size_t i = 0; i < n; ++i) out[i] = s[i].value_db;
        return out;
    }
    for (std::size_t a = 0; a < 360; ++a) {
        const double x = static_cast<double>(a);
        // First sample with angle > x; the bracket is (prev, next) circularly.
        const auto it = std::upper_bound(
            s.begin(), s.end(), x, [](double v, const Sample& smp) { return v < smp.angle_deg; });
        const Sample& next = it == s.end() ? s.front() : *it;
        const Sample& prev = it == s.begin() ? s.back() : *(it - 1);
        double span = next.angle_deg - prev.angle_deg;
        double dx = x - prev.angle_deg;
        if (span <= 0.0) span += 360.0;  // wraps through 360°
        if (dx < 0.0) dx += 360.0;
        out[a] = prev.value_db + (next.value_db - prev.value_db) * (dx / span);
    }
    return out;
}

/// Plausible ranges of the numbers of an MSI file. The format (Radio Mobile's MSI definition,
/// header of antenna.hpp) gives GAIN in dBd or dBi and each pattern point as an attenuation in dB
/// below GAIN, without stating bounds. Gain: the range of the scenario's gain_dbi key. Attenuation:
/// measured patterns floor at 40–60 dB (the dynamic range of an antenna range); 100 dB is beyond
/// any of them, and a larger value is a column slip (angle read as attenuation) or a wrong scale.
constexpr double kMsiGainMinDbi = -10.0;
constexpr double kMsiGainMaxDbi = 40.0;
constexpr double kMsiMaxAttenuationDb = 100.0;

/// Checks signs and returns the attenuations (dB ≥ 0) of a complete section.
std::array<double, 360> finish_section(Section& sec) {
    bool any_pos = false;
    bool any_neg = false;
    for (const Sample& smp : sec.samples) {
        any_pos = any_pos || smp.value_db > 0.0;
        any_neg = any_neg || smp.value_db < 0.0;
    }
    if (any_pos && any_neg) {
        const auto neg = std::find_if(sec.samples.begin(), sec.samples.end(),
                                      [](const Sample& smp) { return smp.value_db < 0.0; });
        fail(neg->line_no, "attenuation " + num(neg->value_db) + " dB is negative while other " +
                               sec.name +
                               " values are positive; expected attenuations below the peak gain "
                               "as non-negative dB (MSI writes losses without a minus sign)");
    }
    if (any_neg) {
        for (Sample& smp : sec.samples) smp.value_db = -smp.value_db;  // relative-gain convention
    }
    for (const Sample& smp : sec.samples) {
        if (smp.value_db > kMsiMaxAttenuationDb) {
            fail(smp.line_no, sec.name + " attenuation " + num(smp.value_db) + " dB is out of range; expected 0 ≤ "
                              "attenuation ≤ " + num(kMsiMaxAttenuationDb) + " dB below GAIN");
        }
    }
    return resample(sec.samples);
}

bool is_known_key(const std::string& key) {
    static constexpr std::array<std::string_view, 13> kKeys = {
        "NAME",          "MAKE",       "FREQUENCY", "H_WIDTH",         "V_WIDTH",
        "FRONT_TO_BACK", "GAIN",       "TILT",      "ELECTRICAL_TILT", "POLARIZATION",
        "COMMENT",       "HORIZONTAL", "VERTICAL"};
    return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

}  // namespace

// -------------------------------------------------------------------------------------------------

MsiPattern parse_msi(std::string_view text) {
    MsiPattern msi;
    bool have_gain = false;
    bool first_content_line = true;
    std::optional<Section> horizontal;
    std::optional<Section> vertical;
    Section* open = nullptr;  // section currently receiving data lines
    std::size_t line_no = 0;
    std::size_t last_content_line = 0;  // where "end of text" errors point

    const auto close_open_section = [&](std::size_t at_line, std::string_view found) {
        if (open == nullptr) return;
        if (open->samples.size() < open->declared) {
            fail(at_line,
                 "found " + std::string(found) + " after " + std::to_string(open->samples.size()) +
                     " of the " + std::to_string(open->declared) + " data lines announced by '" +
                     open->name + " " + std::to_string(open->declared) + "' at line " +
                     std::to_string(open->header_line) + "; expected " +
                     std::to_string(open->declared) + " lines '<angle_deg> <attenuation_db>'");
        }
        open = nullptr;
    };

    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::string_view raw =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++line_no;
        const std::string_view line = trim(raw);
        if (line.empty()) continue;
        last_content_line = line_no;
        const std::vector<std::string_view> tok = split_ws(line);

        // Data lines of an open section.
        if (open != nullptr && open->samples.size() < open->declared) {
            const auto angle = to_number(tok[0]);
            if (!angle && is_known_key(upper(tok[0]))) {
                close_open_section(line_no, "'" + std::string(tok[0]) + "'");
            } else {
                if (tok.size() != 2) {
                    fail(line_no, "found '" + std::string(line) +
                                      "'; expected a data line '<angle_deg> "
                                      "<attenuation_db>' (two numbers) of the " +
                                      open->name + " section");
                }
                const auto value = to_number(tok[1]);
                if (!angle || !value) {
                    fail(line_no, "found '" + std::string(line) +
                                      "'; expected two numbers '<angle_deg> "
                                      "<attenuation_db>' in the " +
                                      open->name + " section");
                }
                if (*angle < 0.0 || *angle >= 360.0) {
                    fail(line_no, "angle " + std::string(tok[0]) +
                                      "° is out of range; expected 0 ≤ angle < 360");
                }
                if (!open->samples.empty() && *angle <= open->samples.back().angle_deg) {
                    fail(line_no, "angle " + std::string(tok[0]) +
                                      "° does not increase (previous " +
                                      num(open->samples.back().angle_deg) + "° at line " +
                                      std::to_string(open->samples.back().line_no) +
                                      "); expected strictly increasing angles");
                }
                open->samples.push_back({*angle, *value, line_no});
                continue;
            }
        }
        open = nullptr;

        const std::string key = upper(tok[0]);
        const std::string_view rest = trim(line.substr(tok[0].size()));
        const bool first = std::exchange(first_content_line, false);

        if (key == "HORIZONTAL" || key == "VERTICAL") {
            std::optional<Section>& sec = key == "HORIZONTAL" ? horizontal : vertical;
            if (sec) {
                fail(line_no, "second " + key + " section (the first is at line " +
                                  std::to_string(sec->header_line) + "); expected one " + key +
                                  " section");
            }
            const auto n = tok.size() == 2 ? to_number(tok[1]) : std::nullopt;
            if (!n || *n < 1.0 || *n > 36000.0 || *n != std::floor(*n)) {
                fail(line_no, "found '" + std::string(line) + "'; expected '" + key +
                                  " <count>' with a whole number of data lines, usually '" + key +
                                  " 360'");
            }
            sec = Section{key, line_no, static_cast<std::size_t>(*n), {}};
            sec->samples.reserve(sec->declared);
            open = &*sec;
            continue;
        }
        if (first && !is_known_key(key)) {
            msi.name = std::string(line);  // bare antenna name on the first line (no NAME key)
            continue;
        }
        if (to_number(tok[0])) {
            fail(line_no, "found data '" + std::string(line) +
                              "' outside a section; expected a header line "
                              "'KEY value' or a section announced by 'HORIZONTAL <count>' / "
                              "'VERTICAL <count>' "
                              "(is a count too small?)");
        }
        if (key == "NAME") {
            msi.name = std::string(rest);
        } else if (key == "MAKE") {
            msi.make = std::string(rest);
        } else if (key == "FREQUENCY") {
            if (auto f = first_number(rest)) {
                msi.frequency_mhz = upper(rest).find("GHZ") != std::string::npos ? *f * 1000.0 : *f;
            }
        } else if (key == "H_WIDTH") {
            msi.h_width_deg = first_number(rest);
        } else if (key == "V_WIDTH") {
            msi.v_width_deg = first_number(rest);
        } else if (key == "FRONT_TO_BACK") {
            msi.front_to_back_db = first_number(rest);
        } else if (key == "GAIN") {
            const auto g = first_number(rest);
            if (!g) {
                fail(line_no, "found '" + std::string(line) +
                                  "'; expected 'GAIN <value>' with an optional "
                                  "unit dBd (default) or dBi, e.g. 'GAIN 17.5 dBi'");
            }
            const std::string unit = upper(rest);
            const bool dbi = unit.find("DBI") != std::string::npos;
            msi.gain_dbi = dbi ? *g : *g + kDipoleGainDbi;
            // The same range as a parametric antenna's gain_dbi (docs/scenario.md): base-station
            // panels are 10–25 dBi, and a value far outside (GAIN 1000) is a typo or a unit slip
            // that would otherwise come out as an RSRP of hundreds of dBm.
            if (msi.gain_dbi < kMsiGainMinDbi || msi.gain_dbi > kMsiGainMaxDbi) {
                fail(line_no, "GAIN " + num(*g) + (dbi ? " dBi" : " dBd (" + num(msi.gain_dbi) + " dBi)") +
                                  " is out of range; expected " + num(kMsiGainMinDbi) + " ≤ gain ≤ " +
                                  num(kMsiGainMaxDbi) + " dBi (GAIN is dBd unless dBi follows)");
            }
            have_gain = true;
        } else if (key == "TILT") {
            const std::string v = upper(rest);
            if (v.find("MECH") != std::string::npos) msi.tilt_is_mechanical = true;
            if (auto t = first_number(rest); t && !msi.electrical_tilt_deg)
                msi.electrical_tilt_deg = t;
        } else if (key == "ELECTRICAL_TILT") {
            if (auto t = first_number(rest)) msi.electrical_tilt_deg = t;
        } else if (key == "POLARIZATION") {
            msi.polarization = std::string(rest);
        } else if (key == "COMMENT") {
            msi.comment = std::string(rest);
        }
        // Other keys: vendor extensions, ignored.
    }

    const std::size_t end_line = std::max<std::size_t>(last_content_line, 1);
    for (const std::optional<Section>* sec : {&horizontal, &vertical}) {
        if (*sec && (*sec)->samples.size() < (*sec)->declared) {
            fail(end_line, "end of text after " + std::to_string((*sec)->samples.size()) +
                               " of the " + std::to_string((*sec)->declared) +
                               " data lines announced by '" + (*sec)->name + " " +
                               std::to_string((*sec)->declared) + "' at line " +
                               std::to_string((*sec)->header_line) +
                               "; expected the remaining lines '<angle_deg> <attenuation_db>'");
        }
    }
    if (!have_gain) {
        fail(end_line, "end of text without a GAIN line; expected 'GAIN <value> [dBd|dBi]'");
    }
    if (!horizontal) {
        fail(end_line,
             "end of text without a HORIZONTAL section; expected 'HORIZONTAL 360' followed by "
             "360 lines '<angle_deg> <attenuation_db>'");
    }
    if (!vertical) {
        fail(end_line,
             "end of text without a VERTICAL section; expected 'VERTICAL 360' followed by "
             "360 lines '<angle_deg> <attenuation_db>'");
    }
    msi.horizontal_db = finish_section(*horizontal);
    msi.vertical_db = finish_section(*vertical);
    return msi;
}

// -------------------------------------------------------------------------------------------------

namespace {

void check(bool ok, const std::string& msg) {
    if (!ok) throw std::invalid_argument(msg);
}

/// The checks the sector and omni patterns share: gain, vertical beamwidth, side-lobe level.
void check_gain_and_vertical(const char* kind, double gain_dbi, double v_beamwidth_deg,
                             double side_lobe_db) {
    check(std::isfinite(gain_dbi), std::string(kind) + " antenna: gain_dbi must be a finite number");
    check(v_beamwidth_deg > 0.0 && v_beamwidth_deg <= 180.0,
          std::string(kind) + " antenna: v_beamwidth_deg = " + std::to_string(v_beamwidth_deg) +
              "; expected 0 < v_beamwidth_deg ≤ 180");
    check(side_lobe_db >= 0.0 && std::isfinite(side_lobe_db),
          std::string(kind) + " antenna: side_lobe_db = " + std::to_string(side_lobe_db) +
              "; expected a finite value ≥ 0 dB");
}

}  // namespace

AntennaPattern AntennaPattern::sector(const SectorPatternParams& p) {
    check_gain_and_vertical("sector", p.gain_dbi, p.v_beamwidth_deg, p.side_lobe_db);
    check(p.h_beamwidth_deg > 0.0 && p.h_beamwidth_deg <= 360.0,
          "sector antenna: h_beamwidth_deg = " + std::to_string(p.h_beamwidth_deg) +
              "; expected 0 < h_beamwidth_deg ≤ 360");
    check(p.front_to_back_db >= 0.0 && std::isfinite(p.front_to_back_db),
          "sector antenna: front_to_back_db = " + std::to_string(p.front_to_back_db) +
              "; expected a finite value ≥ 0 dB");
    AntennaPattern a;
    a.m_kind = Kind::sector;
    a.m_gain_dbi = p.gain_dbi;
    a.m_cap_db = p.front_to_back_db;
    a.m_h_beamwidth_deg = p.h_beamwidth_deg;
    a.m_v_beamwidth_deg = p.v_beamwidth_deg;
    a.m_side_lobe_db = p.side_lobe_db;
    return a;
}

AntennaPattern AntennaPattern::omni(const OmniPatternParams& p) {
    check_gain_and_vertical("omni", p.gain_dbi, p.v_beamwidth_deg, p.side_lobe_db);
    AntennaPattern a;
    a.m_kind = Kind::omni;
    a.m_gain_dbi = p.gain_dbi;
    a.m_cap_db = p.side_lobe_db;
    a.m_v_beamwidth_deg = p.v_beamwidth_deg;
    a.m_side_lobe_db = p.side_lobe_db;
    return a;
}

AntennaPattern AntennaPattern::from_msi(const MsiPattern& msi, CutCombination combination) {
    AntennaPattern a;
    a.m_kind = Kind::tabulated;
    a.m_combination = combination;
    a.m_gain_dbi = msi.gain_dbi;
    for (std::size_t i = 0; i < 360; ++i) {
        a.m_h_db[i] = msi.horizontal_db[i];
        a.m_v_db[i] = msi.vertical_db[i];
    }
    a.m_h_db[360] = a.m_h_db[0];
    a.m_v_db[360] = a.m_v_db[0];
    a.m_cap_db = std::max(*std::max_element(a.m_h_db.begin(), a.m_h_db.end()),
                          *std::max_element(a.m_v_db.begin(), a.m_v_db.end()));
    if (msi.electrical_tilt_deg) {
        a.m_builtin_tilt_deg = *msi.electrical_tilt_deg;
    } else if (msi.tilt_is_mechanical) {
        a.m_builtin_tilt_deg = 0.0;
    } else {
        // Beam peak of the front half of the vertical cut (depression −90°..90°).
        int best = 0;
        for (int d = -90; d <= 90; ++d) {
            const double v = a.m_v_db[static_cast<std::size_t>((d + 360) % 360)];
            const double b = a.m_v_db[static_cast<std::size_t>((best + 360) % 360)];
            if (v < b || (v == b && std::abs(d) < std::abs(best))) best = d;
        }
        a.m_builtin_tilt_deg = best;
    }
    return a;
}

double AntennaPattern::attenuation_db(double phi_deg, double depression_deg,
                                      double extra_electrical_tilt_deg) const noexcept {
    switch (m_kind) {
        case Kind::sector: {
            // TR 38.901 Table 7.3-1 with θ − 90° = depression − electrical tilt.
            const double phi = wrap_180(phi_deg);
            const double hr = phi / m_h_beamwidth_deg;
            const double vr = (depression_deg - extra_electrical_tilt_deg) / m_v_beamwidth_deg;
            const double a_h = std::min(12.0 * hr * hr, m_cap_db);
            const double a_v = std::min(12.0 * vr * vr, m_side_lobe_db);
            return std::min(a_h + a_v, m_cap_db);
        }
        case Kind::omni: {
            const double vr = (depression_deg - extra_electrical_tilt_deg) / m_v_beamwidth_deg;
            return std::min(12.0 * vr * vr, m_side_lobe_db);
        }
        case Kind::tabulated: {
            // MSI vertical angle: front half = depression, back half = 180° − depression;
            // electrical tilt rotates the cut clockwise (downward at the front).
            const double front = depression_deg - extra_electrical_tilt_deg;
            const double a_h = lookup(m_h_db, phi_deg);
            const double a_vf = lookup(m_v_db, front);
            if (m_combination == CutCombination::summation) {
                return std::min(a_h + a_vf, m_cap_db);
            }
            const double w = std::abs(wrap_180(phi_deg)) / 180.0;
            const double back = 180.0 - depression_deg - extra_electrical_tilt_deg;
            const double a_vb = lookup(m_v_db, back);
            const double a = a_h + (1.0 - w) * (a_vf - m_h_db[0]) + w * (a_vb - m_h_db[180]);
            return std::clamp(a, 0.0, m_cap_db);
        }
    }
    return m_cap_db;  // unreachable
}

// -------------------------------------------------------------------------------------------------

OrientedAntenna::OrientedAntenna(std::shared_ptr<const AntennaPattern> pattern,
                                 const AntennaOrientation& orientation)
    : m_pattern(std::move(pattern)) {
    if (!m_pattern) throw std::invalid_argument("OrientedAntenna: null antenna pattern");
    m_azimuth_deg = orientation.azimuth_deg;
    m_tilted = orientation.mechanical_downtilt_deg != 0.0;
    m_sin_tilt = std::sin(orientation.mechanical_downtilt_deg * kRadPerDeg);
    m_cos_tilt = std::cos(orientation.mechanical_downtilt_deg * kRadPerDeg);
    m_extra_etilt_deg =
        orientation.electrical_downtilt_deg
            ? *orientation.electrical_downtilt_deg - m_pattern->builtin_electrical_tilt_deg()
            : 0.0;
}

AntennaDirection OrientedAntenna::from_cell_frame(double f, double r, double u) const noexcept {
    // Rotate by the mechanical downtilt t about the r axis (TR 38.901 eq. 7.1-7/7.1-8, γ = 0):
    // f' = f cos t − u sin t, u' = f sin t + u cos t.
    const double fp = f * m_cos_tilt - u * m_sin_tilt;
    const double up = f * m_sin_tilt + u * m_cos_tilt;
    AntennaDirection d;
    d.phi_deg = fast_atan2_deg(r, fp);
    d.depression_deg = fast_atan2_deg(-up, std::sqrt(fp * fp + r * r));
    return d;
}

AntennaDirection OrientedAntenna::to_antenna_frame(double azimuth_deg,
                                                   double depression_deg) const noexcept {
    const double phi = wrap_180(azimuth_deg - m_azimuth_deg);
    if (!m_tilted) return {phi, depression_deg};
    const double cd = std::cos(depression_deg * kRadPerDeg);
    const double sd = std::sin(depression_deg * kRadPerDeg);
    return from_cell_frame(cd * std::cos(phi * kRadPerDeg), cd * std::sin(phi * kRadPerDeg), -sd);
}

double OrientedAntenna::gain_dbi(double azimuth_deg, double depression_deg) const noexcept {
    const AntennaDirection d = to_antenna_frame(azimuth_deg, depression_deg);
    return m_pattern->max_gain_dbi() -
           m_pattern->attenuation_db(d.phi_deg, d.depression_deg, m_extra_etilt_deg);
}

}  // namespace phusong::radio
