#pragma once
/// Antenna patterns: the parametric sector pattern of 3GPP TR 38.901, an omni pattern, and
/// tabulated patterns read from Planet/MSI text; and the gain of a pointed (azimuth, mechanical
/// and electrical downtilt) antenna toward a pixel.
///
/// Angle conventions used throughout:
///  - azimuth: degrees clockwise from north (the same north for the site→pixel direction and the
///    cell azimuth; on the projected grid that is grid north);
///  - depression: degrees BELOW the horizontal plane of the antenna (positive = looking down);
///  - downtilt: positive = beam pointing below the horizon.
///
/// Pure functions, standard library only. The per-pixel calls of OrientedAntenna do not allocate:
/// `gain_dbi(azimuth, depression)` needs no trigonometry without mechanical tilt and sin/cos with
/// it (the sweep tabulates it per cell: coverage's gain table).

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace phusong::radio {

/// Parameters of the parametric sector pattern of 3GPP TR 38.901 V17 Table 7.3-1:
///   A_H(φ) = −min(12 (φ/φ3dB)², A_m)
///   A_V(θ) = −min(12 ((θ − 90°)/θ3dB)², SLA_V)          (θ zenith angle; θ − 90° = depression)
///   A(θ,φ) = −min(−(A_H + A_V), A_m),   G = G_max + A.
/// TR 38.901 gives the values of one array element (8 dBi, 65°/65°, A_m = SLA_V = 30 dB); the
/// defaults here are a typical macro sector panel (17 dBi, 65° × 7°) with the TR 38.901 A_m and
/// SLA_V.
struct SectorPatternParams {
    double gain_dbi = 17.0;          ///< G_max, maximum (boresight) gain in dBi
    double h_beamwidth_deg = 65.0;   ///< φ3dB, horizontal half-power beamwidth, 0 < φ3dB ≤ 360
    double v_beamwidth_deg = 7.0;    ///< θ3dB, vertical half-power beamwidth, 0 < θ3dB ≤ 180
    double front_to_back_db = 30.0;  ///< A_m, front-to-back ratio and overall attenuation cap, dB
    double side_lobe_db = 30.0;      ///< SLA_V, vertical side-lobe attenuation cap, dB
};

/// An omnidirectional antenna: A_H ≡ 0, the vertical cut of TR 38.901 Table 7.3-1
/// (A = −min(12 (depression/θ3dB)², SLA_V)), G = G_max + A.
struct OmniPatternParams {
    double gain_dbi = 11.0;         ///< maximum gain in dBi (on the horizon, before tilt)
    double v_beamwidth_deg = 10.0;  ///< θ3dB, vertical half-power beamwidth, 0 < θ3dB ≤ 180
    double side_lobe_db = 30.0;     ///< SLA_V, vertical side-lobe attenuation cap, dB
};

/// A Planet/MSI antenna file as text (".msi", ".pln", ".txt"). Format as documented by
/// Radio Mobile (http://radiomobile.pe1mew.nl/?The_program___Definitions___MSI) and by the
/// RF::Antenna::Planet::MSI::Format reader
/// (https://metacpan.org/pod/RF::Antenna::Planet::MSI::Format):
///  - header lines "KEY value": NAME, MAKE, FREQUENCY (MHz), H_WIDTH, V_WIDTH, FRONT_TO_BACK,
///    GAIN (dBd unless "dBi" follows), TILT (ELECTRICAL / MECHANICAL, optionally a number),
///    ELECTRICAL_TILT, POLARIZATION, COMMENT; other keys are vendor extensions and ignored;
///    a first line that is not a known key is the antenna name (some vendors omit "NAME");
///  - "HORIZONTAL n" then n lines "<angle_deg> <attenuation_db>": 0° = boresight, angles
///    increasing clockwise seen from above;
///  - "VERTICAL n" then n lines: 0° = boresight on the horizon, angles increasing clockwise seen
///    from the antenna's left side, i.e. 90° = nadir (ground), 180° = horizon behind, 270° =
///    zenith;
///  - attenuations are dB below GAIN, written without sign (a section written entirely with
///    non-positive values is read as relative gain and negated).
/// The format states no bounds; phusong accepts GAIN in −10…40 dBi (the range of the scenario's
/// gain_dbi) and attenuations in 0…100 dB, and rejects anything else with its line.
/// Sections are usually 360 points at 1°; any count of strictly increasing angles in [0°, 360°)
/// is accepted and resampled to 1° by linear interpolation (circular).
struct MsiPattern {
    std::string name;                           ///< NAME (or the bare first line)
    std::string make;                           ///< MAKE
    std::optional<double> frequency_mhz;        ///< FREQUENCY, first number, GHz converted to MHz
    double gain_dbi = 0.0;                      ///< GAIN converted to dBi (dBi = dBd + 2.15)
    std::optional<double> h_width_deg;          ///< H_WIDTH, informational
    std::optional<double> v_width_deg;          ///< V_WIDTH, informational
    std::optional<double> front_to_back_db;     ///< FRONT_TO_BACK, informational
    std::optional<double> electrical_tilt_deg;  ///< number given by TILT / ELECTRICAL_TILT, if any
    bool tilt_is_mechanical = false;            ///< TILT says MECHANICAL
    std::string polarization;                   ///< POLARIZATION
    std::string comment;                        ///< COMMENT
    std::array<double, 360> horizontal_db{};  ///< attenuation (dB ≥ 0) at 0°..359° (see above)
    std::array<double, 360> vertical_db{};    ///< attenuation (dB ≥ 0) at 0°..359° (see above)
};

/// Parses the text of a Planet/MSI file. Throws std::invalid_argument("line N: <what was found>;
/// expected <what>") on malformed text (missing GAIN or sections, wrong point counts, bad numbers,
/// angles out of order or out of [0, 360)); the caller prefixes the file name.
[[nodiscard]] MsiPattern parse_msi(std::string_view text);

/// How a tabulated pattern's horizontal and vertical cuts combine into a 3-D attenuation.
enum class CutCombination {
    /// A = min(A_H(φ) + A_V(θ), A_cap), θ read from the front half of the vertical cut and
    /// A_cap the largest attenuation in either cut: the 2-D summation used by planning tools and
    /// the form of TR 38.901 Table 7.3-1.
    summation,
    /// Horizontal Projection Interpolation (HPI), Altair WinProp AMan manual, "Horizontal
    /// Projection Interpolation (HPI) Algorithm", eq. (1), written in attenuations:
    ///   A = A_H(φ) + (1 − |φ|/180)(A_V(θ) − A_H(0)) + (|φ|/180)(A_V(180 − θ) − A_H(180)),
    /// clamped to [0, A_cap]. Reproduces both cuts exactly, including the back of the vertical
    /// cut, and is recommended there for tilted antennas.
    horizontal_projection,
};

/// An antenna radiation pattern in antenna coordinates, with its tables precomputed.
/// Copyable; share one instance between cells (see OrientedAntenna).
class AntennaPattern {
  public:
    /// TR 38.901 Table 7.3-1 sector pattern. Throws std::invalid_argument on out-of-range values.
    [[nodiscard]] static AntennaPattern sector(const SectorPatternParams& params);
    /// Omnidirectional pattern. Throws std::invalid_argument on out-of-range values.
    [[nodiscard]] static AntennaPattern omni(const OmniPatternParams& params);
    /// Tabulated pattern from an MSI file, interpolated linearly between 1° samples.
    /// Built-in electrical tilt: the number in TILT/ELECTRICAL_TILT if given; else 0 if TILT
    /// says MECHANICAL; else the depression (−90°..90°) of the least attenuation of the front
    /// half of the vertical cut (the beam peak, ties to the smallest |angle|).
    [[nodiscard]] static AntennaPattern from_msi(
        const MsiPattern& msi, CutCombination combination = CutCombination::summation);

    /// Maximum (boresight) gain, dBi.
    [[nodiscard]] double max_gain_dbi() const noexcept { return m_gain_dbi; }
    /// Largest attenuation the pattern produces, dB (A_m, SLA_V for omni, or the cuts' maximum).
    [[nodiscard]] double max_attenuation_db() const noexcept { return m_cap_db; }
    /// Electrical downtilt already contained in the pattern, degrees (0 for parametric patterns).
    [[nodiscard]] double builtin_electrical_tilt_deg() const noexcept { return m_builtin_tilt_deg; }

    /// Attenuation below max gain (dB ≥ 0) toward a direction in antenna coordinates:
    /// `phi_deg` clockwise from boresight (any value, wrapped), `depression_deg` below the
    /// antenna's own horizontal plane (−90..90), after shifting the vertical pattern down by
    /// `extra_electrical_tilt_deg` (in addition to the built-in tilt).
    [[nodiscard]] double attenuation_db(double phi_deg, double depression_deg,
                                        double extra_electrical_tilt_deg) const noexcept;

  private:
    enum class Kind { sector, omni, tabulated };
    AntennaPattern() = default;

    Kind m_kind = Kind::sector;
    CutCombination m_combination = CutCombination::summation;
    double m_gain_dbi = 0.0;
    double m_cap_db = 0.0;
    double m_builtin_tilt_deg = 0.0;
    double m_h_beamwidth_deg = 0.0;  // parametric only
    double m_v_beamwidth_deg = 0.0;  // parametric only
    double m_side_lobe_db = 0.0;     // parametric only
    // Tabulated only: attenuation at 0..360° in 1° steps, element 360 repeats element 0 so that
    // interpolation needs no wrap test.
    std::array<double, 361> m_h_db{};
    std::array<double, 361> m_v_db{};
};

/// How a cell's antenna is pointed.
struct AntennaOrientation {
    double azimuth_deg = 0.0;              ///< boresight azimuth, clockwise from north
    double mechanical_downtilt_deg = 0.0;  ///< rotation of the whole antenna about its horizontal
                                           ///< axis perpendicular to boresight; positive = down
    /// Total electrical downtilt of the cell, degrees. The vertical pattern is shifted by this
    /// minus the pattern's built-in tilt (an MSI file measured at 6° needs no shift for a 6° cell).
    /// Not given: the pattern as it is.
    std::optional<double> electrical_downtilt_deg;
};

/// A direction in antenna coordinates (after the mechanical-tilt rotation).
struct AntennaDirection {
    double phi_deg = 0.0;         ///< clockwise from boresight, in (−180, 180]
    double depression_deg = 0.0;  ///< below the antenna's tilted horizontal plane, in [−90, 90]
};

/// A pattern pointed by an orientation, with the rotation precomputed: the per-pixel gain.
///
/// Mechanical tilt is the exact 3-D rotation of 3GPP TR 38.901 §7.1.3 (eq. 7.1-7 with bearing α
/// = azimuth, downtilt β = mechanical tilt, slant γ = 0): in the cell frame (f = boresight
/// direction on the horizon, r = its right, u = up) a direction at azimuth offset φ and depression
/// δ is d = (cos δ cos φ, cos δ sin φ, −sin δ); the antenna axes are f' = (cos t, 0, −sin t),
/// r' = r, u' = (sin t, 0, cos t), so
///   φ' = atan2(cos δ sin φ, cos δ cos φ cos t + sin δ sin t),
///   δ' = asin(sin δ cos t − cos δ cos φ sin t).
/// Off boresight the tilt seen by the pattern shrinks (δ' ≈ δ − t cos φ); at φ = ±90° on the
/// horizon it vanishes. Electrical tilt then shifts the vertical pattern in these coordinates.
class OrientedAntenna {
  public:
    /// Throws std::invalid_argument if `pattern` is null.
    OrientedAntenna(std::shared_ptr<const AntennaPattern> pattern,
                    const AntennaOrientation& orientation);

    /// Gain in dBi toward a pixel at `azimuth_deg` (clockwise from north, seen from the site) and
    /// `depression_deg` (below the horizon, seen from the antenna).
    [[nodiscard]] double gain_dbi(double azimuth_deg, double depression_deg) const noexcept;
    /// The direction in antenna coordinates (for tests and diagnostics).
    [[nodiscard]] AntennaDirection to_antenna_frame(double azimuth_deg,
                                                    double depression_deg) const noexcept;

    [[nodiscard]] const AntennaPattern& pattern() const noexcept { return *m_pattern; }

  private:
    [[nodiscard]] AntennaDirection from_cell_frame(double f, double r, double u) const noexcept;

    std::shared_ptr<const AntennaPattern> m_pattern;
    double m_azimuth_deg = 0.0;
    bool m_tilted = false;
    double m_sin_tilt = 0.0;
    double m_cos_tilt = 1.0;
    double m_extra_etilt_deg = 0.0;
};

}  // namespace phusong::radio
